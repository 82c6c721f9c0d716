/**
 * The audit index (issue 18, ADR 020): a consumer of the event feed that writes one event_search row
 * per event: every UUID the event names (payload, stream, actor) in `refs`, and every string and
 * number of its payload with its type, actor and stream in `words` (a tsvector, 'simple' config: ids,
 * slugs and names are not English). It runs with the other consumers (cron), never on a batch's
 * path; the search says how far the index has come.
 */
import { sql } from "drizzle-orm";
import type { Consumer } from "../consumers/run";

const UUID_RE = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export const auditIndexConsumer: Consumer = {
  name: "audit_index",
  types: [],
  async apply(tx, events) {
    if (events.length === 0) return;
    const ids = `{${events.map((e) => e.eventId).join(",")}}`;
    await tx.execute(sql`
      insert into event_search (event_id, created_at, type, actor, stream, refs, words)
      select e.event_id, e.created_at, e.type, e.actor, e.stream,
        coalesce((
          select array_agg(distinct u::uuid) from (
            select v #>> '{}' as u from jsonb_path_query(e.payload, 'strict $.**') v
            where jsonb_typeof(v) = 'string' and (v #>> '{}') ~* ${`^${UUID_RE}$`}
            union all
            select m[1] from regexp_matches(lower(e.stream || ' ' || e.actor), ${`(${UUID_RE})`}, 'g') m
          ) found), '{}'),
        jsonb_to_tsvector('simple', e.payload, '["string", "numeric"]') || to_tsvector('simple', e.type || ' ' || e.actor || ' ' || e.stream)
      from events e
      where e.event_id = any(${ids}::uuid[])
      on conflict (event_id) do nothing`);
  },
  async reset(tx) {
    await tx.execute(sql`delete from event_search`);
  },
};
