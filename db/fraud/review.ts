/**
 * The review queue of fraud flags (issue 18, ADR 038): open flags newest first with their players
 * and the events that show what happened; a moderator dismisses or escalates one with a reason,
 * recorded as an immutable event (`flag_dismissed` / `flag_escalated` on the stream `flag:<id>`,
 * actor = the operator) in the same transaction. What a flag points at becomes a rollback target.
 */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { appendEvents } from "../ledger/events";
import type { LedgerCtx } from "../ledger/types";
import { fail, type Result } from "../result";
import type { TargetKind } from "../rollbacks";

export type FlagStatus = "open" | "claimed" | "escalated" | "resolved";

export interface ReviewFlag {
  id: string;
  rule: string;
  score: number;
  players: Array<{ id: string; username: string | null }>;
  explanation: string;
  subject: string;
  status: FlagStatus;
  verdict: string | null;
  note: string | null;
  resolvedBy: string | null;
  createdAt: string;
  /** Events that show what the flag is about (for a fill: the market events that name it). */
  evidence: Array<{ eventId: string; type: string; at: string }>;
  /** What a rollback of this flag would target. */
  target: { kind: TargetKind; id: string } | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const flagTarget = (subject: string): ReviewFlag["target"] => {
  const [kind, id] = subject.split(":") as [string, string | undefined];
  return (kind === "fill" || kind === "offer" || kind === "mint") && id ? { kind, id } : null;
};

interface FlagRow {
  id: string; rule: string; score: number; players: Array<{ id: string; username: string | null }>; explanation: string; subject: string;
  status: FlagStatus; verdict: string | null; note: string | null; resolved_by: string | null; created_at: string;
}

/** Unresolved flags (open, claimed, escalated): the moderators' badge. One indexed count. */
export async function unresolvedFlagCount(db: Db): Promise<number> {
  const [n] = await rows<{ n: number }>(db, sql`select count(*)::int as n from fraud_flags where status <> 'resolved'`);
  return n?.n ?? 0;
}

/** Flags newest first: the open ones (open, claimed, escalated) by default, or those of one status. */
export async function listFlags(db: Db, o: { status?: FlagStatus | "unresolved"; limit?: number } = {}): Promise<ReviewFlag[]> {
  const status = o.status ?? "unresolved";
  const where = status === "unresolved" ? sql`f.status <> 'resolved'` : sql`f.status = ${status}`;
  const found = await rows<FlagRow>(db, sql`
    select f.id::text as id, f.rule, f.score, f.explanation, f.subject, f.status, f.verdict, f.note, f.resolved_by,
      to_char(f.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as created_at,
      (select coalesce(jsonb_agg(jsonb_build_object('id', u.id::text, 'username', p.username) order by u.n), '[]'::jsonb)
        from unnest(f.players) with ordinality as u(id, n) left join players p on p.id = u.id) as players
    from fraud_flags f where ${where} order by f.created_at desc, f.id limit ${Math.min(Math.max(o.limit ?? 50, 1), 200)}`);
  return Promise.all(found.map(async (f) => ({
    id: f.id, rule: f.rule, score: f.score, players: f.players, explanation: f.explanation, subject: f.subject, status: f.status,
    verdict: f.verdict, note: f.note, resolvedBy: f.resolved_by, createdAt: f.created_at,
    evidence: await evidenceOf(db, f.subject), target: flagTarget(f.subject),
  })));
}

export async function getFlag(db: Db, id: string): Promise<ReviewFlag | null> {
  if (!UUID.test(id)) return null;
  const [f] = await rows<FlagRow>(db, sql`
    select f.id::text as id, f.rule, f.score, f.explanation, f.subject, f.status, f.verdict, f.note, f.resolved_by,
      to_char(f.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as created_at,
      (select coalesce(jsonb_agg(jsonb_build_object('id', u.id::text, 'username', p.username) order by u.n), '[]'::jsonb)
        from unnest(f.players) with ordinality as u(id, n) left join players p on p.id = u.id) as players
    from fraud_flags f where f.id = ${id}::uuid`);
  return f ? { id: f.id, rule: f.rule, score: f.score, players: f.players, explanation: f.explanation, subject: f.subject, status: f.status,
    verdict: f.verdict, note: f.note, resolvedBy: f.resolved_by, createdAt: f.created_at, evidence: await evidenceOf(db, f.subject), target: flagTarget(f.subject) } : null;
}

/** For a fill: the market events (order_placed / order_amended) whose payload names it, within a minute of it. */
async function evidenceOf(db: Db, subject: string): Promise<ReviewFlag["evidence"]> {
  const target = flagTarget(subject);
  if (!target || target.kind !== "fill" || !/^\d{1,18}$/.test(target.id)) return [];
  return rows<{ eventId: string; type: string; at: string }>(db, sql`
    select e.event_id::text as "eventId", e.type, to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at
    from fills f join events e on e.created_at between f.created_at - interval '1 minute' and f.created_at + interval '1 minute'
      and e.type in ('order_placed', 'order_amended') and e.payload->>'market' = f.market_slug and e.payload->'fills' @> to_jsonb(f.seq)
    where f.id = ${Number(target.id)} order by e.id limit 10`);
}

export type FlagVerdict = "claim" | "dismiss" | "escalate" | "freeze";
export const FLAG_VERDICTS: readonly FlagVerdict[] = ["claim", "dismiss", "escalate", "freeze"];

export interface FlagDecision {
  id: string;
  verdict: FlagVerdict;
  reason: string;
}

const EVENT_OF: Record<FlagVerdict, string> = { claim: "flag_claimed", dismiss: "flag_dismissed", escalate: "flag_escalated", freeze: "flag_frozen" };

/**
 * Claim (claimed: this moderator works on it, so two do not), dismiss (resolved, verdict dismiss),
 * escalate (escalated: an admin looks at a rollback) or freeze (resolved, verdict freeze: the
 * edge froze the flag's players first, edge/operators/review.server.ts) an unresolved flag, with
 * the operator's reason, and one event in the same transaction. Deciding a resolved flag,
 * escalating an escalated one, or claiming one another operator claimed is refused (409) and
 * changes nothing.
 */
export async function decideFlag(db: Db, ctx: LedgerCtx, d: FlagDecision): Promise<Result<{ flag: ReviewFlag }>> {
  const reason = d.reason?.trim() ?? "";
  if (!UUID.test(d.id)) return fail(404, "unknown_flag", `There is no flag ${String(d.id).slice(0, 40)}.`);
  if (!FLAG_VERDICTS.includes(d.verdict)) return fail(400, "bad_verdict", "A flag is claimed, dismissed, escalated or answered with a freeze.");
  if (reason.length < 3 || reason.length > 500) return fail(400, "reason_required", "Say why in a few words (a reason of 3 to 500 characters).");
  return withTx(db, async (tx) => {
    const [row] = await rows<{ status: FlagStatus; claimedBy: string | null }>(tx, sql`select status, claimed_by as "claimedBy" from fraud_flags where id = ${d.id}::uuid for update`);
    if (!row) return fail(404, "unknown_flag", `There is no flag ${d.id}.`);
    if (row.status === "resolved") return fail(409, "flag_resolved", `Flag ${d.id} is already resolved.`);
    if (row.status === "escalated" && d.verdict === "escalate") return fail(409, "flag_escalated", `Flag ${d.id} is already escalated.`);
    if (d.verdict === "claim" && row.status !== "open") {
      return fail(409, "flag_claimed", row.claimedBy === ctx.actor ? `You already work on flag ${d.id}.` : `Flag ${d.id} is ${row.status} by ${row.claimedBy ?? "someone"}.`);
    }
    if (d.verdict === "dismiss" || d.verdict === "freeze") {
      await tx.execute(sql`update fraud_flags set status = 'resolved', verdict = ${d.verdict}, resolved_by = ${ctx.actor}, note = ${reason}, resolved_at = now() where id = ${d.id}::uuid`);
    } else {
      await tx.execute(sql`update fraud_flags set status = ${d.verdict === "claim" ? "claimed" : "escalated"}, claimed_by = ${ctx.actor}, note = ${reason} where id = ${d.id}::uuid`);
    }
    await appendEvents(tx, ctx, [{ stream: `flag:${d.id}`, type: EVENT_OF[d.verdict], payload: { flagId: d.id, from: row.status, reason } }]);
    return { ok: true as const, flag: (await getFlag(tx, d.id))! };
  });
}

/** What a rollback started from an event would target: a mint's event, an offer's settlement, or the first fill a market event names. */
export async function targetOfEvent(db: Db, eventId: string): Promise<{ kind: TargetKind; id: string } | null> {
  if (!UUID.test(eventId)) return null;
  const [e] = await rows<{ type: string; stream: string; market: string | null; seq: string | null }>(db, sql`
    select type, stream, payload->>'market' as market, payload->'fills'->>0 as seq from events where event_id = ${eventId}::uuid`);
  if (!e) return null;
  if (e.type === "minted" || e.type === "item_minted") return { kind: "mint", id: eventId };
  if (e.type === "offer_settled" && e.stream.startsWith("offer:")) return { kind: "offer", id: e.stream.slice("offer:".length) };
  if (e.market && e.seq && /^\d+$/.test(e.seq)) {
    const [f] = await rows<{ id: string }>(db, sql`select id::text as id from fills where market_slug = ${e.market} and seq = ${Number(e.seq)}`);
    if (f) return { kind: "fill", id: f.id };
  }
  return null;
}

/** A rollback proposed from a flag resolves it (verdict rollback), with an event naming the rollback. */
export async function resolveFlagByRollback(db: Db, ctx: LedgerCtx, flagId: string, rollbackId: string): Promise<void> {
  if (!UUID.test(flagId)) return;
  await withTx(db, async (tx) => {
    const [row] = await rows<{ status: FlagStatus }>(tx, sql`select status from fraud_flags where id = ${flagId}::uuid for update`);
    if (!row || row.status === "resolved") return;
    await tx.execute(sql`update fraud_flags set status = 'resolved', verdict = 'rollback', resolved_by = ${ctx.actor}, note = ${`rollback ${rollbackId}`}, resolved_at = now() where id = ${flagId}::uuid`);
    await appendEvents(tx, ctx, [{ stream: `flag:${flagId}`, type: "flag_rolled_back", payload: { flagId, from: row.status, rollbackId } }]);
  });
}
