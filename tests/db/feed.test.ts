/**
 * db/feed: 8 writers commit events out of order (each holds its transaction open a random while;
 * some roll back) while a reader pages through the feed. Every committed event is read exactly
 * once and none is skipped; no rolled-back event is ever read. On the real Postgres (TEST_DB=postgres,
 * a pool of 12) commits and reads truly interleave; on PGlite the reader starts after the writers.
 * Also the tests' own consumeAll (tests/support/feed.ts), which waits for a held-back feed.
 */
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import { decodeCursor, encodeCursor } from "../../db/feed/cursor";
import { readFeed } from "../../db/feed/read";
import { appendEvents } from "../../db/ledger";
import { runConsumer, type Consumer } from "../../db/consumers/run";
import { adminUrl, openTestDb, testDbTarget, type TestDb } from "../support/db";
import { consumeAll, lastEvent } from "../support/feed";
import { prng } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 12 });
});
afterAll(async () => t?.close());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("8 writers committing out of order: the paging reader gets every committed event once and no rolled-back one", async () => {
  const rand = prng(42);
  let writing = true;
  const rolledBack: string[] = [];
  const writer = async (w: number) => {
    for (let n = 0; writing; n++) {
      const hold = Math.floor(rand() * 25);
      const fail = rand() < 0.15;
      await withTx(t.db, async (tx) => {
        const [e] = await appendEvents(tx, { actor: "test:feed" }, [{ stream: `feedtest:${w}`, type: "feed_test", payload: { w, n } }]);
        await sleep(hold); // held open: later writers commit first
        if (fail) {
          rolledBack.push(e!.eventId);
          throw new Error("rolled back on purpose");
        }
      }).catch((error: Error) => {
        if (!/on purpose/.test(error.message)) throw error;
      });
    }
  };
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  const read = async () => {
    const page = await readFeed(t.db, { after: cursor ? decodeCursor(cursor) : undefined, limit: 5, types: ["feed_test"] });
    seen.push(...page.events.map((e) => e.eventId));
    cursor = page.cursor;
    pages++;
    return page;
  };
  // In-process PGlite runs another task's plain query between a transaction's statements, inside
  // it (the product reaches PGlite through pglite-socket, which gives a transaction its turn): there
  // the writers finish before the reader starts; on Postgres they truly overlap.
  const overlap = testDbTarget() === "postgres";
  const writers = Array.from({ length: 8 }, (_, w) => writer(w));
  if (!overlap) {
    await sleep(2_000);
    writing = false;
    await Promise.all(writers);
  }
  const reader = (async () => {
    while (writing) {
      await read();
      await sleep(3);
    }
  })();
  if (overlap) {
    await sleep(4_000);
    writing = false;
    await Promise.all(writers);
  }
  await reader;
  // What is above the oldest transaction running on the server (other suites share it) shows up
  // once that one ends: drain until all arrived, within a bound.
  const committed = await rows<{ id: string }>(t.db, sql`select event_id::text as id from events where type = 'feed_test'`);
  for (const end = Date.now() + 60_000; Date.now() < end && seen.length < committed.length; await sleep(20)) await read();
  expect(committed.length).toBeGreaterThan(overlap ? 100 : 20);
  expect(new Set(seen).size).toBe(seen.length); // none twice
  expect(new Set(seen)).toEqual(new Set(committed.map((r) => r.id))); // none skipped
  expect(seen.filter((id) => rolledBack.includes(id))).toEqual([]);
  expect(rolledBack.length).toBeGreaterThan(0);
  expect(pages).toBeGreaterThanOrEqual(Math.ceil(committed.length / 5)); // paged, 5 at most per page
}, 120_000);

