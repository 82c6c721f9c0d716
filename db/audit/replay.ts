/**
 * Replay: rebuild balances, holdings and unique items from the events alone, into a scratch
 * schema, and compare them with the live read models. Postings are deltas, so their sums do not
 * depend on commit order; each unique item's state is taken from its highest item version.
 * (Payload keys `postings`, `supply` and `items` belong to the ledger; other events must not use them.)
 * Game servers' mints and burns are ordinary ledger events (actor "server:<name>"); their freezes
 * (player_frozen / player_unfrozen) are replayed into the set of frozen players and compared too.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";

export interface ReplayResult {
  schema: string;
  counts: { balances: number; holdings: number; items: number };
  differences: string[];
}

export async function replay(db: Db, options: { keep?: boolean } = {}): Promise<ReplayResult> {
  const schema = `replay_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const s = sql.identifier(schema);
  await db.execute(sql`create schema ${s}`);
  try {
    await db.execute(sql`
      create table ${s}.balances as
      select (p->>'player')::uuid as player_id, sum((p->>'available')::bigint) as available, sum((p->>'reserved')::bigint) as reserved
      from events e, jsonb_array_elements(e.payload->'postings') p
      where e.payload ? 'postings' and (p->>'asset')::int = 0 group by 1`);
    await db.execute(sql`
      create table ${s}.holdings as
      select (p->>'player')::uuid as player_id, (p->>'asset')::int as item_type_id,
        sum((p->>'available')::bigint) as available, sum((p->>'reserved')::bigint) as reserved
      from events e, jsonb_array_elements(e.payload->'postings') p
      where e.payload ? 'postings' and (p->>'asset')::int <> 0 group by 1, 2`);
    await db.execute(sql`
      create table ${s}.items as
      with changes as (
        select (i->>'id')::uuid as id, (i->>'type')::int as item_type_id, (i->>'owner')::uuid as owner_id,
          i->>'state' as state, (i->>'v')::int as version, i->'metadata' as metadata
        from events e, jsonb_array_elements(e.payload->'items') i where e.payload ? 'items')
      select distinct on (c.id) c.id, c.item_type_id, c.owner_id, c.state, c.version,
        (select m.metadata from changes m where m.id = c.id and m.version = 1) as metadata
      from changes c order by c.id, c.version desc`);

    const differences: string[] = [];
    const diff = async (label: string, live: ReturnType<typeof sql>, rebuilt: ReturnType<typeof sql>) => {
      const onlyLive = await rows(db, sql`(${live}) except (${rebuilt}) limit 20`);
      const onlyReplay = await rows(db, sql`(${rebuilt}) except (${live}) limit 20`);
      for (const r of onlyLive) differences.push(`${label} live has ${JSON.stringify(r)} but replay does not`);
      for (const r of onlyReplay) differences.push(`${label} replay has ${JSON.stringify(r)} but live does not`);
    };
    await diff(
      "balances",
      sql`select player_id, available, reserved from balances where available <> 0 or reserved <> 0`,
      sql`select player_id, available, reserved from ${s}.balances where available <> 0 or reserved <> 0`,
    );
    await diff(
      "holdings",
      sql`select player_id, item_type_id, available, reserved from holdings where available <> 0 or reserved <> 0`,
      sql`select player_id, item_type_id, available, reserved from ${s}.holdings where available <> 0 or reserved <> 0`,
    );
    await diff(
      "items",
      sql`select id, item_type_id, owner_id, state, version, metadata from items`,
      sql`select id, item_type_id, owner_id, state, version, metadata from ${s}.items`,
    );
    // Freezes (game servers, issue 17): the last player_frozen / player_unfrozen event of each player's stream.
    await diff(
      "frozen players",
      sql`select id as player_id, frozen_reason as reason from players where frozen_at is not null`,
      sql`select player_id, reason from (
        select distinct on (e.stream) substr(e.stream, 8)::uuid as player_id, e.type, e.payload->>'reason' as reason
        from events e where e.type in ('player_frozen', 'player_unfrozen') order by e.stream, e.version desc) f
        where f.type = 'player_frozen'`,
    );
    const [counts] = await rows<{ b: string; h: string; i: string }>(db, sql`
      select (select count(*) from ${s}.balances)::text as b, (select count(*) from ${s}.holdings)::text as h,
        (select count(*) from ${s}.items)::text as i`);
    return {
      schema,
      counts: { balances: Number(counts?.b), holdings: Number(counts?.h), items: Number(counts?.i) },
      differences,
    };
  } finally {
    if (!options.keep) await db.execute(sql`drop schema ${s} cascade`);
  }
}
