/**
 * Audit search (db/audit-search, ADR 020) on PGlite and the real Postgres: the audit index consumer
 * writes one row per event; searches by player (and any id an event names), type, actor, full text
 * and time answer newest first; the cursor pages through without a duplicate or a gap, even while
 * new events arrive; an event's story brings its correlation; CSV quotes and defuses formulas.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditIndexConsumer } from "../../db/audit-search/index";
import { auditCsv, decodeAuditCursor, eventStory, searchEvents, type AuditHit } from "../../db/audit-search/search";
import { runConsumer } from "../../db/consumers/run";
import { rows, withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { indexAllEvents } from "../support/audit-index";
import { openTestDb, testDbTarget, type TestDb } from "../support/db";
import { addPlayer } from "../support/world";

let t: TestDb;
let alice: string;
let bob: string;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 4 });
  alice = await addPlayer(t.db, `audit_alice_${Date.now() % 100000}`);
  bob = await addPlayer(t.db, `audit_bob_${Date.now() % 100000}`);
  // 30 mints to alice by a "quest" game server, 10 transfers alice -> bob, one correlation for the transfers.
  await withTx(t.db, async (tx) => {
    for (let i = 0; i < 30; i++) await ledger.mint(tx, { actor: "server:questmaster" }, { playerId: alice, asset: ledger.CURRENCY, amount: 100 + i });
  });
  const correlationId = crypto.randomUUID();
  await withTx(t.db, async (tx) => {
    for (let i = 0; i < 10; i++) await ledger.transfer(tx, { actor: `player:${alice}`, correlationId }, { from: alice, to: bob, asset: ledger.CURRENCY, amount: 7 });
  });
  await indexAllEvents(t.db);
});
afterAll(async () => t?.close());

const ids = (hits: AuditHit[]) => hits.map((h) => h.eventId);

describe(`audit search on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("indexes every event once, even when the consumer runs again", async () => {
    await indexAllEvents(t.db);
    await runConsumer(t.db, auditIndexConsumer);
    const [n] = await rows<{ events: number; indexed: number }>(t.db, sql`select (select count(*)::int from events) as events, (select count(*)::int from event_search) as indexed`);
    expect(n!.indexed).toBe(n!.events);
  });

  it("finds by player (any id the payload names), type, actor and full text, newest first", async () => {
    const bobs = await searchEvents(t.db, { ref: bob, limit: 100 });
    expect(bobs.events.map((e) => e.type)).toEqual(Array(10).fill("transferred"));
    const alices = await searchEvents(t.db, { ref: alice, limit: 100 });
    expect(alices.events.length).toBe(40);
    const times = alices.events.map((e) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect((await searchEvents(t.db, { type: "minted", actor: "server:questmaster", limit: 100 })).events.length).toBe(30);
    expect((await searchEvents(t.db, { actor: `player:${alice}`, limit: 100 })).events.length).toBe(10);
    // Full text over the payload's strings and numbers: the amount 129 was minted once.
    const amount = await searchEvents(t.db, { q: "129 minted", limit: 100 });
    expect(amount.events.length).toBe(1);
    expect(JSON.stringify(amount.events[0]!.payload)).toContain(alice);
    expect((await searchEvents(t.db, { q: "questmaster -transferred", limit: 100 })).events.every((e) => e.type === "minted")).toBe(true);
    expect((await searchEvents(t.db, { q: "nosuchwordanywhere", limit: 10 })).events).toEqual([]);
    expect(amount.indexedUntil).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
  });

  it("pages with a stable cursor: no duplicate, no gap, and new events do not shift the pages", async () => {
    const all = await searchEvents(t.db, { ref: alice, limit: 100 });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const got = await searchEvents(t.db, { ref: alice, limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...ids(got.events));
      if (page === 1) {
        // New events arrive between pages: they are newer than the cursor, so later pages are unchanged.
        await withTx(t.db, (tx) => ledger.mint(tx, { actor: "server:questmaster" }, { playerId: alice, asset: ledger.CURRENCY, amount: 5 }));
        await indexAllEvents(t.db);
      }
      if (!got.nextCursor) break;
      expect(decodeAuditCursor(got.nextCursor)).toBeDefined();
      cursor = got.nextCursor;
    }
    expect(seen).toEqual(ids(all.events));
  });

  it("filters by time range", async () => {
    const all = (await searchEvents(t.db, { ref: bob, limit: 100 })).events;
    const mid = all[4]!.createdAt;
    const before = await searchEvents(t.db, { ref: bob, to: mid, limit: 100 });
    const after = await searchEvents(t.db, { ref: bob, from: mid, limit: 100 });
    expect(before.events.length + after.events.length).toBe(all.length);
    expect(before.events.every((e) => e.createdAt < mid)).toBe(true);
  });

  it("tells an event's story: its correlation, in order", async () => {
    const [one] = (await searchEvents(t.db, { ref: bob, limit: 1 })).events;
    const story = await eventStory(t.db, one!.eventId);
    expect(story!.event.eventId).toBe(one!.eventId);
    expect(story!.related.map((e) => e.type)).toEqual(Array(10).fill("transferred"));
    expect(new Set(story!.related.map((e) => e.correlationId))).toEqual(new Set([one!.correlationId]));
    expect(await eventStory(t.db, crypto.randomUUID())).toBeUndefined();
  });

  it.runIf(testDbTarget() === "postgres")("uses the indexes: GIN for ids and words, the time index for the order", async () => {
    const plan = async (where: string) => {
      const found = await withTx(t.db, async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        return rows<{ "QUERY PLAN": string }>(tx, sql.raw(`explain select event_id from event_search s where ${where} order by created_at desc nulls last, event_id desc nulls last limit 50`)); // search.ts's order
      });
      return found.map((r) => r["QUERY PLAN"]).join("\n");
    };
    expect(await plan(`refs @> array['${bob}'::uuid]`)).toContain("event_search_refs_idx");
    expect(await plan(`words @@ websearch_to_tsquery('simple', 'questmaster')`)).toContain("event_search_words_idx");
    expect(await plan("true")).toContain("event_search_time_idx");
    expect(await plan("stream = 'market:iron-ore'")).toContain("event_search_stream_time_idx");
    // Without NULLS LAST the order matches no index (DESC means NULLS FIRST): every page sorted the whole table.
    const [plain] = await rows<{ "QUERY PLAN": string }>(t.db, sql.raw("explain select event_id from event_search order by created_at desc, event_id desc limit 50"));
    expect(plain!["QUERY PLAN"]).not.toContain("Index Scan using event_search_time_idx");
  });

  it("writes CSV with quoting, and a formula-looking cell as text", () => {
    const hit: AuditHit = { eventId: "e1", createdAt: "2026-12-04T00:00:00.000000Z", type: "minted", actor: "=HYPERLINK(1)", stream: "player:x", version: 1, correlationId: "c", causationId: null, payload: { note: 'a "b", c' } };
    const csv = auditCsv([hit]).split("\r\n");
    expect(csv[0]).toBe("created_at,event_id,type,actor,stream,version,correlation_id,causation_id,payload");
    expect(csv[1]).toBe(`2026-12-04T00:00:00.000000Z,e1,minted,'=HYPERLINK(1),player:x,1,c,,"{""note"":""a \\""b\\"", c""}"`);
  });
});
