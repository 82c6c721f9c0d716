/**
 * The economy's trades and positions projections (db/economy, consumers of the event feed) and the
 * figures read from them, against brute force from the raw events on a randomized history of mints,
 * burns and market trades in three markets, with the consumers run at random moments: hourly volumes
 * and prices, every player's position, money supply, supply per item, velocity, Gini and top shares
 * (by the O(n^2) definition), market volumes and movers; a rebuild from the events gives the same.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import { rebuild, runConsumer } from "../../db/consumers/run";
import { ECONOMY_CONSUMERS } from "../../db/economy/consumers";
import { readEconomyFigures } from "../../db/economy/figures";
import { readPositions } from "../../db/economy/positions";
import { readTradeHours } from "../../db/economy/trades";
import * as ledger from "../../db/ledger";
import { CURRENCY } from "../../db/ledger";
import { MarketSession } from "../../party/market/session";
import { openTestDb, type TestDb } from "../support/db";
import { consumeAll } from "../support/feed";
import { addMarket, fundedTrader } from "../support/market";
import { prng } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 8 });
});
afterAll(async () => t?.close());

// Pages of 9: ids and transaction ids cross digit boundaries (9 -> 10, 999 -> 1000) inside and between pages.
const runAll = async () => {
  for (const c of ECONOMY_CONSUMERS) await runConsumer(t.db, c, 9);
};

it(`trades, positions and figures equal brute force from the raw events, also after a rebuild (${process.env.TEST_DB ?? "pglite"})`, async () => {
  const rand = prng(1919);
  const markets = await Promise.all([0, 1, 2].map(() => addMarket(t.db, { makerBps: 50, takerBps: 100 })));
  const items = markets.map((m) => m.itemTypeId);
  const traders = [];
  for (let i = 0; i < 8; i++) traders.push(await fundedTrader(t.db, items, 50_000 + i * 40_000, 200 + i * 50));
  const sessions = await Promise.all(markets.map((m) => MarketSession.open(() => t.db, m.slug).then((s) => s!)));
  let trades = 0;
  for (let step = 0; step < 90; step++) {
    const roll = rand();
    const player = traders[Math.floor(rand() * traders.length)]!;
    if (roll < 0.15) {
      await withTx(t.db, (tx) => ledger.mint(tx, { actor: "server:loot" }, { playerId: player, asset: CURRENCY, amount: 1 + Math.floor(rand() * 5_000), reason: "quest reward" }));
    } else if (roll < 0.2) {
      await withTx(t.db, (tx) => ledger.burn(tx, { actor: "server:loot" }, { playerId: player, asset: items[0]!, amount: 1 + Math.floor(rand() * 5) })).catch(() => undefined);
    } else {
      const m = Math.floor(rand() * markets.length);
      const other = traders[(traders.indexOf(player) + 1 + Math.floor(rand() * (traders.length - 1))) % traders.length]!;
      const price = 90 + m * 100 + Math.floor(rand() * 40);
      const quantity = 1 + Math.floor(rand() * 6);
      const side = rand() < 0.5 ? "buy" : "sell";
      const place = (p: string, s: "buy" | "sell") => sessions[m]!.submit({ type: "place", playerId: p, clientOrderId: crypto.randomUUID(), side: s, orderType: "limit", price, quantity });
      await place(player, side);
      const took = await place(other, side === "buy" ? "sell" : "buy");
      trades += took.fills?.length ?? 0;
    }
    if (rand() < 0.15) await runAll();
  }
  expect(trades).toBeGreaterThan(40);
  // Every event in: one run may stop short while another file's transaction runs (shared Postgres).
  for (const c of ECONOMY_CONSUMERS) await consumeAll(t.db, c, 9);

  // Brute force: every event in the feed's order, every fill.
  const events = await rows<{ type: string; payload: Record<string, unknown>; at: string }>(t.db, sql`
    select type, payload, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24') as at from events order by events.tx, events.id`);
  const fills = await rows<{ market: string; seq: string; price: string; quantity: string }>(t.db, sql`select market_slug as market, seq::text as seq, price::text as price, quantity::text as quantity from fills`);
  const fillOf = new Map(fills.map((f) => [`${f.market}|${f.seq}`, { price: Number(f.price), quantity: Number(f.quantity) }]));
  const itemOf = new Map(markets.map((m) => [m.slug, m.itemTypeId]));
  const hours = new Map<string, { hour: string; item: number; trades: number; quantity: number; notional: number; open: number; high: number; low: number; close: number }>();
  const positions = new Map<string, number>();
  let minted = 0;
  for (const e of events) {
    for (const p of (e.payload.postings as Array<{ player: string; asset: number; available: number; reserved: number }> | undefined) ?? []) {
      positions.set(`${p.player}|${p.asset}`, (positions.get(`${p.player}|${p.asset}`) ?? 0) + p.available + p.reserved);
    }
    for (const s of (e.payload.supply as Array<{ asset: number; minted?: number; burned?: number; sunk?: number }> | undefined) ?? []) {
      if (s.asset === CURRENCY) minted += (s.minted ?? 0) - (s.burned ?? 0) - (s.sunk ?? 0);
    }
    if (e.type !== "order_placed" && e.type !== "order_amended") continue;
    for (const seq of (e.payload.fills as number[] | undefined) ?? []) {
      const market = e.payload.market as string;
      const f = fillOf.get(`${market}|${seq}`)!;
      const item = itemOf.get(market)!;
      const key = `${e.at}|${item}`;
      const h = hours.get(key);
      if (!h) hours.set(key, { hour: `${e.at}:00:00Z`, item, trades: 1, quantity: f.quantity, notional: f.price * f.quantity, open: f.price, high: f.price, low: f.price, close: f.price });
      else Object.assign(h, { trades: h.trades + 1, quantity: h.quantity + f.quantity, notional: h.notional + f.price * f.quantity, high: Math.max(h.high, f.price), low: Math.min(h.low, f.price), close: f.price });
    }
  }
  const wantHours = [...hours.values()].sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.item - b.item));
  const liveHours = await readTradeHours(t.db);
  expect(liveHours).toEqual(wantHours);
  expect(liveHours.reduce((s, h) => s + h.trades, 0)).toBe(fills.length);

  const wantPositions = [...positions].filter(([, n]) => n !== 0).map(([k, amount]) => ({ player: k.split("|")[0]!, asset: Number(k.split("|")[1]), amount }))
    .sort((a, b) => (a.player < b.player ? -1 : a.player > b.player ? 1 : a.asset - b.asset));
  const livePositions = await readPositions(t.db);
  expect(livePositions).toEqual(wantPositions);
  // ... and they are what the read models hold.
  const held = await rows<{ n: string }>(t.db, sql`select (select sum(available + reserved) from balances)::text as n`);
  expect(livePositions.filter((p) => p.asset === CURRENCY).reduce((s, p) => s + p.amount, 0)).toBe(Number(held[0]!.n));

  // Figures over all time, against definitions.
  const fig = await readEconomyFigures(t.db, "all");
  expect(fig.moneySupply).toBe(minted);
  const traded = fills.reduce((s, f) => s + Number(f.price) * Number(f.quantity), 0);
  expect(fig.tradedValue).toBe(traded);
  expect(fig.velocity).toBe(Math.round((traded / minted) * 10_000) / 10_000);
  const lastPrice = new Map<number, number>();
  for (const h of wantHours) lastPrice.set(h.item, h.close);
  const worthOf = new Map<string, number>();
  for (const p of wantPositions) worthOf.set(p.player, (worthOf.get(p.player) ?? 0) + (p.asset === CURRENCY ? p.amount : p.amount * (lastPrice.get(p.asset) ?? 0)));
  const worth = [...worthOf.values()].filter((w) => w > 0);
  let diff = 0;
  for (const a of worth) for (const b of worth) diff += Math.abs(a - b);
  const mean = worth.reduce((s, w) => s + w, 0) / worth.length;
  expect(fig.wealth.players).toBe(worth.length);
  expect(fig.wealth.gini).toBeCloseTo(diff / (2 * worth.length ** 2 * mean), 4);
  const sorted = [...worth].sort((a, b) => b - a);
  expect(fig.wealth.top1).toBeCloseTo(sorted[0]! / worth.reduce((s, w) => s + w, 0), 4);
  expect(fig.markets.map((m) => m.item).sort()).toEqual([...items].sort());
  for (const m of fig.markets) {
    const mine = wantHours.filter((h) => h.item === m.item);
    expect(m.quantity).toBe(mine.reduce((s, h) => s + h.quantity, 0));
    expect(m.close).toBe(mine.at(-1)!.close);
    expect(m.changeBps).toBe(Math.round(((m.close - mine[0]!.open) * 10_000) / mine[0]!.open));
  }
  expect(fig.priceIndex.points[0]!.index).toBe(100);
  for (const item of items) {
    const supply = wantPositions.filter((p) => p.asset === item).reduce((s, p) => s + p.amount, 0);
    expect(fig.supply.find((s) => s.asset === item)?.supply).toBe(supply);
  }

  // One command's worth: rebuilding every projection from the events gives the same numbers.
  for (const c of ECONOMY_CONSUMERS) {
    await rebuild(t.db, c);
    await consumeAll(t.db, c);
  }
  expect(await readTradeHours(t.db)).toEqual(liveHours);
  expect(await readPositions(t.db)).toEqual(livePositions);
  expect(await readEconomyFigures(t.db, "all")).toEqual(fig);
}, 180_000);
