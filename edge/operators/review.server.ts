/**
 * The review queue (issue 18, ADR 038), shared by /api/v1/admin and the console pages: flags to
 * dismiss or escalate, and rollbacks proposed from a flag, an event or a named target, shown as a
 * plan before anything moves, applied by an admin, approved by a second one above the threshold
 * (env ROLLBACK_APPROVE_ABOVE). Callers demand the policy action first; the operator is the actor.
 */
import { decideFlag, getFlag, resolveFlagByRollback, targetOfEvent, type FlagDecision, type ReviewFlag } from "../../db/fraud/review";
import { fail, type Result } from "../../db/result";
import { applyRollback, approveRollback, planRollback, proposeRollback, RollbackError, type RollbackPlan, type TargetKind } from "../../db/rollbacks";
import type { AppLoadContext } from "../context.server";
import { operatorCtx, operatorFreeze } from "./actions.server";

export interface TargetAsk {
  kind?: string;
  targetId?: string;
  flagId?: string;
  eventId?: string;
}

/** What a rollback would target: named directly, or what a flag or an event points at. Throws RollbackError (4xx). */
export async function resolveTarget(context: AppLoadContext, ask: TargetAsk): Promise<{ kind: TargetKind; id: string }> {
  if (ask.flagId) {
    const flag = await getFlag(context.db, ask.flagId);
    if (!flag) throw new RollbackError(404, "unknown_flag", `There is no flag ${ask.flagId.slice(0, 40)}.`);
    if (!flag.target) throw new RollbackError(400, "bad_target", `Flag ${flag.id} (${flag.subject}) names nothing a rollback can target.`);
    return flag.target;
  }
  if (ask.eventId) {
    const target = await targetOfEvent(context.db, ask.eventId);
    if (!target) throw new RollbackError(400, "bad_target", `Event ${ask.eventId.slice(0, 40)} is not a mint, an offer's settlement or a market event with a fill.`);
    return target;
  }
  if (ask.kind !== "fill" && ask.kind !== "offer" && ask.kind !== "mint") throw new RollbackError(400, "bad_target", "Name a flag, an event, or a kind (fill, offer, mint) and a target id.");
  if (!ask.targetId?.trim()) throw new RollbackError(400, "bad_target", "Give the target's id (a fill's number, an offer's id or a mint event's id).");
  return { kind: ask.kind, id: ask.targetId.trim() };
}

export async function previewRollback(context: AppLoadContext, ask: TargetAsk): Promise<{ target: { kind: TargetKind; id: string }; plan: RollbackPlan; needsApproval: boolean }> {
  const target = await resolveTarget(context, ask);
  const plan = await planRollback(context.db, target.kind, target.id);
  return { target, plan, needsApproval: plan.value > context.env.ROLLBACK_APPROVE_ABOVE };
}

export async function proposeFor(context: AppLoadContext, operatorId: string, ask: TargetAsk & { reason: string }) {
  const target = await resolveTarget(context, ask);
  const ctx = operatorCtx(operatorId);
  const done = await proposeRollback(context.db, { kind: target.kind, targetId: target.id, reason: ask.reason, by: ctx.actor });
  if (ask.flagId) await resolveFlagByRollback(context.db, ctx, ask.flagId, done.rollback.id);
  return done;
}

export const applyAs = (context: AppLoadContext, operatorId: string, id: string) =>
  applyRollback(context.db, { id, by: operatorCtx(operatorId).actor, approveAbove: context.env.ROLLBACK_APPROVE_ABOVE });

export const approveAs = (context: AppLoadContext, operatorId: string, id: string) => approveRollback(context.db, { id, by: operatorCtx(operatorId).actor });

/**
 * An operator's decision on a flag. "freeze" freezes each of the flag's players first (the same
 * freeze as the console's and the game-server API's: open orders cancelled in the rooms, events
 * with the operator as actor), then resolves the flag with verdict freeze. A freeze is idempotent,
 * so a retry after a failure part-way freezes nobody twice.
 */
export async function decideAs(context: AppLoadContext, operatorId: string, d: FlagDecision): Promise<Result<{ flag: ReviewFlag }>> {
  if (d.verdict === "freeze") {
    const flag = await getFlag(context.db, d.id);
    if (!flag) return fail(404, "unknown_flag", `There is no flag ${String(d.id).slice(0, 40)}.`);
    if (flag.status === "resolved") return fail(409, "flag_resolved", `Flag ${d.id} is already resolved.`);
    const reason = d.reason?.trim() ?? "";
    if (reason.length < 3 || reason.length > 160) return fail(400, "reason_required", "Say why in a few words (a reason of 3 to 160 characters).");
    for (const p of flag.players) {
      const frozen = await operatorFreeze(context, operatorId, p.id, `flag ${flag.rule}: ${reason}`);
      if (!frozen.ok) return frozen;
    }
  }
  return decideFlag(context.db, operatorCtx(operatorId), d);
}
