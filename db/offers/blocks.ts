/** Blocking a player from sending me offers. */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { fail, type Result } from "../result";

export async function blockPlayer(db: Db, q: { playerId: string; username: string }): Promise<Result<{ blockedId: string }>> {
  const [other] = await rows<{ id: string }>(db, sql`select id::text as id from players where lower(username) = lower(${q.username})`);
  if (!other) return fail(404, "unknown_player", "no player by that name");
  if (other.id === q.playerId) return fail(400, "block_self", "you cannot block yourself");
  await db.execute(sql`insert into player_blocks (player_id, blocked_id) values (${q.playerId}, ${other.id}) on conflict do nothing`);
  return { ok: true, blockedId: other.id };
}

export async function unblockPlayer(db: Db, q: { playerId: string; blockedId: string }): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(q.blockedId)) return;
  await db.execute(sql`delete from player_blocks where player_id = ${q.playerId} and blocked_id = ${q.blockedId}::uuid`);
}

export async function listBlocked(db: Db, playerId: string): Promise<Array<{ id: string; username: string }>> {
  return rows(db, sql`
    select p.id::text as id, p.username from player_blocks b join players p on p.id = b.blocked_id
    where b.player_id = ${playerId} order by p.username`);
}
