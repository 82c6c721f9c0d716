/** Assertions shared by the room suites: money safety and book = committed state. */
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows, type Db } from "../../db/db";
import { myFills } from "../../db/market/read";

export async function expectMoneySafe(db: Db, players: string[]): Promise<void> {
  const [neg] = await rows<{ n: number }>(db, sql`
    select ((select count(*) from balances where available < 0 or reserved < 0)
      + (select count(*) from holdings where available < 0 or reserved < 0))::int as n`);
  expect(neg!.n).toBe(0);
  // What is reserved equals what open orders hold: nothing stuck, nothing double-spent.
  const [r] = await rows<{ cur: string; curOrders: string; items: string; itemOrders: string }>(db, sql`
    select (select coalesce(sum(reserved), 0) from balances)::text as cur,
      (select coalesce(sum(reserved), 0) from orders where status = 'open' and side = 'buy')::text as "curOrders",
      (select coalesce(sum(reserved), 0) from holdings)::text as items,
      (select coalesce(sum(reserved), 0) from orders where status = 'open' and side = 'sell')::text as "itemOrders"`);
  expect({ cur: r!.cur, items: r!.items }).toEqual({ cur: r!.curOrders, items: r!.itemOrders });
  const report = await checkLedger(db);
  expect(report.problems).toEqual([]);
  expect((await replay(db)).differences).toEqual([]);
  // Every fill appears once in the maker's and once in the taker's history.
  const [fillCount] = await rows<{ total: number }>(db, sql`select count(*)::int as total from fills`);
  const total = fillCount!.total;
  let seen = 0;
  for (const p of players) {
    const mine = await myFills(db, { playerId: p, limit: 500 });
    const keys = mine.map((f) => `${f.market}:${f.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
    const [n] = await rows<{ n: number }>(db, sql`
      select (count(*) filter (where maker_player_id = ${p}) + count(*) filter (where taker_player_id = ${p}) - count(*) filter (where maker_player_id = ${p} and taker_player_id = ${p}))::int as n from fills`);
    expect(Math.min(n!.n, 500)).toBe(mine.length);
    seen += n!.n;
  }
  expect(seen).toBeGreaterThanOrEqual(total);
}

/** The room's published book equals the open orders committed in Postgres. */
export async function expectBookMatchesDb(db: Db, partyUrl: string, slug: string): Promise<void> {
  const book = (await (await fetch(`${partyUrl}/parties/main/${slug}?depth=500`)).json()) as { bids: number[][]; asks: number[][] };
  const levels = await rows<{ side: string; price: string; total: string }>(db, sql`
    select side, price::text, sum(remaining)::text as total from orders where market_slug = ${slug} and status = 'open'
    group by side, price order by side, price`);
  const fromDb = {
    bids: levels.filter((l) => l.side === "buy").map((l) => [Number(l.price), Number(l.total)]).sort((a, b) => b[0]! - a[0]!),
    asks: levels.filter((l) => l.side === "sell").map((l) => [Number(l.price), Number(l.total)]).sort((a, b) => a[0]! - b[0]!),
  };
  expect({ bids: book.bids, asks: book.asks }).toEqual(fromDb);
}
