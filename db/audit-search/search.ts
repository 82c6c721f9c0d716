/**
 * Audit search (issue 18, ADR 020): the event log as operators search it, newest first, paged by
 * a stable cursor (created_at, event_id). Filters: full text over the payload (web-search syntax),
 * a player or any other id the event names (orders, offers, items, servers), type, actor, market,
 * time range. Reads event_search (the audit index), whose GIN and btree indexes serve each filter.
 */
import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../db";

export interface AuditQuery {
  /** Full text (web-search syntax: words, "phrases", -not, or). */
  q?: string;
  /** A player id, or any id the event names. */
  ref?: string;
  type?: string;
  actor?: string;
  /** A market's slug. */
  market?: string;
  /** ISO times, from inclusive, to exclusive. */
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

export interface AuditHit {
  eventId: string;
  createdAt: string;
  type: string;
  actor: string;
  stream: string;
  version: number;
  correlationId: string;
  causationId: string | null;
  payload: Record<string, unknown>;
}

export interface AuditPage {
  events: AuditHit[];
  nextCursor: string | null;
  /** The newest event the index holds (the consumer runs every minute). */
  indexedUntil: string | null;
}

const CURSOR = /^a1\.(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)\.([0-9a-f-]{36})$/;
export const encodeAuditCursor = (createdAt: string, eventId: string) => `a1.${createdAt}.${eventId}`;
export function decodeAuditCursor(text: string): { createdAt: string; eventId: string } | undefined {
  const m = CURSOR.exec(text);
  return m ? { createdAt: m[1]!, eventId: m[2]! } : undefined;
}

const TIME = sql.raw(`'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`);

export async function searchEvents(db: Db, query: AuditQuery): Promise<AuditPage> {
  const where: SQL[] = [sql`true`];
  if (query.q) where.push(sql`s.words @@ websearch_to_tsquery('simple', ${query.q})`);
  if (query.ref) where.push(sql`s.refs @> array[${query.ref}::uuid]`);
  if (query.type) where.push(sql`s.type = ${query.type}`);
  if (query.actor) where.push(sql`s.actor = ${query.actor}`);
  // The market's own stream (its orders, cancels and batches), not every event that mentions the slug
  // (the words search does that): a phrase search over a million events could not use the time order.
  if (query.market) where.push(sql`s.stream = ${`market:${query.market}`}`);
  if (query.from) where.push(sql`s.created_at >= ${query.from}::timestamptz`);
  if (query.to) where.push(sql`s.created_at < ${query.to}::timestamptz`);
  const after = query.cursor ? decodeAuditCursor(query.cursor) : undefined;
  if (after) where.push(sql`(s.created_at, s.event_id) < (${after.createdAt}::timestamptz, ${after.eventId}::uuid)`);
  // NULLS LAST as the indexes are built (DESC alone means NULLS FIRST, and then no index matches the
  // order: a million rows were sorted for every page). The page is cut in the index table first and
  // only its rows are joined to the events (a common word matched 30,000 rows, each joined before
  // the sort). bench:audit.
  const found = await rows<AuditHit & { version: number }>(db, sql`
    select s.event_id::text as "eventId", to_char(s.created_at at time zone 'UTC', ${TIME}) as "createdAt", s.type, s.actor, s.stream,
      e.version, e.correlation_id::text as "correlationId", e.causation_id::text as "causationId", e.payload
    from (
      select s.event_id, s.created_at, s.type, s.actor, s.stream from event_search s
      where ${sql.join(where, sql` and `)}
      order by s.created_at desc nulls last, s.event_id desc nulls last
      limit ${query.limit + 1}
    ) s join events e on e.event_id = s.event_id
    order by s.created_at desc nulls last, s.event_id desc nulls last`);
  const page = found.slice(0, query.limit).map((r) => ({ ...r, version: Number(r.version) }));
  const last = page.at(-1);
  const [indexed] = await rows<{ at: string | null }>(db, sql`select to_char(max(created_at) at time zone 'UTC', ${TIME}) as at from event_search`);
  return { events: page, nextCursor: found.length > query.limit && last ? encodeAuditCursor(last.createdAt, last.eventId) : null, indexedUntil: indexed?.at ?? null };
}

export interface EventStory {
  event: AuditHit;
  /** The event that caused it (causation_id), if any. */
  cause: AuditHit | null;
  /** Every event of its correlation (one command, one batch, one offer's life), in order. */
  related: AuditHit[];
}

const EVENT_COLUMNS = sql`event_id::text as "eventId", to_char(created_at at time zone 'UTC', ${TIME}) as "createdAt", type, actor, stream, version,
  correlation_id::text as "correlationId", causation_id::text as "causationId", payload`;

/** An event and its story, straight from the log (not the index: a just-written event is there). */
export async function eventStory(db: Db, eventId: string): Promise<EventStory | undefined> {
  const [event] = await rows<AuditHit>(db, sql`select ${EVENT_COLUMNS} from events where event_id = ${eventId}::uuid`);
  if (!event) return undefined;
  const [cause] = event.causationId ? await rows<AuditHit>(db, sql`select ${EVENT_COLUMNS} from events where event_id = ${event.causationId}::uuid`) : [];
  const related = await rows<AuditHit>(db, sql`select ${EVENT_COLUMNS} from events where correlation_id = ${event.correlationId}::uuid order by id limit 200`);
  const n = (h: AuditHit) => ({ ...h, version: Number(h.version) });
  return { event: n(event), cause: cause ? n(cause) : null, related: related.map(n) };
}

/** CSV of a page of hits (RFC 4180 quoting), for the console's export and the API's text/csv. */
export function auditCsv(hits: AuditHit[]): string {
  const cell = (v: unknown) => {
    let s = typeof v === "string" ? v : JSON.stringify(v ?? "");
    // A cell a spreadsheet would run as a formula is written as text.
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const head = ["created_at", "event_id", "type", "actor", "stream", "version", "correlation_id", "causation_id", "payload"];
  const lines = hits.map((h) => [h.createdAt, h.eventId, h.type, h.actor, h.stream, h.version, h.correlationId, h.causationId ?? "", h.payload].map(cell).join(","));
  return `${[head.join(","), ...lines].join("\r\n")}\r\n`;
}
