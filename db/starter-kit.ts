/** What every new player gets, through the ledger's faucet (one `minted` event per line). */
import { sql } from "drizzle-orm";
import { rows, type Db } from "./db";
import { CURRENCY, mint, mintUnique, type LedgerCtx } from "./ledger";

export const STARTER_COPPER = 100_000; // 1,000.00 gold
export const starterStacks: Array<{ slug: string; quantity: number }> = [
  { slug: "health-potion", quantity: 5 },
  { slug: "copper-ore", quantity: 20 },
  { slug: "bread", quantity: 10 },
];
export const starterUnique = "iron-sword";

export async function grantStarterKit(tx: Db, ctx: LedgerCtx, playerId: string): Promise<void> {
  const reason = "starter kit";
  await mint(tx, ctx, { playerId, asset: CURRENCY, amount: STARTER_COPPER, reason });
  const slugs = [...starterStacks.map((s) => s.slug), starterUnique];
  const types = await rows<{ id: number; slug: string }>(tx, sql`
    select id, slug from item_types where slug = any(${`{${slugs.join(",")}}`}::text[])`);
  const idOf = new Map(types.map((t) => [t.slug, t.id]));
  for (const s of starterStacks) {
    const asset = idOf.get(s.slug);
    if (asset !== undefined) await mint(tx, ctx, { playerId, asset, amount: s.quantity, reason });
  }
  const sword = idOf.get(starterUnique);
  if (sword !== undefined) {
    const damage = 8 + crypto.getRandomValues(new Uint8Array(1))[0]! % 5;
    await mintUnique(tx, ctx, { playerId, itemTypeId: sword, metadata: { damage, durability: 100, quality: "common" }, reason });
  }
}
