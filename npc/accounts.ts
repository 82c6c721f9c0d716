/**
 * The NPC traders' accounts: signed up like any player (starter kit), marked as bots, then granted
 * gold and the items of their markets through the faucet (`minted` events, reason "demo world
 * grant"). Their passwords are derived from a secret the stack keeps (.data/secrets.json), so the
 * live traders (npc/live.ts) can sign in through the API like anyone. Idempotent.
 */
import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { signUp } from "../edge/auth/signup.server";
import { rows, withTx, type Db } from "../db/db";
import { CURRENCY, mint } from "../db/ledger";
import { GRANT_COPPER_PER_MARKET, itemGrant, marketProfiles, npcs } from "./world";

export const npcPassword = (secret: string, username: string) =>
  createHmac("sha256", secret).update(`npc-password:${username}`).digest("base64url").slice(0, 32);

/** Creates the NPCs that do not exist yet; returns every NPC's player id by username. */
export async function ensureNpcs(db: Db, secret: string): Promise<Map<string, string>> {
  const types = await rows<{ id: number; slug: string; lotSize: string }>(db, sql`
    select id, slug, lot_size::text as "lotSize" from item_types where stackable`);
  const typeOf = new Map(types.map((t) => [t.slug, t]));
  // Sign-ups hash their passwords concurrently (scrypt runs off the main thread); each writes in its own transaction.
  await Promise.all(npcs.map(async (npc) => {
    const result = await signUp(db, { username: npc.username, password: npcPassword(secret, npc.username) });
    if (!result.ok) {
      if (result.code === "username_taken") return;
      throw new Error(`demo world: could not sign up ${npc.username}: ${result.message}`);
    }
    const ctx = { actor: "system:demo-world" };
    await withTx(db, async (tx) => {
      await tx.execute(sql`update players set bot = true where id = ${result.playerId}`);
      const markets = marketProfiles.filter((m) => npc.markets.includes(m.slug) && typeOf.has(m.slug));
      const reason = "demo world grant";
      await mint(tx, ctx, { playerId: result.playerId, asset: CURRENCY, amount: GRANT_COPPER_PER_MARKET * markets.length, reason });
      for (const m of markets) {
        const type = typeOf.get(m.slug)!;
        await mint(tx, ctx, { playerId: result.playerId, asset: type.id, amount: itemGrant(m, Number(type.lotSize)), reason });
      }
    });
  }));
  const found = await rows<{ id: string; username: string }>(db, sql`
    select id, username from players where bot and username = any(${`{${npcs.map((n) => n.username).join(",")}}`}::text[])`);
  return new Map(found.map((p) => [p.username, p.id]));
}
