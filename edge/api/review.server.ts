/**
 * /api/v1/admin/flags and /api/v1/admin/rollbacks (issue 18, ADR 038): the review queue for
 * operators' tools. Flags: list (staff), dismiss or escalate with a reason (moderators). Rollbacks:
 * a plan (dry run, the default; support and up), a proposal stored with dryRun false (admins), then
 * apply (admins) and, above ROLLBACK_APPROVE_ABOVE, a second admin's approval.
 */
import { z } from "zod";
import { listFlags } from "../../db/fraud/review";
import type { Failure } from "../../db/result";
import { RollbackError, type Rollback } from "../../db/rollbacks";
import { applyAs, approveAs, decideAs, previewRollback, proposeFor } from "../operators/review.server";
import { demand, Forbidden } from "../policy/policy";
import { ADMIN_PREFIX } from "./admin.server";
import { ApiError } from "./http.server";
import { route, type ApiRoute } from "./router.server";

const failure = (f: Failure) => new ApiError(f.status, f.code, f.message);
const rollbackError = (error: unknown) =>
  error instanceof RollbackError || error instanceof Forbidden ? new ApiError(error.status, error.code, error.message) : error;

const Reason = z.string().trim().min(3, "say why in a few words (reason: 3 to 500 characters)").max(500, "reason: at most 500 characters");
const IdParams = z.strictObject({ id: z.uuid("the id must be a UUID") });
const FlagsQuery = z.strictObject({
  status: z.enum(["unresolved", "open", "claimed", "escalated", "resolved"], "status must be unresolved, open, claimed, escalated or resolved").default("unresolved"),
  limit: z.coerce.number("limit must be a number").int("limit must be a whole number").min(1, "limit must be at least 1").max(200, "limit must be at most 200").default(50),
});
const Target = z.object({ kind: z.enum(["fill", "offer", "mint"]), id: z.string() });
const Flag = z.object({
  id: z.uuid(), rule: z.string(), score: z.number().int(), players: z.array(z.object({ id: z.string(), username: z.string().nullable() })),
  explanation: z.string(), subject: z.string(), status: z.string(), verdict: z.string().nullable(), note: z.string().nullable(),
  resolvedBy: z.string().nullable(), createdAt: z.string(), evidence: z.array(z.object({ eventId: z.uuid(), type: z.string(), at: z.string() })), target: Target.nullable(),
});
const DecideBody = z.strictObject({ reason: Reason });
const Want = z.object({ from: z.string(), to: z.string().nullable(), asset: z.number().int(), amount: z.number().int(), item: z.string().optional() });
const Plan = z.object({
  kind: z.string(), targetId: z.string(), takes: z.array(Want),
  debts: z.array(z.object({ player: z.string(), asset: z.number().int(), amount: z.number().int(), creditor: z.string().nullable() })),
  value: z.number().int(), notes: z.array(z.string()),
});
const RollbackSchema = z.object({
  id: z.uuid(), kind: z.string(), targetId: z.string(), state: z.enum(["proposed", "pending", "applied", "canceled"]), reason: z.string(), value: z.number().int(),
  plan: Plan, requestedBy: z.string(), approvedBy: z.string().nullable(), createdAt: z.string(), appliedAt: z.string().nullable(),
});
const ProposeBody = z.strictObject({
  flagId: z.uuid("flagId must be a flag's id").optional(),
  eventId: z.uuid("eventId must be an event's id").optional(),
  kind: z.enum(["fill", "offer", "mint"], "kind must be fill, offer or mint").optional(),
  targetId: z.string().trim().min(1).max(64, "targetId: at most 64 characters").optional(),
  reason: Reason.optional(),
  dryRun: z.boolean("dryRun must be true or false").default(true),
}).refine((b) => [b.flagId, b.eventId, b.kind].filter((x) => x !== undefined).length === 1, "name one of flagId, eventId, or kind with targetId")
  .refine((b) => b.kind === undefined || b.targetId !== undefined, "kind needs a targetId")
  .refine((b) => b.dryRun || b.reason !== undefined, "a proposal (dryRun false) needs a reason");
const ProposeAnswer = z.object({
  dryRun: z.boolean(), target: Target, plan: Plan, needsApproval: z.boolean(),
  rollback: RollbackSchema.optional().meta({ description: "dryRun false: the stored proposal (state proposed), or the target's existing rollback" }),
  created: z.boolean().optional(),
});

