/**
 * The notification center's data functions, scoped to the acting player: newest first, paged by a
 * keyset cursor (created_at, id), unread counts, marking read.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";

export interface AlertItem {
  id: string;
  kind: string;
  title: string;
  body: string;
  url: string;
  icon: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

const iso = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);

/** "<createdAt ISO with microseconds>_<id>", base64url: opaque to clients. */
export function encodeCursor(a: Pick<AlertItem, "createdAt" | "id">): string {
  return btoa(`${a.createdAt}_${a.id}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string): { at: string; id: string } | undefined {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)_([0-9a-f-]{36})$/.exec(text);
    return m ? { at: m[1]!, id: m[2]! } : undefined;
  } catch {
    return undefined;
  }
}

export async function listAlerts(db: Db, q: { playerId: string; limit: number; cursor?: { at: string; id: string } }): Promise<{ alerts: AlertItem[]; nextCursor: string | null }> {
  const after = q.cursor ? sql`and (created_at, id) < (${q.cursor.at}::timestamptz, ${q.cursor.id}::uuid)` : sql``;
  const found = await rows<AlertItem>(db, sql`
    select id::text as id, kind, title, body, url, icon, data, ${iso("created_at")} as "createdAt", ${iso("read_at")} as "readAt"
    from alerts where player_id = ${q.playerId} ${after}
    order by created_at desc, id desc limit ${q.limit + 1}`);
  const page = found.slice(0, q.limit);
  return { alerts: page, nextCursor: found.length > q.limit ? encodeCursor(page.at(-1)!) : null };
}

export async function unreadCount(db: Db, playerId: string): Promise<number> {
  // Capped: the bell shows "99+" beyond that, and the count stays an index range scan.
  const [r] = await rows<{ n: number }>(db, sql`
    select count(*)::int as n from (select 1 from alerts where player_id = ${playerId} and read_at is null limit 100) u`);
  return r?.n ?? 0;
}

/** Mark some of the player's alerts read (ids of others' alerts are ignored); how many changed. */
export async function markRead(db: Db, playerId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const [r] = await rows<{ n: number }>(db, sql`
    with u as (update alerts set read_at = now() where player_id = ${playerId} and id = any(${`{${ids.join(",")}}`}::uuid[]) and read_at is null returning 1)
    select count(*)::int as n from u`);
  return r?.n ?? 0;
}

export async function markAllRead(db: Db, playerId: string): Promise<number> {
  const [r] = await rows<{ n: number }>(db, sql`
    with u as (update alerts set read_at = now() where player_id = ${playerId} and read_at is null returning 1)
    select count(*)::int as n from u`);
  return r?.n ?? 0;
}
