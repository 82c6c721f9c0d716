/**
 * Leaderboards (db/leaderboards, edge/leaderboards, ADR 033) on the machine's Redis through the
 * Upstash-protocol server: a randomized market storm in three markets, the feed's consumers run at
 * random moments (pages of 9), this test's Redis keys deleted mid-run; afterwards every board, in
 * Postgres and in Redis, equals brute force from the ledger (fills in each market's order with a
 * FIFO cost basis written here apart; net worth from balances, holdings and last prices), also
 * after another flush and after a rebuild from the events. Only this test's key prefix is deleted.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import { rebuild, runConsumer } from "../../db/consumers/run";
import { ECONOMY_CONSUMERS } from "../../db/economy/consumers";
import { leaderboardConsumer, readScores } from "../../db/leaderboards/consumer";
import { dayPeriod, weekPeriod, type Board } from "../../db/leaderboards/periods";
import * as ledger from "../../db/ledger";
import { CURRENCY } from "../../db/ledger";
import { boardsConsumer, copyBoards, rankOf, topOf, type Boards } from "../../edge/leaderboards/boards.server";
import { createRedis } from "../../edge/redis.server";
import { MarketSession } from "../../party/market/session";
import { connectResp } from "../../scripts/resp";
import { startUpstashLocal, type UpstashLocal } from "../../scripts/upstash-local";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader } from "../support/market";
import { consumeAll } from "../support/feed";
import { prng } from "../support/world";

const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `bazaar-test:lb:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 7)}:`;
let t: TestDb;
let local: UpstashLocal;
let boards: Boards;

/** Deletes this test's keys (never anything else in the shared Redis). */
async function flushPrefix(): Promise<number> {
  const r = await connectResp(redisUrl);
  try {
    const keys = (await r.send(["KEYS", `${prefix}*`])) as string[];
    if (keys.length) await r.send(["DEL", ...keys]);
    return keys.length;
  } finally {
    await r.close();
  }
}

beforeAll(async () => {
  t = await openTestDb({ poolSize: 8 });
  local = await startUpstashLocal({ port: 0, token: "test-token", redisUrl });
  boards = { db: t.db, redis: createRedis({ UPSTASH_REDIS_REST_URL: local.url, UPSTASH_REDIS_REST_TOKEN: local.token }), prefix };
});
afterAll(async () => {
  if (local) {
    await flushPrefix();
    await local.close();
  }
  await t?.close();
});

type Lot = [number, number];
interface Want {
  /** `${board}|${period}` -> player -> score */
  boards: Map<string, Map<string, number>>;
}

/** Brute force from the ledger: every fill in its market's order; worth from the read models now. */
async function bruteForce(): Promise<Want> {
  const fills = await rows<Record<string, string>>(t.db, sql`
    select f.market_slug as market, m.item_type_id::text as item, f.maker_player_id::text as maker, f.taker_player_id::text as taker,
      f.taker_side as side, f.price::text as price, f.quantity::text as quantity, f.maker_fee::text as maker_fee, f.taker_fee::text as taker_fee,
      to_char(f.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at
    from fills f join markets m on m.slug = f.market_slug order by f.market_slug, f.seq`);
  const out = new Map<string, Map<string, number>>();
  const add = (board: Board, at: string, player: string, n: number) => {
    for (const period of ["all", dayPeriod(at), weekPeriod(at)]) {
      const key = `${board}|${period}`;
      const m = out.get(key) ?? new Map<string, number>();
      m.set(player, (m.get(player) ?? 0) + n);
      out.set(key, m);
    }
  };
  const lots = new Map<string, Lot[]>();
  for (const f of fills) {
    const [price, quantity] = [Number(f.price), Number(f.quantity)];
    const buyer = f.side === "buy" ? f.taker! : f.maker!;
    const seller = f.side === "buy" ? f.maker! : f.taker!;
    const buyerFee = Number(f.side === "buy" ? f.taker_fee : f.maker_fee);
    const sellerFee = Number(f.side === "buy" ? f.maker_fee : f.taker_fee);
    add("volume", f.at!, buyer, price * quantity);
    add("volume", f.at!, seller, price * quantity);
    const mine = lots.get(`${buyer}|${f.item}`) ?? [];
    mine.push([quantity, price * quantity + buyerFee]);
    lots.set(`${buyer}|${f.item}`, mine);
    // Sell: oldest lots first, a lot cut in part gives up floor(cost x part / quantity).
    const queue = lots.get(`${seller}|${f.item}`) ?? [];
    let left = quantity;
    let cost = 0;
    while (left > 0 && queue.length > 0) {
      const lot = queue[0]!;
      if (lot[0] <= left) {
        cost += lot[1];
        left -= lot[0];
        queue.shift();
      } else {
        const part = Math.floor((lot[1] * left) / lot[0]);
        cost += part;
        lot[0] -= left;
        lot[1] -= part;
        left = 0;
      }
    }
    lots.set(`${seller}|${f.item}`, queue);
    add("profit", f.at!, seller, price * quantity - sellerFee - cost);
  }
  const worth = await rows<{ player: string; copper: string }>(t.db, sql`select player_id::text as player, (available + reserved)::text as copper from balances`);
  const last = new Map<number, number>();
  for (const f of fills) last.set(Number(f.item), Number(f.price)); // fills are in each market's order
  const stacks = await rows<{ player: string; item: number; n: string }>(t.db, sql`select player_id::text as player, item_type_id as item, (available + reserved)::text as n from holdings`);
  const w = new Map(worth.map((r) => [r.player, Number(r.copper)]));
  for (const s of stacks) if (last.has(Number(s.item))) w.set(s.player, (w.get(s.player) ?? 0) + Number(s.n) * last.get(Number(s.item))!);
  out.set("worth|all", w);
  return { boards: out };
}

