/**
 * `npm run bench:audit` (issue 18, ADR 020): audit search on a million events. A scratch database
 * (BENCH_DATABASE, default bazaar_bench_audit, on DATABASE_URL's server) gets BENCH_EVENTS events
 * (default 1,000,000) shaped like the real ones (orders placed with fills and postings, cancels,
 * mints, offers, freezes; 5,000 players, 20 markets, 30 days), written straight into `events` with
 * generate_series. The audit index is then built by the real consumer (db/audit-search/index.ts) in
 * pages of BENCH_INDEX_PAGE events (its rate is the second table), and the common searches run
 * through the real searchEvents, each BENCH_REPEATS times (default 20) with a different player,
 * word or market each time: p50 / p99 / max ms. Then the query plan of each (EXPLAIN ANALYZE) is
 * printed so that PERFORMANCE.md can quote it. Last line: audit_events=<n> worst_p99_ms=<n>.
 * BENCH_REUSE=1 searches what the last run left in the scratch database (no writing, no indexing).
 */
import { sql } from "drizzle-orm";
import { rows, withTx } from "../db/db";
import { migrate } from "../db/migrate";
import { openPostgres } from "../db/open";
import { auditIndexConsumer } from "../db/audit-search/index";
import { searchEvents, type AuditQuery } from "../db/audit-search/search";
import { benchServer, scratchDatabase } from "./lib/world";
import type { FeedEvent } from "../db/feed/read";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 20);
const INDEX_PAGE = Number(process.env.BENCH_INDEX_PAGE ?? 5_000);
const SCRATCH = process.env.BENCH_DATABASE ?? "bazaar_bench_audit";
/** BENCH_REUSE=1: search the scratch database a previous run filled (its events and index), to measure a change to the searches alone. */
const REUSE = process.env.BENCH_REUSE === "1";
const PLAYERS = 5_000;
const MARKETS = ["iron-ore", "copper-ore", "oak-log", "yew-log", "raw-trout", "raw-shark", "coal", "gold-ore", "mithril-ore", "rune-essence",
  "feather", "bowstring", "cowhide", "flax", "wool", "clay", "silk", "ruby", "sapphire", "emerald"];

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const ms = (t0: number) => performance.now() - t0;

/** The events, in chunks of 100,000, spread over 30 days (newest now). */
async function writeEvents(db: Parameters<typeof rows>[0]): Promise<void> {
  await db.execute(sql`create table bench_players as select g as n, gen_random_uuid() as id from generate_series(0, ${PLAYERS - 1}) g`);
  await db.execute(sql`create table bench_markets as select (ordinality - 1)::int as n, slug from unnest(${`{${MARKETS.join(",")}}`}::text[]) with ordinality as slug`);
  const span = 30 * 24 * 3600;
  for (let start = 1; start <= EVENTS; start += 100_000) {
    const end = Math.min(EVENTS, start + 99_999);
    const t0 = performance.now();
    await db.execute(sql`
      insert into events (stream, version, type, payload, actor, correlation_id, event_id, created_at)
      select
        case when k < 85 then 'market:' || m.slug else 'player:' || a.id end,
        g,
        case when k < 60 then 'order_placed' when k < 85 then 'order_canceled' when k < 92 then 'minted'
             when k < 97 then 'offer_created' when k < 99 then 'offer_accepted' else 'player_frozen' end,
        case
          when k < 60 then jsonb_build_object('fills', case when k < 24 then jsonb_build_array(g) else '[]'::jsonb end, 'market', m.slug,
            'orderId', gen_random_uuid(), 'canceled', '[]'::jsonb, 'playerId', a.id, 'price', 900 + g % 250, 'quantity', 1 + g % 40,
            'postings', jsonb_build_array(jsonb_build_object('asset', 0, 'player', a.id, 'reserved', 1000, 'available', -1000))
              || case when k < 24 then jsonb_build_array(jsonb_build_object('asset', 0, 'player', b.id, 'reserved', 0, 'available', 990)) else '[]'::jsonb end)
          when k < 85 then jsonb_build_object('fills', '[]'::jsonb, 'market', m.slug, 'orderId', gen_random_uuid(), 'playerId', a.id,
            'postings', jsonb_build_array(jsonb_build_object('asset', 1, 'player', a.id, 'reserved', -6, 'available', 6)))
          when k < 92 then jsonb_build_object('reason', 'quest reward', 'supply', jsonb_build_array(jsonb_build_object('asset', 1 + g % 20, 'minted', 100)),
            'postings', jsonb_build_array(jsonb_build_object('asset', 1 + g % 20, 'player', a.id, 'reserved', 0, 'available', 100)))
          when k < 99 then jsonb_build_object('offerId', gen_random_uuid(), 'from', a.id, 'to', b.id, 'gold', 1250 + g % 5000, 'message', 'for the ' || m.slug)
          else jsonb_build_object('playerId', a.id, 'reason', 'chargeback on the store')
        end,
        case when k < 85 then 'room:' || m.slug when k < 92 then 'server:quests' when k < 99 then 'player:' || a.id else 'operator:' || b.id end,
        gen_random_uuid(), gen_random_uuid(),
        now() - make_interval(secs => (${EVENTS} - g) * ${span}::float8 / ${EVENTS})
      from generate_series(${start}::int, ${end}::int) g
      cross join lateral (select (g::bigint * 7919) % 100 as k) kk
      join bench_players a on a.n = (g::bigint * 31) % ${PLAYERS}
      join bench_players b on b.n = (g::bigint * 17 + 11) % ${PLAYERS}
      join bench_markets m on m.n = g % ${MARKETS.length}`);
    console.error(`events ${end}: ${(ms(t0) / 1000).toFixed(1)} s`);
  }
}

