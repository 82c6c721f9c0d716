/**
 * The review queue's two steps (ADR 038): a rollback is first *proposed* (its plan stored, nothing
 * moved, a `rollback_proposed` event), then *applied* by an admin: planned again under locks on
 * that moment's holdings and applied at once at or below the value threshold; above it, it waits
 * (`pending`, a `rollback_awaiting_approval` event) for a second admin's approval
 * (approveRollback). One non-canceled rollback per target: proposing twice answers the first.
 */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { appendEvents } from "../ledger/events";
import { applyPlan, findRollback, getRollback, type Rollback } from "./apply";
import { planRollback } from "./plan";
import { RollbackError, type TargetKind } from "./wants";

export async function proposeRollback(db: Db, p: { kind: TargetKind; targetId: string; reason: string; by: string }): Promise<{ rollback: Rollback; created: boolean }> {
  if (!["fill", "offer", "mint"].includes(p.kind)) throw new RollbackError(400, "bad_target", `A rollback targets a fill, an offer or a mint; got "${p.kind}".`);
  const reason = p.reason?.trim() ?? "";
  if (reason.length < 3 || reason.length > 500) throw new RollbackError(400, "reason_required", "A rollback needs a reason (3 to 500 characters).");
  return withTx(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`rollback:${p.kind}:${p.targetId}`}))`);
    const existing = await findRollback(tx, p.kind, p.targetId);
    if (existing) return { rollback: existing, created: false };
    const plan = await planRollback(tx, p.kind, p.targetId);
    const [row] = await rows<{ id: string }>(tx, sql`
      insert into rollbacks (target_kind, target_id, state, reason, value, plan, requested_by)
      values (${p.kind}, ${p.targetId}, 'proposed', ${reason}, ${plan.value}, ${JSON.stringify(plan)}::jsonb, ${p.by}) returning id::text as id`);
    await appendEvents(tx, { actor: p.by }, [{ stream: `rollback:${row!.id}`, type: "rollback_proposed", payload: { rollbackId: row!.id, target: { kind: p.kind, id: p.targetId }, reason, value: plan.value } }]);
    return { rollback: (await getRollback(tx, row!.id))!, created: true };
  });
}

/**
 * An admin applies a proposed rollback: re-planned under locks; applied now when its value is at
 * or below `approveAbove`, else pending a second admin (the applier becomes the requester, so the
 * approver must be someone else). Applying an applied rollback answers it and moves nothing.
 */
export async function applyRollback(db: Db, a: { id: string; by: string; approveAbove: number }): Promise<Rollback> {
  if (!/^[0-9a-f-]{36}$/i.test(a.id)) throw new RollbackError(404, "unknown_rollback", `There is no rollback ${a.id.slice(0, 40)}.`);
  return withTx(db, async (tx) => {
    const [row] = await rows<{ state: Rollback["state"] }>(tx, sql`select state from rollbacks where id = ${a.id}::uuid for update`);
    if (!row) throw new RollbackError(404, "unknown_rollback", `There is no rollback ${a.id}.`);
    if (row.state === "applied" || row.state === "pending") return (await getRollback(tx, a.id))!;
    if (row.state !== "proposed") throw new RollbackError(409, "not_proposed", `Rollback ${a.id} is ${row.state}.`);
    const current = (await getRollback(tx, a.id))!;
    const plan = await planRollback(tx, current.kind, current.targetId, { lock: true });
    if (plan.value > a.approveAbove) {
      await tx.execute(sql`update rollbacks set state = 'pending', requested_by = ${a.by}, value = ${plan.value}, plan = ${JSON.stringify(plan)}::jsonb where id = ${a.id}::uuid`);
      await appendEvents(tx, { actor: a.by }, [{ stream: `rollback:${a.id}`, type: "rollback_awaiting_approval", payload: { rollbackId: a.id, value: plan.value, threshold: a.approveAbove } }]);
    } else {
      await tx.execute(sql`update rollbacks set value = ${plan.value}, requested_by = ${a.by} where id = ${a.id}::uuid`);
      await applyPlan(tx, a.id, plan, a.by, null);
    }
    return (await getRollback(tx, a.id))!;
  });
}
