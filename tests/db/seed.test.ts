/** The demo world comes from the real write paths, conserves, replays, and seeding twice changes nothing. */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows } from "../../db/db";
import { seed } from "../../db/seed";
import { openTestDb, type TestDb } from "../support/db";
import { count } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

it("seeds a catalog of 30+ types in several categories, a market per stackable type and 3 players with kits", async () => {
  const first = await seed(t.db);
  expect(first).toEqual({ created: true, players: ["alice", "bob", "carol"] });
  const [stats] = await rows<{ types: number; categories: number; stackable: number; unique: number; markets: number }>(t.db, sql`
    select count(*)::int as types, count(distinct category)::int as categories,
      count(*) filter (where stackable)::int as stackable, count(*) filter (where not stackable)::int as unique,
      (select count(*)::int from markets) as markets from item_types`);
  expect(stats!.types).toBeGreaterThanOrEqual(30);
  expect(stats!.categories).toBeGreaterThanOrEqual(5);
  expect(stats!.unique).toBeGreaterThan(0);
  expect(stats!.markets).toBe(stats!.stackable);
  const kits = await rows<{ username: string; available: string }>(t.db, sql`
    select p.username, b.available::text from players p join balances b on b.player_id = p.id order by 1`);
  expect(kits.map((k) => k.username)).toEqual(["alice", "bob", "carol"]);
  expect(await count(t.db, "items")).toBeGreaterThanOrEqual(6);

  const events = await count(t.db, "events");
  expect(await seed(t.db)).toEqual({ created: false, players: [] });
  expect(await count(t.db, "events")).toBe(events);
  expect((await checkLedger(t.db)).ok).toBe(true);
  expect((await replay(t.db)).differences).toEqual([]);
});

it("finds item types by full-text search over name, description and category", async () => {
  const search = (q: string) => rows<{ slug: string }>(t.db, sql`
    select slug from item_types where search @@ websearch_to_tsquery('english', ${q}) order by slug`);
  expect((await search("dragon")).map((f) => f.slug)).toContain("dragon-scale");
  expect((await search("potions")).length).toBeGreaterThanOrEqual(5); // category, stemmed
  expect((await search("fire -sword")).map((f) => f.slug)).toEqual(["fire-resistance-potion"]);
});