/** The audit index, built by the consumer the cron runs, a page at a time. */
async function buildIndex(db: Parameters<typeof rows>[0]): Promise<{ seconds: number; perSecond: number }> {
  const t0 = performance.now();
  let after = 0;
  for (;;) {
    const page = await rows<{ id: string; eventId: string }>(db, sql`select id::text as "id", event_id::text as "eventId" from events where events.id > ${after} order by events.id limit ${INDEX_PAGE}`);
    if (page.length === 0) break;
    await withTx(db, (tx) => auditIndexConsumer.apply(tx, page as unknown as FeedEvent[]).then(() => undefined));
    after = Number(page.at(-1)!.id);
    if (after % 100_000 < INDEX_PAGE) console.error(`indexed ${after}: ${(ms(t0) / 1000).toFixed(0)} s`);
  }
  await db.execute(sql`analyze event_search`);
  await db.execute(sql`analyze events`);
  const seconds = ms(t0) / 1000;
  return { seconds, perSecond: EVENTS / seconds };
}

function scratchUrl(name: string): string {
  const url = benchServer();
  url.pathname = `/${name}`;
  return url.toString();
}

type Search = { name: string; query: (i: number) => Omit<AuditQuery, "limit"> };

async function main() {
  const url = REUSE ? scratchUrl(SCRATCH) : await scratchDatabase(SCRATCH);
  const opened = await openPostgres(url, 4);
  const db = opened.db;
  try {
    await migrate(opened);
    const t0 = performance.now();
    const [have] = REUSE ? await rows<{ n: number }>(db, sql`select count(*)::int as n from event_search`) : [{ n: 0 }];
    if (!have!.n) await writeEvents(db);
    const writeSeconds = ms(t0) / 1000;
    const index = have!.n ? { seconds: 0, perSecond: 0 } : await buildIndex(db);
    if (have!.n) console.error(`reusing ${have!.n} indexed events in ${SCRATCH} (BENCH_REUSE=1)`);
    const players = (await rows<{ id: string }>(db, sql`select id::text from bench_players order by n limit 200`)).map((r) => r.id);
    // Market and price pairs that orders carry (a trade an operator looks for: "iron-ore 1250").
    const pairs = (await rows<{ q: string }>(db, sql`select payload->>'market' || ' ' || (payload->>'price') as q from events where type = 'order_placed' and id % 997 = 0 limit 100`)).map((r) => r.q);
    const [mid] = await rows<{ at: string }>(db, sql`select to_char((now() - interval '15 days') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at`);
    const day = (d: number) => new Date(Date.parse(mid!.at) + d * 86_400_000).toISOString();
    const searches: Search[] = [
      { name: "newest, no filter", query: () => ({}) },
      { name: "a player (ref)", query: (i) => ({ ref: players[i % players.length]! }) },
      { name: "a player, type order_canceled", query: (i) => ({ ref: players[i % players.length]!, type: "order_canceled" }) },
      { name: "a player, one day", query: (i) => ({ ref: players[i % players.length]!, from: day(i % 10), to: day((i % 10) + 1) }) },
      { name: "type player_frozen (rare)", query: () => ({ type: "player_frozen" }) },
      { name: "actor server:quests", query: () => ({ actor: "server:quests" }) },
      { name: "market (its stream)", query: (i) => ({ market: MARKETS[i % MARKETS.length]! }) },
      { name: "words: market and price", query: (i) => ({ q: pairs[i % pairs.length]! }) },
      { name: "words: \"quest reward\" -chargeback", query: () => ({ q: `"quest reward" -chargeback` }) },
      { name: "words: a word no event has", query: (i) => ({ q: `dragonscale${i}` }) },
      { name: "type order_placed, one day", query: (i) => ({ type: "order_placed", from: day(i % 10), to: day((i % 10) + 1) }) },
    ];
    const results: { name: string; p50: number; p99: number; max: number; hits: number; page2: number }[] = [];
    for (const s of searches) {
      const times: number[] = [];
      const page2: number[] = [];
      let hits = 0;
      await searchEvents(db, { ...s.query(0), limit: 50 }); // warm the plan cache
      for (let i = 0; i < REPEATS; i++) {
        const t = performance.now();
        const page = await searchEvents(db, { ...s.query(i + 1), limit: 50 });
        times.push(ms(t));
        hits += page.events.length;
        if (page.nextCursor) {
          const t2 = performance.now();
          await searchEvents(db, { ...s.query(i + 1), limit: 50, cursor: page.nextCursor });
          page2.push(ms(t2));
        }
      }
      results.push({ name: s.name, p50: q(times, 0.5), p99: q(times, 0.99), max: Math.max(...times), hits: hits / REPEATS, page2: page2.length ? q(page2, 0.99) : NaN });
    }

    const [size] = await rows<{ events: string; search: string }>(db, sql`select pg_size_pretty(pg_total_relation_size('events')) as events, pg_size_pretty(pg_total_relation_size('event_search')) as search`);
    console.log(`\nbench:audit: ${EVENTS.toLocaleString("en")} events (${size!.events}; index table ${size!.search}), Postgres ${new URL(url).host}, ${REPEATS} searches each, 50 a page`);
    console.log(`written in ${writeSeconds.toFixed(0)} s; audit index built by the consumer in ${index.seconds.toFixed(0)} s (${Math.round(index.perSecond)} events/s, pages of ${INDEX_PAGE})\n`);
    console.log("| search | hits on page 1 | p50 ms | p99 ms | max ms | page 2 p99 ms |");
    console.log("|---|---|---|---|---|---|");
    for (const r of results) console.log(`| ${r.name} | ${r.hits.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${Number.isNaN(r.page2) ? "-" : r.page2.toFixed(1)} |`);

    // The plans: the same SQL searchEvents sends, with the first repeat's values.
    console.log("\nquery plans (EXPLAIN ANALYZE, first lines)");
    for (const s of searches) {
      const plan = await explain(db, { ...s.query(1), limit: 50 });
      console.log(`\n### ${s.name}\n${plan}`);
    }
    console.log(`\naudit_events=${EVENTS} worst_p99_ms=${Math.max(...results.map((r) => r.p99)).toFixed(1)}`);
  } finally {
    await opened.close();
  }
}

