/**
 * Settling a batch planned on remembered amounts, in one statement (ADR 042). The room did not read
 * or lock anything first: the statement's own updates lock the wallets, and the statement fails,
 * changing nothing, unless what it finds is what the plan stood on:
 *   every wallet a funds check looked at holds an amount inside that check's range (ranges.ts);
 *   every row the plan expected to update exists and had room for its debit;
 *   no player who placed or amended is frozen, no player of the batch has an open debt (ADR 038);
 *   the item type has no trading limits (ADR 027: a market with limits is always read first).
 * The failure is SQLSTATE BZ409, raised by bazaar_expect (migration 0036); the room then plans the
 * same commands again on a locked read.
 */
import { sql, type SQL } from "drizzle-orm";
import type { AmountRange } from "../../party/settlement/ranges";
import { CURRENCY, type Posting } from "../ledger";

export const STALE_PLAN = "BZ409";

export interface PlanGuard {
  /** The ranges of the plan's funds checks. */
  ranges: AmountRange[];
  /** Players who placed or amended: not frozen. */
  traders: string[];
  /** Wallets known to exist ("player|asset"): postings to them are updates, the rest may be inserted. */
  known: { has(key: string): boolean };
}

/** Whether an error is the guard's refusal (the plan's amounts changed), not a fault. */
export function isStalePlan(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === STALE_PLAN) return true;
  }
  return false;
}

const key = (p: { player: string; asset: number }) => `${p.player}|${p.asset}`;

/**
 * Splits the netted postings: rows to update (every known row, every row a check looked at, and each
 * trader's balance, with a zero posting where the plan changes nothing: the update is the lock and
 * returns the amount) and credits to rows not known to exist (upserted: a credit is right whatever
 * the row holds). Sorted by player then asset: the ledger's lock order.
 */
export function guardedPostings(postings: Posting[], guard: PlanGuard): { update: Posting[]; insert: Posting[] } {
  const ranged = new Set(guard.ranges.map(key));
  const update: Posting[] = [];
  const insert: Posting[] = [];
  const seen = new Set<string>();
  for (const p of postings) {
    seen.add(key(p));
    const credit = p.available >= 0 && p.reserved >= 0;
    (guard.known.has(key(p)) || ranged.has(key(p)) || !credit ? update : insert).push(p);
  }
  const zero = (player: string, asset: number) => {
    const k = `${player}|${asset}`;
    if (seen.has(k)) return;
    seen.add(k);
    update.push({ player, asset, available: 0, reserved: 0 });
  };
  for (const r of guard.ranges) zero(r.player, r.asset);
  for (const t of guard.traders) zero(t, CURRENCY);
  update.sort((a, b) => (a.player < b.player ? -1 : a.player > b.player ? 1 : a.asset - b.asset));
  return { update, insert };
}

/** The CTE bz: true, or the statement fails with STALE_PLAN. Needs pc and ph with `before` (updatePostings). */
export function guardCte(guard: PlanGuard, update: Posting[], insert: Posting[], itemTypeId: number): SQL {
  const players = `{${[...new Set([...update, ...insert].map((p) => p.player))].join(",")}}`;
  const traders = `{${[...new Set(guard.traders)].join(",")}}`;
  return sql`
    gk as (select * from jsonb_to_recordset(${JSON.stringify(guard.ranges)}::jsonb) as k(player uuid, asset int, lo bigint, hi bigint)),
    gu as (select player, asset, before, frozen from pc union all select player, asset, before, frozen from ph),
    bz as (select bazaar_expect(
      (select count(*) from gu) = ${update.length}
      and not exists (select 1 from gu join gk on gk.player = gu.player and gk.asset = gu.asset
                      where gu.before < gk.lo or (gk.hi is not null and gu.before >= gk.hi))
      and not exists (select 1 from gu where gu.frozen and gu.player = any(${traders}::uuid[]))
      and not exists (select 1 from debts d where d.player_id = any(${players}::uuid[]) and d.settled_at is null)
      and not exists (select 1 from trading_limits where item_type_id = ${itemTypeId}),
      'the amounts this batch was planned on have changed') as ok),`;
}

/** The guarded statement's answer: each updated wallet's amount before the batch, "player|asset|amount". */
export function parseAmounts(text: string | null): Map<string, number> {
  const out = new Map<string, number>();
  if (!text) return out;
  for (const part of text.split(",")) {
    const i = part.lastIndexOf("|");
    out.set(part.slice(0, i), Number(part.slice(i + 1)));
  }
  return out;
}
