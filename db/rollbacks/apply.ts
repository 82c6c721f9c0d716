/**
 * Rolling back by compensating events (ADR 024): one `rollback_applied` ledger event on the stream
 * `rollback:<id>` moves back what the plan takes (burns it, for a mint), and the shortfall lands in
 * `debts`. Rows are never edited; no money or item is created. Asking twice for the same target
 * answers the first rollback; a value above the threshold waits for a second admin's approval.
 */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { applyItemChanges, lockItems, record, type ItemChange, type Posting, type SupplyChange } from "../ledger";
import { addBurned } from "../ledger/supply";
import { planRollback, type RollbackPlan } from "./plan";
import { RollbackError, type TargetKind } from "./wants";

export interface Rollback {
  id: string;
  kind: TargetKind;
  targetId: string;
  state: "proposed" | "pending" | "applied" | "canceled";
  reason: string;
  value: number;
  plan: RollbackPlan;
  requestedBy: string;
  approvedBy: string | null;
  createdAt: string;
  appliedAt: string | null;
}

export interface RequestRollback {
  kind: TargetKind;
  targetId: string;
  reason: string;
  /** "operator:<player id>" */
  by: string;
  /** Copper value above which a second admin must approve. */
  approveAbove: number;
}

/** Applies at once at or below the threshold, else records a pending rollback. Idempotent per target. */
export async function requestRollback(db: Db, r: RequestRollback): Promise<{ rollback: Rollback; created: boolean }> {
  if (!["fill", "offer", "mint"].includes(r.kind)) throw new RollbackError(400, "bad_target", `A rollback targets a fill, an offer or a mint; got "${r.kind}".`);
  if (!r.reason?.trim()) throw new RollbackError(400, "reason_required", "A rollback needs a reason.");
  return withTx(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`rollback:${r.kind}:${r.targetId}`}))`);
    const existing = await findRollback(tx, r.kind, r.targetId);
    if (existing) return { rollback: existing, created: false };
    const plan = await planRollback(tx, r.kind, r.targetId, { lock: true });
    const pending = plan.value > r.approveAbove;
    const [row] = await rows<{ id: string }>(tx, sql`
      insert into rollbacks (target_kind, target_id, state, reason, value, plan, requested_by)
      values (${r.kind}, ${r.targetId}, 'pending', ${r.reason.trim()}, ${plan.value}, ${JSON.stringify(plan)}::jsonb, ${r.by}) returning id::text as id`);
    if (!pending) await applyPlan(tx, row!.id, plan, r.by, null);
    return { rollback: (await getRollback(tx, row!.id))!, created: true };
  });
}

/** A second admin (not the one who asked) approves a pending rollback: it is planned again on today's holdings and applied. */
export async function approveRollback(db: Db, a: { id: string; by: string }): Promise<Rollback> {
  if (!/^[0-9a-f-]{36}$/i.test(a.id)) throw new RollbackError(404, "unknown_rollback", `There is no rollback ${a.id.slice(0, 40)}.`);
  return withTx(db, async (tx) => {
    const [row] = await rows<{ state: string; requested_by: string }>(tx, sql`
      select state, requested_by from rollbacks where id = ${a.id}::uuid for update`);
    if (!row) throw new RollbackError(404, "unknown_rollback", `There is no rollback ${a.id}.`);
    if (row.state === "applied") return (await getRollback(tx, a.id))!;
    if (row.state !== "pending") throw new RollbackError(409, "not_pending", `Rollback ${a.id} is ${row.state}.`);
    if (row.requested_by === a.by) throw new RollbackError(409, "same_admin", "A second admin must approve: you asked for this rollback.");
    const current = (await getRollback(tx, a.id))!;
    const plan = await planRollback(tx, current.kind, current.targetId, { lock: true });
    await applyPlan(tx, a.id, plan, current.requestedBy, a.by);
    return (await getRollback(tx, a.id))!;
  });
}

export async function applyPlan(tx: Db, id: string, plan: RollbackPlan, requestedBy: string, approvedBy: string | null): Promise<void> {
  const postings: Posting[] = [];
  const supply: SupplyChange[] = [];
  const changes: ItemChange[] = [];
  const uniques = plan.takes.filter((t) => t.item).map((t) => t.item!);
  const locked = uniques.length ? await lockItems(tx, uniques) : new Map();
  for (const t of plan.takes) {
    if (t.item) {
      const item = locked.get(t.item)!;
      changes.push({ id: item.id, type: item.type, owner: t.to, state: t.to ? "held" : "burned", v: item.version + 1 });
      if (!t.to) supply.push({ asset: t.asset, burned: 1 });
    } else {
      postings.push({ player: t.from, asset: t.asset, available: -t.amount, reserved: 0 });
      if (t.to) postings.push({ player: t.to, asset: t.asset, available: t.amount, reserved: 0 });
      else supply.push({ asset: t.asset, burned: t.amount });
    }
  }
  await applyItemChanges(tx, changes);
  await record(tx, { actor: approvedBy ?? requestedBy }, {
    stream: `rollback:${id}`,
    type: "rollback_applied",
    postings,
    supply,
    items: changes,
    data: { rollbackId: id, target: { kind: plan.kind, id: plan.targetId }, debts: plan.debts, requestedBy, approvedBy },
  });
  for (const s of supply) await addBurned(tx, s.asset, s.burned!);
  for (const d of plan.debts) {
    await tx.execute(sql`insert into debts (player_id, asset, creditor_id, amount, rollback_id)
      values (${d.player}::uuid, ${d.asset}, ${d.creditor}::uuid, ${d.amount}, ${id}::uuid)`);
  }
  await tx.execute(sql`update rollbacks set state = 'applied', plan = ${JSON.stringify(plan)}::jsonb, approved_by = ${approvedBy}, applied_at = now() where id = ${id}::uuid`);
}

export async function findRollback(db: Db, kind: string, targetId: string): Promise<Rollback | null> {
  const [r] = await rows<{ id: string }>(db, sql`select id::text as id from rollbacks where target_kind = ${kind} and target_id = ${targetId} and state <> 'canceled'`);
  return r ? getRollback(db, r.id) : null;
}

export async function getRollback(db: Db, id: string): Promise<Rollback | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [r] = await rows<{ id: string; kind: TargetKind; target_id: string; state: Rollback["state"]; reason: string; value: string; plan: RollbackPlan; requested_by: string; approved_by: string | null; created_at: string; applied_at: string | null }>(db, sql`
    select id::text as id, target_kind as kind, target_id, state, reason, value::text as value, plan, requested_by, approved_by,
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as created_at, to_char(applied_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as applied_at
    from rollbacks where id = ${id}::uuid`);
  return r ? { id: r.id, kind: r.kind, targetId: r.target_id, state: r.state, reason: r.reason, value: Number(r.value), plan: r.plan, requestedBy: r.requested_by, approvedBy: r.approved_by, createdAt: r.created_at, appliedAt: r.applied_at } : null;
}

export async function listRollbacks(db: Db, limit = 50, state?: Rollback["state"]): Promise<Rollback[]> {
  const where = state ? sql`where state = ${state}` : sql``;
  const ids = await rows<{ id: string }>(db, sql`select id::text as id from rollbacks ${where} order by created_at desc limit ${limit}`);
  return (await Promise.all(ids.map((r) => getRollback(db, r.id)))).filter((r): r is Rollback => r !== null);
}

/** A player's open debts: what they owe, per asset. */
export async function openDebts(db: Db, playerId: string): Promise<Array<{ asset: number; owed: number; creditor: string | null }>> {
  return (await rows<{ asset: number; owed: string; creditor: string | null }>(db, sql`
    select asset, (amount - settled)::text as owed, creditor_id::text as creditor from debts
    where player_id = ${playerId}::uuid and settled_at is null order by created_at`)).map((d) => ({ ...d, owed: Number(d.owed) }));
}


