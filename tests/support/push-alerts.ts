/** Alert rows as the outbox's writers leave them (issue 16), for the push sender's tests. */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/db";

export interface TestAlert {
  id: string;
  playerId: string;
  kind: string;
  title: string;
  body: string;
  url: string;
  icon: string | null;
}

const KINDS = ["fill", "order_ended", "offer_received", "offer_accepted", "price"];

/** `n` due alerts for a player, in one statement (push_state 'due', push_next_at now()). */
export async function insertDueAlerts(db: Db, playerId: string, n: number, tag = Math.random().toString(36).slice(2, 8)): Promise<TestAlert[]> {
  return rows<TestAlert>(db, sql`
    insert into alerts (player_id, kind, title, body, url, icon, data, dedupe_key, push_state, push_next_at)
    select ${playerId}::uuid, (${`{${KINDS.join(",")}}`}::text[])[1 + (g % 5)], 'Sold ' || g || ' Iron Ore at 1.27 gold', 'Alert ' || g || ' of ' || ${tag},
      case when g % 5 in (2, 3) then '/offers/' || g else '/markets/iron-ore' end, '/icons/items/iron-ore.svg',
      jsonb_build_object('n', g), ${tag} || ':' || g, 'due', now()
    from generate_series(1, ${n}) g
    returning id::text as "id", player_id::text as "playerId", kind, title, body, url, icon`);
}

export async function alertState(db: Db, id: string) {
  const [row] = await rows<{ state: string; attempts: number; nextInSeconds: number | null; pushedAt: string | null }>(db, sql`
    select push_state as state, push_attempts as attempts, extract(epoch from push_next_at - now())::float8 as "nextInSeconds", pushed_at::text as "pushedAt"
    from alerts where id = ${id}::uuid`);
  return row!;
}
