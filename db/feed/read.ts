/**
 * The event feed: committed events in an order every reader can page through without skipping one.
 *
 * A bigserial id is not that order: ids are taken when a transaction inserts, but transactions
 * commit in another order, so a reader that saw id 41 may later find a 40 that committed after it
 * (ARCHITECTURE.md). Each event records its transaction's id (events.tx, xid8). A reader returns
 * only events whose transaction is older than the oldest transaction still running in its snapshot
 * (pg_snapshot_xmin): every such transaction has committed or rolled back, so no event can appear
 * later below that watermark. Within the watermark, (tx, id) is a total order, and the cursor is the
 * last (tx, id) returned. The price is a lag as long as the longest transaction running on the
 * whole server (transaction ids are server-wide): a session left idle in a transaction holds every
 * reader back, so production sets idle_in_transaction_session_timeout, and readers poll.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { encodeCursor, FEED_START, type FeedPosition } from "./cursor";

export interface FeedEvent {
  eventId: string;
  stream: string;
  version: number;
  type: string;
  actor: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

export interface FeedPage {
  events: FeedEvent[];
  /** Pass as `after` for the next page (the same cursor when there was nothing new). */
  cursor: string;
  /** True when the page is full: more may be waiting now. */
  more: boolean;
}

export interface FeedQuery {
  after?: FeedPosition;
  limit: number;
  /** Only these event types (all when absent). */
  types?: string[];
}

/** Event types are lower-case words joined by underscores ("market_batch", "offer_accepted"). */
export const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;

export async function readFeed(db: Db, query: FeedQuery): Promise<FeedPage> {
  const after = query.after ?? FEED_START;
  const bad = query.types?.find((t) => !EVENT_TYPE.test(t));
  if (bad !== undefined) throw new Error(`not an event type: ${JSON.stringify(bad).slice(0, 80)}`);
  const types = query.types && query.types.length > 0 ? `{${query.types.join(",")}}` : null;
  // ORDER BY names the table's columns: a bare "tx" would be the text output column above, sorted
  // as text ("10" before "9": a page could end past an event it never returned) and by a full sort
  // of the log instead of events_tx_id_idx.
  // The position advances past filtered-out events too, so a reader with a type filter never
  // re-reads them: the page's last position is the last row scanned, not the last row returned.
  const found = await rows<{ tx: string; id: string; event_id: string; stream: string; version: number; type: string; actor: string; payload: Record<string, unknown>; created_at: string; wanted: boolean }>(db, sql`
    select tx::text as tx, id::text as id, event_id::text as event_id, stream, version, type, actor, payload,
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
      (${types}::text[] is null or type = any(${types}::text[])) as wanted
    from events
    where (tx, id) > (${after.tx}::xid8, ${after.id}::bigint)
      and tx < pg_snapshot_xmin(pg_current_snapshot())
    -- Qualified: bare "tx, id" would name the text columns selected above and page in text order
    -- ("769.10" before "769.9", "1002" before "765"), skipping events below the cursor.
    order by events.tx, events.id
    limit ${query.limit}`);
  const last = found.at(-1);
  const position = last ? { tx: last.tx, id: Number(last.id) } : after;
  return {
    events: found.filter((r) => r.wanted).map((r) => ({
      eventId: r.event_id, stream: r.stream, version: Number(r.version), type: r.type, actor: r.actor, payload: r.payload, createdAt: r.created_at,
    })),
    cursor: encodeCursor(position),
    more: found.length === query.limit,
  };
}