/** EXPLAIN ANALYZE of the page query searchEvents runs (db/audit-search/search.ts builds the same SQL). */
async function explain(db: Parameters<typeof rows>[0], query: AuditQuery): Promise<string> {
  let captured: { sql: string; params: unknown[] } | undefined;
  const spy = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== "execute") return Reflect.get(target, prop, receiver);
      return async (statement: Parameters<typeof db.execute>[0]) => {
        const built = (db as unknown as { dialect: { sqlToQuery(s: unknown): { sql: string; params: unknown[] } } }).dialect.sqlToQuery(statement);
        if (!captured && /\) s join events e/.test(built.sql)) captured = built;
        return target.execute(statement);
      };
    },
  });
  await searchEvents(spy, query);
  if (!captured) return "(query not captured)";
  const explained = await db.execute(sql.raw(`explain (analyze, buffers, costs off) ${inline(captured.sql, captured.params)}`));
  const lines = (explained as unknown as { rows: { "QUERY PLAN": string }[] }).rows.map((r) => r["QUERY PLAN"]);
  return lines.filter((l) => !/^\s*Buffers:|^\s*Planning:|^\s*Heap Blocks/.test(l)).slice(0, 14).join("\n");
}

/** $n placeholders filled with quoted literals (bench only: the values are the bench's own). */
function inline(text: string, params: unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = params[Number(n) - 1];
    return typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`;
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
