/**
 * A player's timeline for operators (issue 18): balances over time, linked accounts and sessions.
 * The events themselves come from the audit search (db/audit-search/search.ts, `ref` = the player).
 *
 * - Balances over time: every balance change is a posting in an event (db/ledger/record.ts), so a
 *   running sum of the player's postings, day by day, from zero, is their balance at the end of each
 *   day. The events are found through the audit index (refs), so the history reaches as far as the
 *   index has come (`through`); the test checks that the sum meets the balances and holdings tables.
 * - Linked accounts: players who signed in from the same browser (the device cookie's digest in
 *   session_devices; Bazaar keeps no IP addresses) and the players this one trades with most.
 * - Sessions and API tokens: where each was opened, last used, revoked.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";

export interface BalanceSeries {
  asset: number;
  /** "gold" for the currency, else the item type's name. */
  name: string;
  /** End-of-day balance (available + reserved) on each day it changed, oldest first. */
  points: { day: string; balance: number }[];
}

export interface BalanceHistory {
  series: BalanceSeries[];
  /** The newest event the audit index holds: the history is complete up to there. */
  through: string | null;
}

/** Day by day balances of every asset the player ever held, from the first posting. */
export async function balanceHistory(db: Db, playerId: string): Promise<BalanceHistory> {
  const found = await rows<{ day: string; asset: number; name: string; balance: string }>(db, sql`
    with postings as (
      select e.created_at, (p->>'asset')::int as asset, (p->>'available')::bigint + (p->>'reserved')::bigint as delta
      from event_search s
      join events e on e.event_id = s.event_id
      cross join lateral jsonb_array_elements(case when jsonb_typeof(e.payload->'postings') = 'array' then e.payload->'postings' else '[]'::jsonb end) p
      where s.refs @> array[${playerId}::uuid] and p->>'player' = ${playerId}
    ), daily as (
      select date_trunc('day', created_at at time zone 'UTC') as day, asset, sum(delta) as delta from postings group by 1, 2
    )
    select to_char(d.day, 'YYYY-MM-DD') as day, d.asset::int as asset,
      case when d.asset = 0 then 'gold' else coalesce(t.name, 'item ' || d.asset) end as name,
      (sum(d.delta) over (partition by d.asset order by d.day))::text as balance
    from daily d left join item_types t on t.id = d.asset
    order by d.asset, d.day`);
  const series = new Map<number, BalanceSeries>();
  for (const r of found) {
    const s = series.get(r.asset) ?? { asset: r.asset, name: r.name, points: [] };
    s.points.push({ day: r.day, balance: Number(r.balance) });
    series.set(r.asset, s);
  }
  const [indexed] = await rows<{ at: string | null }>(db, sql`select to_char(max(created_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at from event_search`);
  return { series: [...series.values()], through: indexed?.at ?? null };
}

export interface LinkedAccount {
  playerId: string;
  username: string;
  /** Browsers (device cookies) both signed in from. */
  sharedDevices: number;
  /** Fills between the two (either side). */
  trades: number;
  /** Gold that changed hands in those fills (price x quantity, copper). */
  tradedValue: number;
  lastSeen: string | null;
}

/** Players sharing a browser with this one, and their 10 most frequent counterparties. */
export async function linkedAccounts(db: Db, playerId: string): Promise<LinkedAccount[]> {
  return (
    await rows<{ playerId: string; username: string; sharedDevices: number; trades: string; tradedValue: string; lastSeen: string | null }>(db, sql`
      with devices as (
        select other.player_id, count(distinct other.device_key)::int as shared, max(other.created_at) as seen
        from session_devices mine
        join session_devices other on other.device_key = mine.device_key and other.player_id <> mine.player_id
        where mine.player_id = ${playerId} and mine.device_key is not null
        group by other.player_id
      ), fills_with as (
        select other, count(*) as trades, sum(price * quantity) as value, max(created_at) as seen from (
          select taker_player_id as other, price, quantity, created_at from fills where maker_player_id = ${playerId}
          union all
          select maker_player_id, price, quantity, created_at from fills where taker_player_id = ${playerId}
        ) f where other <> ${playerId}
        group by other order by count(*) desc limit 10
      )
      select p.id::text as "playerId", p.username, coalesce(d.shared, 0) as "sharedDevices",
        coalesce(f.trades, 0)::text as trades, coalesce(f.value, 0)::text as "tradedValue",
        to_char(greatest(d.seen, f.seen) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "lastSeen"
      from devices d full join fills_with f on f.other = d.player_id
      join players p on p.id = coalesce(d.player_id, f.other)
      order by coalesce(d.shared, 0) desc, coalesce(f.trades, 0) desc, p.username
      limit 30`)
  ).map((r) => ({ ...r, trades: Number(r.trades), tradedValue: Number(r.tradedValue) }));
}

export interface SessionRow {
  kind: "web" | "api";
  label: string | null;
  device: string | null;
  place: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  revokedAt: string | null;
}

/** Every session and API token the player opened, newest first (50). No token or hash leaves here. */
export async function sessionHistory(db: Db, playerId: string): Promise<SessionRow[]> {
  const time = (c: string) => sql.raw(`to_char(${c} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);
  return rows<SessionRow>(db, sql`
    select s.kind, s.label, d.device, d.place, ${time("s.created_at")} as "createdAt", ${time("s.last_used_at")} as "lastUsedAt",
      ${time("s.expires_at")} as "expiresAt", ${time("s.revoked_at")} as "revokedAt"
    from sessions s left join session_devices d on d.session_id = s.id
    where s.player_id = ${playerId}
    order by s.created_at desc
    limit 50`);
}