/** POST /admin/flags/:id/<verdict>: one moderator's decision on a flag, with a reason, recorded as an event. */
function decisionRoute(verdict: "dismiss" | "claim" | "freeze" | "escalate", operationId: string, policy: "flag:resolve" | "player:freeze", summary: string): ApiRoute {
  return route({
    method: "POST", path: `${ADMIN_PREFIX}/flags/:id/${verdict}`, operationId, summary,
    auth: "bearer", policy, params: IdParams, body: DecideBody, status: 200, response: Flag, errors: [403, 404, 409],
    async handler({ context, session, params, body }) {
      const done = await decideAs(context, session.player.id, { id: params.id, verdict, reason: body.reason });
      if (!done.ok) throw failure(done);
      return done.flag;
    },
  });
}

export const reviewRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${ADMIN_PREFIX}/flags`, operationId: "adminListFlags",
    summary: "Staff: the fraud rules' flags, newest first (unresolved by default), with players, explanation and evidence events",
    auth: "bearer", policy: "audit:read", query: FlagsQuery, status: 200, response: z.object({ flags: z.array(Flag) }), errors: [403],
    async handler({ context, query }) {
      return { flags: await listFlags(context.db, { status: query.status, limit: query.limit }) };
    },
  }),
  decisionRoute("dismiss", "adminDismissFlag", "flag:resolve", "Moderators: dismiss a flag with a reason (a flag_dismissed event with you as actor)"),
  decisionRoute("claim", "adminClaimFlag", "flag:resolve", "Moderators: claim a flag so that no one else works on it (a flag_claimed event with you as actor; 409 when someone has)"),
  decisionRoute("freeze", "adminFreezeFlag", "player:freeze", "Moderators: answer a flag by freezing its players (open orders cancelled), which resolves it with verdict freeze"),
  decisionRoute("escalate", "adminEscalateFlag", "flag:resolve", "Moderators: escalate a flag to the admins with a reason (a flag_escalated event with you as actor)"),
  route({
    method: "POST", path: `${ADMIN_PREFIX}/rollbacks`, operationId: "adminPlanRollback",
    // A plan moves nothing (a dry run, or a stored proposal that applying, with its own step-up, acts on).
    stepUp: "none",
    summary: "Staff: the plan of a rollback of a fill, an offer or a mint (named, or a flag's or an event's target): a dry run by default, nothing moves; dryRun false (admins) stores it as a proposal to apply",
    auth: "bearer", policy: "rollback:preview", body: ProposeBody, status: 200, response: ProposeAnswer, errors: [403, 404, 409],
    async handler({ context, session, body }) {
      try {
        const ask = { flagId: body.flagId, eventId: body.eventId, kind: body.kind, targetId: body.targetId };
        const preview = await previewRollback(context, ask);
        if (body.dryRun) return { dryRun: true, ...preview };
        demand(session.player, "rollback:apply");
        const done = await proposeFor(context, session.player.id, { ...ask, reason: body.reason! });
        return { dryRun: false, ...preview, rollback: done.rollback, created: done.created };
      } catch (error) {
        throw rollbackError(error);
      }
    },
  }),
  route({
    method: "POST", path: `${ADMIN_PREFIX}/rollbacks/:id/apply`, operationId: "adminApplyRollback",
    summary: "Admins: apply a proposed rollback, planned again on today's holdings; above the threshold it waits (pending) for a second admin",
    auth: "bearer", policy: "rollback:apply", params: IdParams, status: 200, response: RollbackSchema, errors: [403, 404, 409],
    async handler({ context, session, params }): Promise<Rollback> {
      try {
        return await applyAs(context, session.player.id, params.id);
      } catch (error) {
        throw rollbackError(error);
      }
    },
  }),
  route({
    method: "POST", path: `${ADMIN_PREFIX}/rollbacks/:id/approve`, operationId: "adminApproveRollback",
    summary: "Admins: approve a pending rollback someone else applied (a second admin); it is planned again and applied",
    auth: "bearer", policy: "rollback:approve", params: IdParams, status: 200, response: RollbackSchema, errors: [403, 404, 409],
    async handler({ context, session, params }): Promise<Rollback> {
      try {
        return await approveAs(context, session.player.id, params.id);
      } catch (error) {
        throw rollbackError(error);
      }
    },
  }),
];