/** Highest first, ties by player id descending (Redis's order for ZRANGE REV). */
const ranked = (m: Map<string, number>) => [...m].map(([player, score]) => ({ player, score })).sort((a, b) => b.score - a.score || (a.player < b.player ? 1 : -1));

async function expectBoardsEqual(want: Want) {
  // Postgres, every period.
  for (const [key, m] of want.boards) {
    const [board, period] = key.split("|") as [Board, string];
    expect((await readScores(t.db, board, period)).map((r) => ({ player: r.player, score: r.score })), key).toEqual(ranked(m));
  }
  // Redis, the windows a reader asks for, through the read path: the whole board and each player's rank.
  for (const [board, window] of [["profit", "all"], ["profit", "day"], ["profit", "week"], ["volume", "all"], ["volume", "day"], ["volume", "week"], ["worth", "all"]] as const) {
    const top = await topOf(boards, board, window, 1000);
    const m = want.boards.get(`${board}|${top.period}`)!;
    const want1 = ranked(m);
    expect(top.entries.map((e) => ({ player: e.playerId, score: e.score })), `${board} ${window}`).toEqual(want1);
    expect(top.players).toBe(want1.length);
    const someone = want1[want1.length - 1]!;
    expect(await rankOf(boards, someone.player, board, window)).toEqual({ period: top.period, asOf: top.asOf, players: want1.length, rank: want1.length, score: someone.score, hidden: false });
  }
}

it(`leaderboards equal brute force from the ledger, also after Redis flushes and a rebuild (${process.env.TEST_DB ?? "pglite"})`, async () => {
  const rand = prng(3303);
  const markets = await Promise.all([0, 1, 2].map(() => addMarket(t.db, { makerBps: 50, takerBps: 100 })));
  const items = markets.map((m) => m.itemTypeId);
  const traders: string[] = [];
  for (let i = 0; i < 8; i++) traders.push(await fundedTrader(t.db, items, 50_000 + i * 40_000, 40 + i * 10));
  const sessions = await Promise.all(markets.map((m) => MarketSession.open(() => t.db, m.slug).then((s) => s!)));
  const consumers = [...ECONOMY_CONSUMERS, boardsConsumer(boards)];
  const runAll = async () => {
    for (const c of consumers) await runConsumer(t.db, c, 9);
  };
  let trades = 0;
  let flushed = 0;
  for (let step = 0; step < 120; step++) {
    const roll = rand();
    const player = traders[Math.floor(rand() * traders.length)]!;
    if (roll < 0.1) {
      await withTx(t.db, (tx) => ledger.mint(tx, { actor: "server:loot" }, { playerId: player, asset: CURRENCY, amount: 1 + Math.floor(rand() * 5_000), reason: "quest reward" }));
    } else {
      const m = Math.floor(rand() * markets.length);
      const other = traders[(traders.indexOf(player) + 1 + Math.floor(rand() * (traders.length - 1))) % traders.length]!;
      const price = 90 + m * 100 + Math.floor(rand() * 60);
      const quantity = 1 + Math.floor(rand() * 9);
      const side = rand() < 0.5 ? "buy" : "sell";
      const place = (p: string, s: "buy" | "sell", q: number) => sessions[m]!.submit({ type: "place", playerId: p, clientOrderId: crypto.randomUUID(), side: s, orderType: "limit", price, quantity: q });
      await place(player, side, quantity);
      // The other side takes part of it, all of it or more (a partly filled resting order remains).
      const took = await place(other, side === "buy" ? "sell" : "buy", 1 + Math.floor(rand() * 12));
      trades += took.fills?.length ?? 0;
    }
    if (rand() < 0.15) await runAll();
    if (step === 60 || step === 95) {
      // Redis holds boards to lose: the consumers have taken in everything so far.
      for (const c of consumers) await consumeAll(t.db, c, 9);
      flushed += await flushPrefix();
    }
  }
  expect(trades).toBeGreaterThan(50);
  expect(flushed).toBeGreaterThan(0);
  // Every event in: one run may stop short while another file's transaction runs (shared Postgres).
  for (const c of consumers) await consumeAll(t.db, c, 9);
  const want = await bruteForce();
  // Someone made a loss and someone a profit: the history is not one-sided.
  const profits = [...want.boards.get("profit|all")!.values()];
  expect(Math.min(...profits)).toBeLessThan(0);
  expect(Math.max(...profits)).toBeGreaterThan(0);
  await expectBoardsEqual(want);

  // Redis flushed after the run: the next reader copies from Postgres, nothing wrong shown.
  expect(await flushPrefix()).toBeGreaterThan(0);
  await expectBoardsEqual(want);

  // Rebuilt from the events (Postgres), then copied: the same boards.
  await rebuild(t.db, leaderboardConsumer());
  await consumeAll(t.db, leaderboardConsumer());
  await copyBoards(boards);
  await expectBoardsEqual(want);
}, 180_000);
