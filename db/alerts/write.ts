/**
 * Writing alerts: the outbox (ADR 013). Always inside the caller's transaction, the one that writes
 * the alert's cause (a market batch, an offer's change), so a rolled-back cause alerts nobody and a
 * committed one always alerts. One set-based INSERT for any number of alerts:
 *   - players marked as bots (the demo world's NPCs) get none (a join, no extra round trip);
 *   - a kind the player turned "off" writes no row; "inapp" writes push_state 'none';
 *   - "push" (the default) writes push_state 'due' when the player has a push subscription, with
 *     push_next_at = the alert's time, or the end of the player's quiet hours when it falls inside
 *     them (in the player's time zone); the sender (issue 16's push half) drains 'due' rows;
 *   - (player, dedupe_key) is unique: a cause written twice (a retried batch) alerts once.
 * The rule needs each player's preferences, which a market room does not hold: reading them first
 * would cost the batch a round trip, so the rule is this SQL, tested on PGlite and PostgreSQL 15
 * (tests/db/alerts.test.ts).
 */
import { sql, type SQL } from "drizzle-orm";
import type { AlertDraft } from "../../app/utils/alerts/text";
import { rows, type Db } from "../db";

/** The drafts as the JSON the statement reads (one parameter, whatever the count). */
export function alertsJson(drafts: AlertDraft[]): string {
  return JSON.stringify(
    drafts.map((d) => ({
      playerId: d.playerId, kind: d.kind, title: d.title, body: d.body, url: d.url, icon: d.icon, data: d.data, dedupeKey: d.dedupeKey,
      priceAlertId: d.priceAlertId ?? null,
    })),
  );
}

/**
 * The INSERT, for use as a statement or as a data-modifying CTE. `at` is the cause's time (the
 * batch clock); `keep` filters the drafts (the batch keeps a price alert's draft only if its
 * statement fired that alert).
 */
export function insertAlertsSql(json: string, at: Date, keep: SQL = sql`true`): SQL {
  const t = sql`${at.toISOString()}::timestamptz`;
  return sql`
    insert into alerts (player_id, kind, title, body, url, icon, data, dedupe_key, created_at, push_state, push_next_at)
    select a."playerId", a.kind, a.title, a.body, a.url, a.icon, coalesce(a.data, '{}'::jsonb), a."dedupeKey", ${t},
      case when d.push then 'due' else 'none' end, case when d.push then d.next_at end
    from jsonb_to_recordset(${json}::jsonb) as a("playerId" uuid, kind text, title text, body text, url text, icon text, data jsonb,
      "dedupeKey" text, "priceAlertId" uuid)
    join players p on p.id = a."playerId" and not p.bot
    left join alert_preferences ap on ap.player_id = a."playerId"
    cross join lateral (
      select coalesce(ap.kinds ->> a.kind, 'push') as mode,
        (${t} at time zone coalesce(ap.time_zone, 'UTC')) as local) m
    cross join lateral (select extract(hour from m.local)::int * 60 + extract(minute from m.local)::int as minute) q
    cross join lateral (
      select m.mode = 'push' and exists (select 1 from push_subscriptions s where s.player_id = a."playerId") as push,
        case when ap.quiet_start is not null and ap.quiet_start <> ap.quiet_end
               and case when ap.quiet_start < ap.quiet_end then q.minute >= ap.quiet_start and q.minute < ap.quiet_end
                        else q.minute >= ap.quiet_start or q.minute < ap.quiet_end end
             then (date_trunc('day', m.local) + make_interval(mins => ap.quiet_end)
                   + case when q.minute >= ap.quiet_end then interval '1 day' else interval '0 days' end) at time zone ap.time_zone
             else ${t} end as next_at) d
    where m.mode <> 'off' and (${keep})
    order by a."playerId", a."dedupeKey"
    on conflict (player_id, dedupe_key) do nothing`;
}

/** Write alerts in the caller's transaction (offers; the market batch inlines insertAlertsSql). */
export async function writeAlerts(tx: Db, drafts: AlertDraft[], at: Date = new Date()): Promise<number> {
  if (drafts.length === 0) return 0;
  const written = await rows<{ n: number }>(tx, sql`with w as (${insertAlertsSql(alertsJson(drafts), at)} returning 1) select count(*)::int as n from w`);
  return written[0]?.n ?? 0;
}
