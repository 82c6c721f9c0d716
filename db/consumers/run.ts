/**
 * Consumers of the event feed (db/feed/read.ts) that keep a projection: economy figures,
 * leaderboards. Each page of events is applied and the consumer's cursor moved in ONE transaction,
 * so a consumer that crashes, or runs twice at once, applies every event exactly once (the cursor
 * row is locked for the page). `rebuild` empties the projection and replays from the start.
 */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { decodeCursor, encodeCursor, FEED_START } from "../feed/cursor";
import { readFeed, type FeedEvent } from "../feed/read";
import { firstPageSize, nextPageSize } from "./page-size";

export interface Consumer {
  name: string;
  /** Event types it reads (all when empty). */
  types: string[];
  /** Applies a page inside the transaction that moves the cursor; what it returns goes to afterCommit. */
  apply(tx: Db, events: FeedEvent[]): Promise<unknown>;
  /** Empties the projection (rebuild). */
  reset(tx: Db): Promise<void>;
  /**
   * After a page committed (the cursor moved): for soft state kept beside the projection (Redis),
   * with what apply returned (undefined when the page had none of the consumer's types), the new
   * cursor and the one the page started from.
   */
  afterCommit?(applied: unknown, cursor: string, previous: string): Promise<void>;
}

/**
 * Applies pages until the feed has nothing more; returns how many events were applied. With
 * `pageMs`, pages start small and are sized to take about that long (at most `pageSize` events,
 * db/consumers/page-size.ts), so that a page never holds a shared embedded backend for long.
 */
export async function runConsumer(db: Db, consumer: Consumer, pageSize = 500, maxPages = 100, pageMs?: number): Promise<number> {
  let applied = 0;
  let size = pageMs === undefined ? pageSize : firstPageSize(pageSize);
  for (let page = 0; page < maxPages; page++) {
    const started = performance.now();
    const { count, more, moved, previous, applied: result } = await withTx(db, async (tx) => {
      await tx.execute(sql`insert into consumer_cursors (name, cursor) values (${consumer.name}, ${encodeCursor(FEED_START)}) on conflict (name) do nothing`);
      const [row] = await rows<{ cursor: string }>(tx, sql`select cursor from consumer_cursors where name = ${consumer.name} for update`);
      const found = await readFeed(tx, { after: decodeCursor(row!.cursor), limit: size, types: consumer.types });
      const result = found.events.length > 0 ? await consumer.apply(tx, found.events) : undefined;
      const moved = found.cursor !== row!.cursor ? found.cursor : null;
      if (moved) {
        await tx.execute(sql`update consumer_cursors set cursor = ${moved}, updated_at = now() where name = ${consumer.name}`);
      }
      return { count: found.events.length, more: found.more, moved, previous: row!.cursor, applied: result };
    });
    if (pageMs !== undefined) size = nextPageSize(size, pageSize, performance.now() - started, pageMs);
    if (moved && consumer.afterCommit) await consumer.afterCommit(result, moved, previous);
    applied += count;
    if (!more) break;
  }
  return applied;
}

export async function rebuild(db: Db, consumer: Consumer): Promise<number> {
  await withTx(db, async (tx) => {
    await consumer.reset(tx);
    await tx.execute(sql`delete from consumer_cursors where name = ${consumer.name}`);
  });
  return runConsumer(db, consumer, 1000, Number.MAX_SAFE_INTEGER);
}
