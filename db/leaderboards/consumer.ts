/**
 * The leaderboards' projection (leaderboard_scores, leaderboard_lots), kept by a consumer of the
 * event feed, never by the market batch: the fills each market event names (as economy_trades
 * reads them) give every trader's traded value and, against the FIFO lots of their purchases, the
 * realised profit of their sales, added to the day, week and all-time rows of the event's time;
 * net worth (copper + stacks at each market's last price) is recomputed for every player after
 * each page. The upserts return the rows that changed, with their new absolute scores, for the
 * Redis copy (edge/leaderboards): afterCommit writes them there once the page has committed.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { Consumer } from "../consumers/run";
import { namedFills } from "../economy/trades";
import { bought, realised, sold, type Lot } from "./fifo";
import { periodsAt, type Board } from "./periods";

export const LEADERBOARD_CONSUMER = "leaderboards";

export interface ScoreRow {
  board: Board;
  period: string;
  player: string;
  score: number;
}

interface FillRow {
  hour: string;
  item: number;
  maker: string;
  taker: string;
  taker_side: "buy" | "sell";
  price: string;
  quantity: string;
  maker_fee: string;
  taker_fee: string;
}

const returned = (found: Array<{ board: string; period: string; player: string; score: string }>): ScoreRow[] =>
  found.map((r) => ({ board: r.board as Board, period: r.period, player: r.player, score: Number(r.score) }));

async function applyFills(tx: Db, named: ReturnType<typeof namedFills>): Promise<ScoreRow[]> {
  if (named.length === 0) return [];
  const fills = await rows<FillRow>(tx, sql`
    with f as (select * from jsonb_to_recordset(${JSON.stringify(named)}::jsonb) as x(market text, seq bigint, hour text, ord int))
    select f.hour, m.item_type_id as item, fi.maker_player_id::text as maker, fi.taker_player_id::text as taker, fi.taker_side,
      fi.price::text as price, fi.quantity::text as quantity, fi.maker_fee::text as maker_fee, fi.taker_fee::text as taker_fee
    from f join fills fi on fi.market_slug = f.market and fi.seq = f.seq join markets m on m.slug = f.market
    order by f.ord`);
  const pairs = new Set<string>();
  for (const f of fills) pairs.add(`${f.maker}|${f.item}`).add(`${f.taker}|${f.item}`);
  const keys = [...pairs].map((k) => ({ player: k.split("|")[0], item: Number(k.split("|")[1]) }));
  const held = await rows<{ player: string; item: number; lots: Lot[] }>(tx, sql`
    select l.player_id::text as player, l.item_type_id as item, l.lots from leaderboard_lots l
    join jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(player uuid, item int) on l.player_id = k.player and l.item_type_id = k.item`);
  const lots = new Map<string, Lot[]>(keys.map((k) => [`${k.player}|${k.item}`, []]));
  for (const h of held) lots.set(`${h.player}|${Number(h.item)}`, h.lots);

  const deltas = new Map<string, ScoreRow>();
  const add = (board: Board, periods: string[], player: string, amount: number) => {
    for (const period of periods) {
      const key = `${board}|${period}|${player}`;
      const d = deltas.get(key) ?? { board, period, player, score: 0 };
      d.score += amount;
      deltas.set(key, d);
    }
  };
  for (const f of fills) {
    const price = Number(f.price);
    const quantity = Number(f.quantity);
    const notional = price * quantity;
    const buyer = f.taker_side === "buy" ? f.taker : f.maker;
    const seller = f.taker_side === "buy" ? f.maker : f.taker;
    const buyerFee = Number(f.taker_side === "buy" ? f.taker_fee : f.maker_fee);
    const sellerFee = Number(f.taker_side === "buy" ? f.maker_fee : f.taker_fee);
    const periods = periodsAt(f.hour);
    add("volume", periods, buyer, notional);
    add("volume", periods, seller, notional);
    const buyerKey = `${buyer}|${f.item}`;
    lots.set(buyerKey, bought(lots.get(buyerKey)!, quantity, notional + buyerFee));
    const sellerKey = `${seller}|${f.item}`;
    const sale = sold(lots.get(sellerKey)!, quantity);
    lots.set(sellerKey, sale.lots);
    add("profit", periods, seller, realised(notional, sellerFee, sale.cost));
  }

  const lotRows = [...lots].map(([k, l]) => ({ player: k.split("|")[0], item: Number(k.split("|")[1]), lots: l }));
  await tx.execute(sql`
    insert into leaderboard_lots (player_id, item_type_id, lots)
    select x.player, x.item, x.lots from jsonb_to_recordset(${JSON.stringify(lotRows)}::jsonb) as x(player uuid, item int, lots jsonb)
    order by x.player, x.item
    on conflict (player_id, item_type_id) do update set lots = excluded.lots`);
  // Every (board, period, player) a fill touched is returned, also one whose sum did not move (a
  // profit of 0): the Redis copy then holds a member for everyone who traded in the window.
  const changed = await rows<{ board: string; period: string; player: string; score: string }>(tx, sql`
    insert into leaderboard_scores (board, period, player_id, score)
    select x.board, x.period, x.player, x.score from jsonb_to_recordset(${JSON.stringify([...deltas.values()])}::jsonb) as x(board text, period text, player uuid, score bigint)
    order by x.board, x.period, x.player
    on conflict (board, period, player_id) do update set score = leaderboard_scores.score + excluded.score
    returning board, period, player_id::text as player, score::text as score`);
  return returned(changed);
}

/** Net worth now for every player with a wallet: copper held + each stack at its market's last price. */
async function refreshWorth(tx: Db): Promise<ScoreRow[]> {
  const changed = await rows<{ board: string; period: string; player: string; score: string }>(tx, sql`
    with last as (
      select m.item_type_id, (select fi.price from fills fi where fi.market_slug = m.slug order by fi.seq desc limit 1) as price from markets m),
    stacks as (
      select h.player_id, sum((h.available + h.reserved) * l.price) as value from holdings h join last l on l.item_type_id = h.item_type_id
      where l.price is not null group by h.player_id),
    w as (select b.player_id, b.available + b.reserved + coalesce(s.value, 0) as score from balances b left join stacks s on s.player_id = b.player_id)
    insert into leaderboard_scores (board, period, player_id, score)
    select 'worth', 'all', w.player_id, w.score from w order by w.player_id
    on conflict (board, period, player_id) do update set score = excluded.score where leaderboard_scores.score is distinct from excluded.score
    returning board, period, player_id::text as player, score::text as score`);
  return returned(changed);
}

