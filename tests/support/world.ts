/** Test fixtures: players and item types created directly (they are not money; the ledger moves money). */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/db";

export async function addPlayer(db: Db, username = `p_${Math.random().toString(36).slice(2, 10)}`): Promise<string> {
  const [row] = await rows<{ id: string }>(db, sql`
    insert into players (username, password_hash) values (${username}, 'test-only') returning id::text as id`);
  return row!.id;
}

export async function addItemType(db: Db, stackable: boolean, slug = `t-${Math.random().toString(36).slice(2, 10)}`): Promise<number> {
  const [row] = await rows<{ id: number }>(db, sql`
    insert into item_types (slug, name, description, category, icon, stackable)
    values (${slug}, ${slug}, 'test item', 'materials', '*', ${stackable}) returning id`);
  return row!.id;
}

export async function count(db: Db, table: "events" | "balances" | "holdings" | "items" | "players" | "sessions"): Promise<number> {
  const [row] = await rows<{ n: string }>(db, sql`select count(*)::text as n from ${sql.identifier(table)}`);
  return Number(row!.n);
}

export async function balanceOf(db: Db, playerId: string): Promise<{ available: number; reserved: number }> {
  const [row] = await rows<{ a: string; r: string }>(db, sql`
    select available::text as a, reserved::text as r from balances where player_id = ${playerId}`);
  return { available: Number(row?.a ?? 0), reserved: Number(row?.r ?? 0) };
}

/** Small seeded PRNG (mulberry32) so randomized tests replay exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
