/**
 * The audit index, complete, for tests: the feed hands out only events older than every
 * transaction still running on the server (db/feed/read.ts), and other databases' long
 * transactions count too (a bench or another suite on the same Postgres), so one consumer run may
 * index nothing yet. Runs the consumer until it has passed every event (tests/support/feed.ts).
 */
import { auditIndexConsumer } from "../../db/audit-search/index";
import type { Db } from "../../db/db";
import { consumeAll } from "./feed";

export async function indexAllEvents(db: Db, withinMs = 30_000): Promise<void> {
  await consumeAll(db, auditIndexConsumer, 500, withinMs);
}
