/** The item catalog for the web pages: every item type, with its market's 24h stats when it has one. */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/db";
import { getMarket, listMarkets, type MarketSummary } from "../../db/market/read";

export interface CatalogItem {
  slug: string;
  name: string;
  description: string;
  category: string;
  icon: string;
  stackable: boolean;
  market: MarketSummary | null;
}

export async function listCatalog(db: Db): Promise<CatalogItem[]> {
  const [types, markets] = await Promise.all([
    rows<Omit<CatalogItem, "market">>(db, sql`
      select slug, name, description, category, icon, stackable from item_types order by category, name`),
    listMarkets(db),
  ]);
  const bySlug = new Map(markets.map((m) => [m.slug, m]));
  return types.map((t) => ({ ...t, market: bySlug.get(t.slug) ?? null }));
}

export async function getCatalogItem(db: Db, slug: string): Promise<CatalogItem | undefined> {
  const [type] = await rows<Omit<CatalogItem, "market">>(db, sql`
    select slug, name, description, category, icon, stackable from item_types where slug = ${slug}`);
  if (!type) return undefined;
  const market = type.stackable ? await getMarket(db, slug) : undefined;
  return { ...type, market: market ?? null };
}