/**
 * The consumer. `onCommit` (the Redis copy) gets the rows a page changed once it has committed, and
 * the consumer's new cursor and the one the page started from; without it (the rebuild command) only Postgres is written.
 */
export function leaderboardConsumer(onCommit?: (changed: ScoreRow[], cursor: string, previous: string) => Promise<void>): Consumer {
  return {
    name: LEADERBOARD_CONSUMER,
    types: [],
    async apply(tx, events) {
      const fills = await applyFills(tx, namedFills(events));
      const worth = events.some((e) => Array.isArray(e.payload.postings)) || fills.length > 0 ? await refreshWorth(tx) : [];
      return [...fills, ...worth];
    },
    async reset(tx) {
      await tx.execute(sql`delete from leaderboard_scores`);
      await tx.execute(sql`delete from leaderboard_lots`);
    },
    ...(onCommit ? { afterCommit: (applied: unknown, cursor: string, previous: string) => onCommit((applied as ScoreRow[] | undefined) ?? [], cursor, previous) } : {}),
  };
}

/** Every score of a board's period, highest first (ties by player id, descending, as Redis ranks them). */
export async function readScores(db: Db, board: Board, period: string): Promise<ScoreRow[]> {
  const found = await rows<{ board: string; period: string; player: string; score: string }>(db, sql`
    select board, period, player_id::text as player, score::text as score from leaderboard_scores
    where board = ${board} and period = ${period}
    -- Qualified: a bare "score" would be the text column selected above ("9" above "10").
    order by leaderboard_scores.score desc, leaderboard_scores.player_id::text desc`);
  return returned(found);
}

/**
 * The consumer's cursor ("none" before its first run), the version the Redis copy is marked with,
 * and when it last moved (the boards are as of then).
 */
export async function readLeaderboardCursor(db: Db): Promise<{ cursor: string; asOf: string | null }> {
  const [row] = await rows<{ cursor: string; at: string }>(db, sql`
    select cursor, to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at from consumer_cursors where name = ${LEADERBOARD_CONSUMER}`);
  return { cursor: row?.cursor ?? "none", asOf: row?.at ?? null };
}
