/**
 * The audit index, complete, for tests: the feed hands out only events older than every
 * transaction still running on the server (db/feed/read.ts), and other databases' long
 * transactions count too (a bench or another suite on the same Postgres), so one consumer run may
 * index nothing yet. Runs the consumer until every event has its row, within 30 s.
 */
import { sql } from "drizzle-orm";
import { auditIndexConsumer } from "../../db/audit-search/index";
import { runConsumer } from "../../db/consumers/run";
import { rows, type Db } from "../../db/db";

export async function indexAllEvents(db: Db, withinMs = 30_000): Promise<void> {
  for (const started = Date.now(); ; ) {
    await runConsumer(db, auditIndexConsumer);
    const [n] = await rows<{ missing: number }>(db, sql`select count(*)::int as missing from events e where not exists (select 1 from event_search s where s.event_id = e.event_id)`);
    if (n!.missing === 0) return;
    if (Date.now() - started > withinMs) throw new Error(`the audit index did not catch up within ${withinMs / 1000} s (${n!.missing} events missing)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
