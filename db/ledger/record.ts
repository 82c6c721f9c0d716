/**
 * record(): the one write path for money and items. In the caller's transaction it checks that the
 * entry conserves every asset, applies postings and item changes to the read models with set-based
 * SQL (rows locked in a fixed order), and appends the event. Anything it cannot do throws
 * LedgerError, which rolls the whole transaction back.
 */
import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../db";
import { appendEvents, type NewEvent } from "./events";
import { CURRENCY, LedgerError, type LedgerCtx, type LedgerEntry, type Posting } from "./types";

export async function record(tx: Db, ctx: LedgerCtx, entry: LedgerEntry): Promise<void> {
  await recordMany(tx, ctx, [entry]);
}

/**
 * Many entries at once (a market batch): each entry is checked for conservation and becomes its own
 * event, but the postings of all of them are netted and applied in one statement per table.
 */
export async function recordMany(tx: Db, ctx: LedgerCtx, entries: LedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const postings = checkEntries(entries);
  await applyPostings(tx, postings);
  await appendEvents(tx, ctx, entryEvents(entries));
}

/** Checks each entry's conservation; returns all their postings netted (sorted: the lock order). */
export function checkEntries(entries: LedgerEntry[]): Posting[] {
  for (const entry of entries) checkConservation(entry, net(entry.postings ?? []));
  return net(entries.flatMap((e) => e.postings ?? []));
}

/** Each entry as its event: the data, plus what replay folds (postings, items) and check:ledger sums (supply). */
export function entryEvents(entries: LedgerEntry[]): NewEvent[] {
  return entries.map((entry) => ({
    stream: entry.stream,
    type: entry.type,
    payload: {
      ...entry.data,
      ...(entry.postings?.length ? { postings: entry.postings } : {}),
      ...(entry.supply?.length ? { supply: entry.supply } : {}),
      ...(entry.items?.length ? { items: entry.items } : {}),
    },
  }));
}

/** Merge postings per (player, asset), drop zeroes, sort for a fixed lock order. */
export function net(postings: Posting[]): Posting[] {
  const merged = new Map<string, Posting>();
  for (const p of postings) {
    for (const n of [p.available, p.reserved]) {
      if (!Number.isSafeInteger(n)) throw new LedgerError("invalid_amount", `amount ${n} is not a safe integer`, 400);
    }
    const key = `${p.player}|${p.asset}`;
    const m = merged.get(key);
    if (m) {
      m.available += p.available;
      m.reserved += p.reserved;
    } else merged.set(key, { ...p });
  }
  return [...merged.values()]
    .filter((p) => p.available !== 0 || p.reserved !== 0)
    .sort((a, b) => (a.player < b.player ? -1 : a.player > b.player ? 1 : a.asset - b.asset));
}

/** Per asset: what holders gain in total equals what was minted minus burned minus sunk. */
function checkConservation(entry: LedgerEntry, postings: Posting[]): void {
  const balance = new Map<number, number>();
  const add = (asset: number, n: number) => balance.set(asset, (balance.get(asset) ?? 0) + n);
  for (const p of postings) add(p.asset, p.available + p.reserved);
  const uniqueTypes = new Set((entry.items ?? []).map((i) => i.type));
  for (const s of entry.supply ?? []) {
    if (uniqueTypes.has(s.asset)) continue; // unique supply is counted in item rows, not postings
    add(s.asset, -(s.minted ?? 0) + (s.burned ?? 0) + (s.sunk ?? 0));
  }
  for (const [asset, n] of balance) {
    if (n !== 0) throw new LedgerError("unbalanced", `${entry.type} would create or destroy ${n} of asset ${asset}`);
  }
}

/**
 * One statement updates every posting whose row exists: balances first, then holdings (the
 * holdings part waits on the balances part, keeping the global lock order), rows visited in sorted
 * order. A debit that finds too little updates nothing and is reported by name; credits to rows
 * that do not exist yet are inserted.
 */
async function applyPostings(tx: Db, postings: Posting[]): Promise<void> {
  if (postings.length === 0) return;
  const updated = await rows<{ player: string; asset: number }>(tx, sql`
    with ${updatePostings(postings)}
    select player::text as player, asset from pc union all select player::text as player, asset from ph`);
  const missing = notUpdated(postings, updated.map((r) => `${r.player}|${r.asset}`));
  if (missing.length === 0) return;
  refuseShortfall(missing);
  const { currency, items } = splitByAsset(missing);
  try {
    await tx.execute(sql`with ${insertPostings(currency, items)} select 1`);
  } catch (error) {
    throw mapForeignKey(error);
  }
}

/**
 * CTEs pd, pc (balances updated) and ph (holdings updated): a row whose amount would go negative is
 * not updated. `before`: each updated row also returns its available amount before the update (the
 * locked amount: an update waits for, and applies to, the row's latest version) and, for balances,
 * whether the wallet is frozen (ADR 042).
 */
