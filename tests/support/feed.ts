/**
 * Runs a feed consumer until it has taken in every event written before the call. The feed hands
 * out only events older than every transaction still running on the server (db/feed/read.ts), and
 * on a shared Postgres other databases' transactions count (the other test files, a bench), so one
 * run may stop short of the last events. A test comparing a projection with brute force must wait
 * for its cursor to pass the last event, not trust one run.
 */
import { sql } from "drizzle-orm";
import { runConsumer, type Consumer } from "../../db/consumers/run";
import { rows, type Db } from "../../db/db";
import { decodeCursor, type FeedPosition } from "../../db/feed/cursor";

const atOrPast = (a: FeedPosition, b: FeedPosition) => BigInt(a.tx) > BigInt(b.tx) || (a.tx === b.tx && a.id >= b.id);

/** The feed position of the last event written so far (undefined with no events). */
export async function lastEvent(db: Db): Promise<FeedPosition | undefined> {
  const [last] = await rows<{ tx: string; id: string }>(db, sql`select tx::text as tx, id::text as id from events order by events.tx desc, events.id desc limit 1`);
  return last ? { tx: last.tx, id: Number(last.id) } : undefined;
}

/** Runs `consumer` (pages of `pageSize`, or timed by `pageMs`) until its cursor is at or past the last event written before the call. */
export async function consumeAll(db: Db, consumer: Consumer, pageSize = 500, withinMs = 60_000, pageMs?: number): Promise<number> {
  const target = await lastEvent(db);
  let applied = 0;
  for (const started = Date.now(); ; ) {
    applied += await runConsumer(db, consumer, pageSize, 100, pageMs);
    if (!target) return applied;
    const [row] = await rows<{ cursor: string }>(db, sql`select cursor from consumer_cursors where name = ${consumer.name}`);
    const at = row ? decodeCursor(row.cursor) : undefined;
    if (at && atOrPast(at, target)) return applied;
    if (Date.now() - started > withinMs) {
      throw new Error(`consumer ${consumer.name} did not reach the last event (${target.tx}.${target.id}) within ${withinMs / 1000} s: its cursor is ${row?.cursor ?? "none"}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
