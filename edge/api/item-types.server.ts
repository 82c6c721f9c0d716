/**
 * GET /api/v1/item-types: the catalog, filtered by full-text search (item_types.search, a
 * generated tsvector with a GIN index, queried with websearch_to_tsquery) and category, in slug
 * order with an opaque keyset cursor (the last slug, base64url).
 */
import { sql, type SQL } from "drizzle-orm";
import type { z } from "zod";
import { rows, type Db } from "../../db/db";
import { ApiError } from "./http.server";
import type { ItemType, ItemTypesQuery } from "./schemas";

const DEFAULT_LIMIT = 20;

export const encodeCursor = (slug: string) => Buffer.from(slug, "utf8").toString("base64url");

function decodeCursor(cursor: string): string {
  const slug = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[a-z0-9-]{1,64}$/.test(slug)) throw new ApiError(400, "invalid_cursor", "cursor must be a value returned as nextCursor");
  return slug;
}

export async function searchItemTypes(db: Db, query: z.output<typeof ItemTypesQuery>) {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const where: SQL[] = [sql`true`];
  if (query.q) where.push(sql`search @@ websearch_to_tsquery('english', ${query.q})`);
  if (query.category) where.push(sql`category = ${query.category}`);
  if (query.cursor) where.push(sql`slug > ${decodeCursor(query.cursor)}`);
  const found = await rows<z.output<typeof ItemType>>(db, sql`
    select id, slug, name, description, category, icon, stackable,
           tick_size::text as "tickSize", lot_size::text as "lotSize"
    from item_types
    where ${sql.join(where, sql` and `)}
    order by slug
    limit ${limit + 1}`);
  const items = found.slice(0, limit).map((t) => ({ ...t, tickSize: Number(t.tickSize), lotSize: Number(t.lotSize) }));
  const nextCursor = found.length > limit ? encodeCursor(items[items.length - 1]!.slug) : null;
  return { items, nextCursor };
}
