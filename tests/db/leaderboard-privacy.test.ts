/**
 * Hiding from the leaderboards (db/leaderboards/privacy.ts, ADR 039) on the machine's Redis through
 * the Upstash-protocol server: players who hid themselves are left out of every board others read,
 * the ranks close up behind them (ties included), a hidden player still gets their own place marked
 * hidden, each change of the setting is one event, and the boards read the same after a Redis flush
 * and after a rebuild from the events. Only this test's key prefix is deleted.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { rebuild } from "../../db/consumers/run";
import { leaderboardConsumer, readScores } from "../../db/leaderboards/consumer";
import { setShownOnLeaderboards, showsOnLeaderboards } from "../../db/leaderboards/privacy";
import { boardsConsumer, copyBoards, rankOf, topOf, type Boards } from "../../edge/leaderboards/boards.server";
import { createRedis } from "../../edge/redis.server";
import { MarketSession } from "../../party/market/session";
import { connectResp } from "../../scripts/resp";
import { startUpstashLocal, type UpstashLocal } from "../../scripts/upstash-local";
import { openTestDb, type TestDb } from "../support/db";
import { consumeAll } from "../support/feed";
import { addMarket, fundedTrader } from "../support/market";

const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `bazaar-test:lbp:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 7)}:`;
let t: TestDb;
let local: UpstashLocal;
let boards: Boards;
let session: MarketSession;
let maker: string;
let traders: string[];

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

/** `buyer` takes `quantity` of the maker's resting sell at 1.00: both trade 100 copper a unit. */
async function trade(buyer: string, quantity: number) {
  await session.submit({ type: "place", playerId: maker, clientOrderId: crypto.randomUUID(), side: "sell", orderType: "limit", price: 100, quantity });
  const took = await session.submit({ type: "place", playerId: buyer, clientOrderId: crypto.randomUUID(), side: "buy", orderType: "limit", price: 100, quantity });
  expect(took.fills?.length).toBe(1);
}

const consume = () => consumeAll(t.db, boardsConsumer(boards), 50);

/** The all-time volume board as others should see it: the source's scores (Postgres) without the hidden, ranked 1.. */
async function wanted(hidden: string[]) {
  const all = await readScores(t.db, "volume", "all");
  return all.filter((r) => !hidden.includes(r.player)).map((r, i) => ({ rank: i + 1, playerId: r.player, score: r.score }));
}

async function expectShownAs(hidden: string[]) {
  const want = await wanted(hidden);
  const top = await topOf(boards, "volume", "all", 100);
  expect(top.entries.map((e) => ({ rank: e.rank, playerId: e.playerId, score: e.score }))).toEqual(want);
  expect(top.players).toBe(want.length);
  // Every shown player's own rank is the one in the list; a hidden one gets the place it would have, marked.
  for (const w of want) expect(await rankOf(boards, w.playerId, "volume", "all")).toMatchObject({ rank: w.rank, score: w.score, players: want.length, hidden: false });
  for (const h of hidden) {
    const score = (await readScores(t.db, "volume", "all")).find((r) => r.player === h)!.score;
    const above = want.filter((w) => w.score > score || (w.score === score && w.playerId > h)).length;
    expect(await rankOf(boards, h, "volume", "all")).toMatchObject({ rank: above + 1, score, players: want.length + 1, hidden: true });
  }
  return want;
}

const events = async (player: string) =>
  rows<{ payload: { shown: boolean }; actor: string }>(t.db, sql`
    select payload, actor from events where stream = ${`player:${player}`} and type = 'leaderboard_visibility_changed' order by id`);

beforeAll(async () => {
  t = await openTestDb({ poolSize: 4 });
  local = await startUpstashLocal({ port: 0, token: "test-token", redisUrl });
  boards = { db: t.db, redis: createRedis({ UPSTASH_REDIS_REST_URL: local.url, UPSTASH_REDIS_REST_TOKEN: local.token }), prefix };
  const market = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
  session = (await MarketSession.open(() => t.db, market.slug))!;
  maker = await fundedTrader(t.db, [market.itemTypeId], 1_000_000, 1_000);
  traders = [];
  for (let i = 0; i < 6; i++) traders.push(await fundedTrader(t.db, [market.itemTypeId], 1_000_000, 10));
  // Volumes 500, 900, 300, 900 (a tie with the second), 700, 100; the maker traded them all (3,400).
  for (const [i, q] of [5, 9, 3, 9, 7, 1].entries()) await trade(traders[i]!, q);
  await consume();
}, 120_000);

