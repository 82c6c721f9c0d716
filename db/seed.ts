/**
 * The demo world, created through the real write paths: the catalog and its markets, then three
 * players signed up like any player (starter kit from the faucet), then a few extra faucet grants
 * so the markets have something to trade. Idempotent: each step skips what already exists.
 * `npm run db:seed` (npm start runs it on first start).
 */
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { signUp } from "../edge/auth/signup.server";
import { catalog } from "./catalog-data";
import { rows, withTx, type Db } from "./db";
import { appendEvents, CURRENCY, mint, mintUnique } from "./ledger";
import { migrate } from "./migrate";
import { openDefault } from "./open";

export const DEMO_PASSWORD = "bazaar-demo-2026";
const ctx = { actor: "system:seed" };

const demoGrants: Record<string, Array<{ slug: string; quantity: number } | { slug: string; metadata: Record<string, unknown> }>> = {
  alice: [{ slug: "iron-ore", quantity: 500 }, { slug: "coal", quantity: 300 }, { slug: "flamebrand", metadata: { damage: 31, fire: 12, quality: "epic" } }],
  bob: [{ slug: "mana-potion", quantity: 120 }, { slug: "oak-log", quantity: 400 }, { slug: "crown-of-the-north", metadata: { edition: 2026, quality: "rare" } }],
  carol: [{ slug: "silver-ore", quantity: 150 }, { slug: "dragon-scale", quantity: 6 }, { slug: "elven-longbow", metadata: { range: 44, quality: "rare" } }],
};

/**
 * The catalog alone: item types and a market per stackable type, no players (what a production
 * database needs before anyone trades: `npm run deploy:migrate -- --catalog`). Returns how many
 * item types it created (0 when they exist).
 */
export async function seedCatalog(db: Db): Promise<number> {
  return withTx(db, async (tx) => {
    const inserted = await rows<{ id: number; slug: string }>(tx, sql`
      insert into item_types (slug, name, description, category, icon, stackable, tick_size, lot_size)
      select * from jsonb_to_recordset(${JSON.stringify(catalog.map((c) => ({ ...c, tickSize: c.tickSize ?? 1, lotSize: c.lotSize ?? 1 })))}::jsonb)
        as c(slug text, name text, description text, category text, icon text, stackable boolean, "tickSize" bigint, "lotSize" bigint)
      on conflict (slug) do nothing returning id, slug`);
    await tx.execute(sql`
      insert into markets (slug, item_type_id) select slug, id from item_types where stackable
      on conflict do nothing`);
    await appendEvents(tx, ctx, inserted.map((t) => ({ stream: "catalog", type: "item_type_created", payload: { itemTypeId: t.id, slug: t.slug } })));
    return inserted.length;
  });
}

export async function seed(db: Db): Promise<{ created: boolean; players: string[] }> {
  const createdTypes = await seedCatalog(db);

  const players: string[] = [];
  for (const [username, grants] of Object.entries(demoGrants)) {
    const result = await signUp(db, { username, password: DEMO_PASSWORD });
    if (!result.ok) {
      if (result.code === "username_taken") continue;
      throw new Error(`seed: could not sign up ${username}: ${result.message}`);
    }
    players.push(username);
    await withTx(db, async (tx) => {
      for (const g of grants) {
        const [type] = await rows<{ id: number }>(tx, sql`select id from item_types where slug = ${g.slug}`);
        if (!type) throw new Error(`seed: unknown item type ${g.slug}`);
        if ("quantity" in g) await mint(tx, ctx, { playerId: result.playerId, asset: type.id, amount: g.quantity, reason: "demo grant" });
        else await mintUnique(tx, ctx, { playerId: result.playerId, itemTypeId: type.id, metadata: g.metadata, reason: "demo grant" });
      }
      await mint(tx, ctx, { playerId: result.playerId, asset: CURRENCY, amount: 400_000, reason: "demo grant" });
    });
  }
  return { created: createdTypes > 0 || players.length > 0, players };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opened = await openDefault();
  await migrate(opened);
  const result = await seed(opened.db);
  console.log(result.created ? `seeded ${opened.label}: demo players ${result.players.join(", ") || "(existing)"}, password "${DEMO_PASSWORD}"` : `${opened.label} already seeded`);
  await opened.close();
}