it("a filtered page moves the cursor past the events it left out; cursors are checked", async () => {
  await withTx(t.db, (tx) => appendEvents(tx, { actor: "test:feed" }, [
    { stream: "feedfilter", type: "feed_other", payload: {} },
    { stream: "feedfilter", type: "feed_wanted", payload: { k: 1 } },
  ]));
  // Page through (the first test left many events); visible once every older transaction ended.
  let first = await readFeed(t.db, { limit: 1000, types: ["feed_wanted"] });
  for (const end = Date.now() + 60_000; first.events.length === 0 && Date.now() < end; await sleep(first.more ? 0 : 20)) {
    first = await readFeed(t.db, { after: decodeCursor(first.cursor), limit: 1000, types: ["feed_wanted"] });
  }
  expect(first.events.map((e) => e.payload)).toEqual([{ k: 1 }]);
  while (first.more) {
    first = await readFeed(t.db, { after: decodeCursor(first.cursor), limit: 1000, types: ["feed_wanted"] });
    expect(first.events).toEqual([]);
  }
  // Unfiltered from there: nothing (the filtered reader's cursor passed the feed_other event too).
  const again = await readFeed(t.db, { after: decodeCursor(first.cursor), limit: 1000 });
  expect(again.events).toEqual([]);
  expect(again.cursor).toBe(first.cursor);
  expect(decodeCursor(encodeCursor({ tx: "18446744073709551615", id: 7 }))).toEqual({ tx: "18446744073709551615", id: 7 });
  for (const bad of ["", "f1.1", "f1.-1.2", "f1.18446744073709551616.1", "f2.1.1", "f1.1.99999999999999999"]) expect(decodeCursor(bad), bad).toBeUndefined();
  await expect(readFeed(t.db, { limit: 10, types: ["x'); drop table events; --"] })).rejects.toThrow(/not an event type/);
}, 120_000);

it("pages in transaction-id order, not in the order of their text: tx 9 comes before tx 10, and a page never ends past an event it did not return", async () => {
  // Transaction ids long since ended, written explicitly (as a server whose xid counter passed a power of ten would have them).
  await t.db.execute(sql`
    insert into events (stream, version, type, payload, actor, correlation_id, tx)
    values ('digits:10', 1, 'digits_test', '{"tx":10}', 'test', gen_random_uuid(), '10'::xid8),
           ('digits:9', 1, 'digits_test', '{"tx":9}', 'test', gen_random_uuid(), '9'::xid8)`);
  const order: unknown[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 3; i++) {
    const page = await readFeed(t.db, { after: cursor ? decodeCursor(cursor) : undefined, limit: 1, types: ["digits_test"] });
    order.push(...page.events.map((e) => e.payload.tx));
    cursor = page.cursor;
  }
  expect(order).toEqual([9, 10]);
});

it.runIf(testDbTarget() === "postgres")("tests' consumeAll waits while another database's transaction holds the feed back, and then takes in the last event", async () => {
  // A transaction on another database of the same server: transaction ids are server-wide.
  const other = new pg.Client({ connectionString: adminUrl() });
  await other.connect();
  const seen: unknown[] = [];
  const consumer: Consumer = { name: `consume-all-${Date.now()}`, types: ["feed_held"], apply: async (_tx, events) => void seen.push(...events.map((e) => e.payload)), reset: async () => undefined };
  try {
    await consumeAll(t.db, consumer, 1000); // everything before
    await other.query("begin");
    await other.query("select pg_current_xact_id()");
    await withTx(t.db, (tx) => appendEvents(tx, { actor: "test:feed" }, [{ stream: "feedheld", type: "feed_held", payload: { k: 1 } }]));
    // One run stops short: the event's transaction is newer than the open one.
    await runConsumer(t.db, consumer, 1000);
    expect(seen).toEqual([]);
    let done = false;
    const all = consumeAll(t.db, consumer, 1000).then(() => (done = true));
    await sleep(400);
    expect(done).toBe(false);
    await other.query("commit");
    await all;
    expect(seen).toEqual([{ k: 1 }]);
  } finally {
    await other.end();
  }
}, 120_000);

it("a consumer with a time target: slow pages shrink toward it, and every event is applied once", async () => {
  const tag = `paced-${Date.now()}`;
  // The consumer starts at the last event so far: its pages hold this test's events only.
  const start = await lastEvent(t.db);
  if (start) await t.db.execute(sql`insert into consumer_cursors (name, cursor) values (${`paced-${tag}`}, ${encodeCursor(start)})`);
  await withTx(t.db, (tx) => appendEvents(tx, { actor: "test:feed" }, Array.from({ length: 300 }, (_, k) => ({ stream: `feedpaced:${tag}`, type: "feed_paced", payload: { tag, k } }))));
  const sizes: number[] = [];
  const seen: number[] = [];
  const consumer: Consumer = {
    name: `paced-${tag}`,
    types: ["feed_paced"],
    apply: async (_tx, events) => {
      sizes.push(events.length);
      seen.push(...events.filter((e) => e.payload.tag === tag).map((e) => e.payload.k as number));
      await sleep(events.length * 2); // 2 ms an event: a 40 ms target wants pages of about 20
    },
    reset: async () => undefined,
  };
  await consumeAll(t.db, consumer, 500, 60_000, 40);
  expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, k) => k));
  expect(sizes[0]).toBe(50); // a timed run's first page
  expect(Math.max(...sizes.slice(1))).toBeLessThanOrEqual(25); // then near the target, never the 500 allowed
});