afterAll(async () => {
  if (local) {
    await flushPrefix();
    await local.close();
  }
  await t?.close();
});

describe(`hiding from the leaderboards (${process.env.TEST_DB ?? "pglite"})`, () => {
  it("shows everyone by default", async () => {
    for (const p of [maker, ...traders]) expect(await showsOnLeaderboards(t.db, p)).toBe(true);
    const want = await expectShownAs([]);
    expect(want.map((w) => w.score)).toEqual([3_400, 900, 900, 700, 500, 300, 100]);
  });

  it("leaves hidden players out for others, closes the ranks up (ties too), and gives them their own place marked hidden", async () => {
    const [first900, second900] = (await wanted([])).filter((w) => w.score === 900).map((w) => w.playerId);
    expect(await setShownOnLeaderboards(t.db, maker, false)).toEqual({ shown: false, changed: true });
    expect(await setShownOnLeaderboards(t.db, second900!, false)).toEqual({ shown: false, changed: true });
    const want = await expectShownAs([maker, second900!]);
    expect(want.map((w) => [w.rank, w.score])).toEqual([[1, 900], [2, 700], [3, 500], [4, 300], [5, 100]]);
    expect(want[0]!.playerId).toBe(first900);
    // The second of the tie would be right behind the first: rank 2 for itself only; the maker, first.
    expect((await rankOf(boards, second900!, "volume", "all")).rank).toBe(2);
    expect((await rankOf(boards, maker, "volume", "all")).rank).toBe(1);
    // The day and week boards, and a short top, leave them out as well.
    for (const window of ["day", "week"] as const) {
      const top = await topOf(boards, "volume", window, 2);
      expect(top.entries.map((e) => e.playerId)).toEqual([first900, want[1]!.playerId]);
      expect(top.entries.map((e) => e.rank)).toEqual([1, 2]);
    }
    // Saving the same choice again changes nothing and records nothing more.
    expect(await setShownOnLeaderboards(t.db, maker, false)).toEqual({ shown: false, changed: false });
    expect(await events(maker)).toEqual([{ payload: { shown: false }, actor: `player:${maker}` }]);
  });

  it("keeps a hidden player out while they go on trading; the scores themselves keep everyone", async () => {
    const hidden = [maker, (await rows<{ id: string }>(t.db, sql`select id::text as id from players where leaderboard_hidden and id <> ${maker}`))[0]!.id];
    await trade(traders[5]!, 20); // 100 -> 2,100: above everyone shown
    await consume();
    const want = await expectShownAs(hidden);
    expect(want[0]).toMatchObject({ rank: 1, playerId: traders[5], score: 2_100 });
    const all = await readScores(t.db, "volume", "all");
    expect(all.map((r) => r.player)).toEqual(expect.arrayContaining(hidden));
    expect(await boards.redis.zcard(`${prefix}volume:all`)).toBe(all.length);
  });

  it("reads the same after Redis is flushed and after a rebuild from the events", async () => {
    const hidden = (await rows<{ id: string }>(t.db, sql`select id::text as id from players where leaderboard_hidden`)).map((r) => r.id);
    expect(hidden).toHaveLength(2);
    const before = await topOf(boards, "volume", "all", 100);
    expect(await flushPrefix()).toBeGreaterThan(0);
    expect((await topOf(boards, "volume", "all", 100)).entries).toEqual(before.entries);
    await rebuild(t.db, leaderboardConsumer());
    await consumeAll(t.db, leaderboardConsumer());
    await copyBoards(boards);
    const after = await topOf(boards, "volume", "all", 100);
    expect(after.entries).toEqual(before.entries);
    expect(after.players).toBe(before.players);
    await expectShownAs(hidden);
  });

  it("shows a player again when they turn it back on, in their place", async () => {
    expect(await setShownOnLeaderboards(t.db, maker, true)).toEqual({ shown: true, changed: true });
    const stillHidden = (await rows<{ id: string }>(t.db, sql`select id::text as id from players where leaderboard_hidden`)).map((r) => r.id);
    const want = await expectShownAs(stillHidden);
    expect(want[0]).toMatchObject({ rank: 1, playerId: maker, score: 3_400 + 2_000 });
    expect((await events(maker)).map((e) => e.payload.shown)).toEqual([false, true]);
  });
});
