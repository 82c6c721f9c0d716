/**
 * Item types created and changed by game servers. A stackable type gets its market at once (slug =
 * the type's slug, with tick, lot and fees); events on the "catalog" stream record each change.
 * Tick, lot and fees are fixed at creation: the market's room holds them (a change would have to
 * go through the room; a later issue).
 */
import { sql } from "drizzle-orm";
import { pgErrorCode, rows, type Db } from "../db";
import { appendEvents, type LedgerCtx } from "../ledger";
import { fail, type Result } from "../result";
import { schemaProblem } from "./metadata";

export interface NewItemType {
  slug: string;
  name: string;
  description: string;
  category: string;
  icon: string;
  stackable: boolean;
  tickSize?: number;
  lotSize?: number;
  makerFeeBps?: number;
  takerFeeBps?: number;
  metadataSchema?: Record<string, unknown> | null;
}

export interface ItemTypeChange {
  name?: string;
  description?: string;
  category?: string;
  icon?: string;
  metadataSchema?: Record<string, unknown> | null;
}

export interface ServerItemType {
  id: number;
  slug: string;
  name: string;
  description: string;
  category: string;
  icon: string;
  stackable: boolean;
  tickSize: number;
  lotSize: number;
  metadataSchema: Record<string, unknown> | null;
  market: { slug: string; makerFeeBps: number; takerFeeBps: number } | null;
}

async function readType(tx: Db, slug: string): Promise<ServerItemType | undefined> {
  const [r] = await rows<ServerItemType & { tickSize: string; lotSize: string; m_slug: string | null; maker: number | null; taker: number | null }>(tx, sql`
    select t.id, t.slug, t.name, t.description, t.category, t.icon, t.stackable, t.tick_size::text as "tickSize", t.lot_size::text as "lotSize",
      t.metadata_schema as "metadataSchema", m.slug as m_slug, m.maker_fee_bps as maker, m.taker_fee_bps as taker
    from item_types t left join markets m on m.item_type_id = t.id where t.slug = ${slug}`);
  if (!r) return undefined;
  const { m_slug, maker, taker, ...t } = r;
  return { ...t, tickSize: Number(r.tickSize), lotSize: Number(r.lotSize), market: m_slug ? { slug: m_slug, makerFeeBps: maker!, takerFeeBps: taker! } : null };
}

export async function createItemType(tx: Db, ctx: LedgerCtx, t: NewItemType): Promise<Result<{ itemType: ServerItemType }>> {
  const problem = t.metadataSchema === undefined ? undefined : schemaProblem(t.metadataSchema);
  if (problem) return fail(400, "invalid_metadata_schema", problem);
  if (t.stackable && t.metadataSchema) return fail(400, "invalid_metadata_schema", "only unique item types carry metadata; leave metadataSchema out for a stackable type");
  if (!t.stackable && (t.tickSize !== undefined || t.lotSize !== undefined || t.makerFeeBps !== undefined || t.takerFeeBps !== undefined)) {
    return fail(400, "not_stackable", "tickSize, lotSize and fees belong to a stackable type's market; unique items trade through offers");
  }
  const [row] = await rows<{ id: number }>(tx, sql`
    insert into item_types (slug, name, description, category, icon, stackable, tick_size, lot_size, metadata_schema)
    values (${t.slug}, ${t.name}, ${t.description}, ${t.category}, ${t.icon}, ${t.stackable}, ${t.tickSize ?? 1}, ${t.lotSize ?? 1},
      ${t.metadataSchema ? JSON.stringify(t.metadataSchema) : null}::jsonb)
    on conflict (slug) do nothing returning id`);
  if (!row) return fail(409, "item_type_exists", `an item type ${t.slug} already exists: change it with PATCH /api/v1/server/item-types/${t.slug}`);
  if (t.stackable) {
    try {
      await tx.execute(sql`
        insert into markets (slug, item_type_id, maker_fee_bps, taker_fee_bps) values (${t.slug}, ${row.id}, ${t.makerFeeBps ?? 10}, ${t.takerFeeBps ?? 25})`);
    } catch (error) {
      if (pgErrorCode(error) === "23505") return fail(409, "market_exists", `a market ${t.slug} already exists`);
      throw error;
    }
  }
  await appendEvents(tx, ctx, [{
    stream: "catalog",
    type: "item_type_created",
    payload: { itemTypeId: row.id, slug: t.slug, stackable: t.stackable, tickSize: t.tickSize ?? 1, lotSize: t.lotSize ?? 1, ...(t.stackable ? { makerFeeBps: t.makerFeeBps ?? 10, takerFeeBps: t.takerFeeBps ?? 25 } : {}) },
  }]);
  return { ok: true, itemType: (await readType(tx, t.slug))! };
}

export async function updateItemType(tx: Db, ctx: LedgerCtx, slug: string, change: ItemTypeChange): Promise<Result<{ itemType: ServerItemType }>> {
  const before = await readType(tx, slug);
  if (!before) return fail(404, "unknown_item_type", `there is no item type ${slug}`);
  if (change.metadataSchema !== undefined) {
    if (before.stackable && change.metadataSchema !== null) return fail(400, "invalid_metadata_schema", "only unique item types carry metadata");
    const problem = schemaProblem(change.metadataSchema);
    if (problem) return fail(400, "invalid_metadata_schema", problem);
  }
  await tx.execute(sql`
    update item_types set
      name = coalesce(${change.name ?? null}, name),
      description = coalesce(${change.description ?? null}, description),
      category = coalesce(${change.category ?? null}, category),
      icon = coalesce(${change.icon ?? null}, icon),
      metadata_schema = case when ${change.metadataSchema !== undefined} then ${change.metadataSchema ? JSON.stringify(change.metadataSchema) : null}::jsonb else metadata_schema end
    where slug = ${slug}`);
  await appendEvents(tx, ctx, [{ stream: "catalog", type: "item_type_updated", payload: { itemTypeId: before.id, slug, change } }]);
  return { ok: true, itemType: (await readType(tx, slug))! };
}
