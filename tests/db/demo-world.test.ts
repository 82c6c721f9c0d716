/**
 * The demo world's NPC traders and their history: real accounts marked as bots with faucet grants,
 * a history written by the market session's own code with its clock in the past (fills and candles
 * spread over the window, a two-sided book left resting), the ledger conserved and replayable, and
 * running it again changes nothing.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows } from "../../db/db";
import { listMarkets } from "../../db/market/read";
import { seed } from "../../db/seed";
import { npcPassword } from "../../npc/accounts";
import { prepareDemoWorld } from "../../npc/setup";
import { npcs } from "../../npc/world";
import { checkCredentials } from "../../edge/auth/signin.server";
import { openTestDb, type TestDb } from "../support/db";
import { count } from "../support/world";

let t: TestDb;
const secret = "npc-test-secret";
const markets = ["iron-ore", "bread", "dragon-scale"];
const lines: string[] = [];
const now = Date.now();

beforeAll(async () => {
  t = await openTestDb();
  await seed(t.db);
  await prepareDemoWorld(t.db, secret, (l) => lines.push(l), { markets, days: 2, now, latestStepMinutes: 30, recentStepMinutes: 60, olderStepHours: 6 });
}, 120_000);
afterAll(async () => t?.close());

it("creates every NPC as a bot account with the starter kit and demo world grants from the faucet", async () => {
  const bots = await rows<{ username: string; grants: number; kit: number }>(t.db, sql`
    select p.username,
      (select count(*)::int from events e where e.type = 'minted' and e.stream = 'player:' || p.id and e.payload->>'reason' = 'demo world grant') as grants,
      (select count(*)::int from events e where e.type = 'minted' and e.stream = 'player:' || p.id and e.payload->>'reason' = 'starter kit') as kit
    from players p where p.bot order by p.username`);
  expect(bots.map((b) => b.username).sort()).toEqual(npcs.map((n) => n.username).sort());
  for (const b of bots) {
    expect(b.grants, b.username).toBeGreaterThan(1);
    expect(b.kit, b.username).toBeGreaterThan(0);
  }
  const people = await rows<{ username: string }>(t.db, sql`select username from players where not bot order by 1`);
  expect(people.map((p) => p.username)).toEqual(["alice", "bob", "carol"]);
  // Their password is the secret's: the live traders sign in like anyone.
  const ok = await checkCredentials(t.db, { username: npcs[0]!.username, password: npcPassword(secret, npcs[0]!.username) });
  expect(ok.ok).toBe(true);
});

it("writes a history through the market code: trades spread over the window, 24h volume, a two-sided book", async () => {
  expect(lines.join("\n")).toMatch(/3 markets given 2 days of history \([\d,]+ trades in [\d,]+ batches, 0 refused\)/);
  for (const slug of markets) {
    const [span] = await rows<{ n: number; first: string; last: string; days: number }>(t.db, sql`
      select count(*)::int as n, min(created_at)::text as first, max(created_at)::text as last,
        count(distinct date_trunc('hour', created_at))::int as days
      from fills where market_slug = ${slug}`);
    expect(span!.n, slug).toBeGreaterThan(10);
    expect(new Date(span!.first).getTime(), slug).toBeLessThan(now - 36 * 3_600_000);
    expect(new Date(span!.last).getTime(), slug).toBeLessThan(now);
    expect(new Date(span!.last).getTime(), slug).toBeGreaterThan(now - 2 * 3_600_000);
    expect(span!.days, `${slug}: trades in many different hours`).toBeGreaterThan(10);
    const [book] = await rows<{ bids: number; asks: number; bestBid: number; bestAsk: number }>(t.db, sql`
      select count(*) filter (where side = 'buy')::int as bids, count(*) filter (where side = 'sell')::int as asks,
        max(price) filter (where side = 'buy')::int as "bestBid", min(price) filter (where side = 'sell')::int as "bestAsk"
      from orders where market_slug = ${slug} and status = 'open'`);
    expect(book!.bids, slug).toBeGreaterThanOrEqual(3);
    expect(book!.asks, slug).toBeGreaterThanOrEqual(3);
    expect(book!.bestBid, slug).toBeLessThan(book!.bestAsk);
    const candles = await rows<{ interval: string; n: number }>(t.db, sql`
      select interval, count(*)::int as n from candles where market_slug = ${slug} group by 1`);
    expect(Object.fromEntries(candles.map((c) => [c.interval, c.n > 0]))).toEqual({ "1m": true, "5m": true, "1h": true, "1d": true });
  }
  const summaries = await listMarkets(t.db);
  for (const slug of markets) expect(summaries.find((m) => m.slug === slug)!.volume24h, slug).toBeGreaterThan(0);
  // Markets outside the history stay untouched.
  expect(summaries.find((m) => m.slug === "coal")!.volume24h).toBe(0);
  const rejected = await rows(t.db, sql`select 1 from orders where status = 'rejected'`);
  expect(rejected).toHaveLength(0);
});

it("keeps the ledger conserved and replayable, and a second run changes nothing", async () => {
  expect((await checkLedger(t.db)).ok).toBe(true);
  expect((await replay(t.db)).differences).toEqual([]);
  const events = await count(t.db, "events");
  const again: string[] = [];
  await prepareDemoWorld(t.db, secret, (l) => again.push(l), { markets, days: 2, now, latestStepMinutes: 30, recentStepMinutes: 60, olderStepHours: 6 });
  expect(again.join("\n")).toMatch(/every market has its history already/);
  expect(await count(t.db, "events")).toBe(events);
});