export function updatePostings(postings: Posting[], before = false): SQL {
  const seen = (t: "b" | "h") => (before ? sql.raw(`, ${t}.available - d.available as before, ${t === "b" ? "b.frozen" : "false"} as frozen`) : sql``);
  return sql`
    pd as (select * from jsonb_to_recordset(${JSON.stringify(postings)}::jsonb) as x(player uuid, asset int, available bigint, reserved bigint)),${before ? lockFirst(postings) : sql``}
    pc as (
      update balances b set available = b.available + d.available, reserved = b.reserved + d.reserved
      from (select * from pd where asset = 0${before ? sql` and (select count(*) from pl) >= 0` : sql``} order by player) d
      where b.player_id = d.player and b.available + d.available >= 0 and b.reserved + d.reserved >= 0
      returning d.player, d.asset${seen("b")}),
    ph as (
      update holdings h set available = h.available + d.available, reserved = h.reserved + d.reserved
      from (select * from pd where asset <> 0 and (select count(*) from pc) >= 0 order by player, asset) d
      where h.player_id = d.player and h.item_type_id = d.asset
        and h.available + d.available >= 0 and h.reserved + d.reserved >= 0
      returning d.player, d.asset${seen("h")})`;
}

/**
 * CTE pl: the balances, then the holdings, locked in sorted order before the updates run (their
 * join may visit rows in any order). Only where no earlier statement of the transaction locked them
 * (a batch settled in one statement, ADR 042).
 */
function lockFirst(postings: Posting[]): SQL {
  const ids = (xs: Posting[]) => `{${[...new Set(xs.map((p) => p.player))].sort().join(",")}}`;
  const currency = postings.filter((p) => p.asset === CURRENCY);
  const items = postings.filter((p) => p.asset !== CURRENCY);
  const assets = `{${[...new Set(items.map((p) => p.asset))].join(",")}}`;
  return sql`
    plb as (select player_id from balances where player_id = any(${ids(currency)}::uuid[]) order by player_id for update),
    pl as (select player_id from holdings where player_id = any(${ids(items)}::uuid[]) and item_type_id = any(${assets}::int[])
           and (select count(*) from plb) >= 0 order by player_id, item_type_id for update),`;
}

/** CTEs pic and pih: credits to balances and holdings rows that did not exist (upserts, sorted; pih waits on pic: the lock order). */
export function insertPostings(currency: Posting[], items: Posting[]): SQL {
  return sql`
    pic as (
      insert into balances (player_id, available, reserved)
      select d.player, d.available, d.reserved
      from jsonb_to_recordset(${JSON.stringify(currency)}::jsonb) as d(player uuid, asset int, available bigint, reserved bigint)
      order by d.player
      on conflict (player_id) do update set available = balances.available + excluded.available,
        reserved = balances.reserved + excluded.reserved
      returning 1),
    pih as (
      insert into holdings (player_id, item_type_id, available, reserved)
      select d.player, d.asset, d.available, d.reserved
      from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as d(player uuid, asset int, available bigint, reserved bigint)
      where (select count(*) from pic) >= 0
      order by d.player, d.asset
      on conflict (player_id, item_type_id) do update set available = holdings.available + excluded.available,
        reserved = holdings.reserved + excluded.reserved
      returning 1)`;
}

/** The postings whose "player|asset" is not among the keys updated. */
export function notUpdated(postings: Posting[], updatedKeys: string[]): Posting[] {
  const done = new Set(updatedKeys);
  return postings.filter((p) => !done.has(`${p.player}|${p.asset}`));
}

export function splitByAsset(postings: Posting[]): { currency: Posting[]; items: Posting[] } {
  return { currency: postings.filter((p) => p.asset === CURRENCY), items: postings.filter((p) => p.asset !== CURRENCY) };
}

/** A debit that could not be applied (too little, or no row at all) refuses the entry by name. */
export function refuseShortfall(postings: Posting[]): void {
  const short = postings.find((p) => p.available < 0 || p.reserved < 0);
  if (!short) return;
  const what = short.asset === CURRENCY ? "currency" : `items of type ${short.asset}`;
  const side = short.available < 0 ? "available" : "reserved";
  throw new LedgerError(
    short.asset === CURRENCY ? "insufficient_funds" : "insufficient_items",
    `player ${short.player} has insufficient ${side} ${what} (needs ${-Math.min(short.available, short.reserved)})`,
  );
}

export function mapForeignKey(error: unknown): unknown {
  const text = String((error as { cause?: { detail?: string } })?.cause?.detail ?? (error as Error)?.message ?? "");
  if (/player_id/.test(text) && /not present|foreign key/.test(text)) return new LedgerError("unknown_player", "no such player");
  if (/item_type_id/.test(text) && /not present|foreign key/.test(text)) return new LedgerError("unknown_item_type", "no such item type");
  return error;
}
