/**
 * Web Push in the database (ADR 014): players' device subscriptions, and the alerts outbox's push
 * side (claim due alerts, settle them). The alert rows are written by their causes (issue 16);
 * this module only moves push_state / push_attempts / push_next_at / pushed_at.
 *
 * Claiming is a LEASE, not a held transaction: one short UPDATE picks due rows with FOR UPDATE SKIP
 * LOCKED (concurrent senders take disjoint rows), counts the attempt and moves push_next_at a lease
 * ahead; the sender then talks to the push services with no transaction open and settles each row.
 * A sender that dies after claiming leaves its rows 'due' with push_next_at = the lease's end: they
 * are claimed again then (at least once; devices deduplicate by the alert id).
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "./db";

export interface PushSubscriptionRow {
  id: string;
  endpoint: string;
  userAgent: string | null;
  createdAt: string;
  lastSuccessAt: string | null;
}

const SUB_COLUMNS = sql`id::text as "id", endpoint, user_agent as "userAgent", to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
  to_char(last_success_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "lastSuccessAt"`;

/**
 * Saves a device's subscription for a player. The endpoint is the device's identity: the same
 * endpoint again updates its keys, and a device signed in as another player moves to that player.
 * Returns undefined when the player already has `maxPerPlayer` other devices.
 */
export async function upsertSubscription(
  db: Db,
  s: { playerId: string; endpoint: string; p256dh: string; auth: string; userAgent: string | null },
  maxPerPlayer: number,
): Promise<PushSubscriptionRow | undefined> {
  const [row] = await rows<PushSubscriptionRow>(db, sql`
    insert into push_subscriptions (player_id, endpoint, p256dh, auth, user_agent)
    select ${s.playerId}::uuid, ${s.endpoint}, ${s.p256dh}, ${s.auth}, ${s.userAgent}
    where (select count(*) from push_subscriptions where player_id = ${s.playerId}::uuid and endpoint <> ${s.endpoint}) < ${maxPerPlayer}
    on conflict (endpoint) do update set player_id = excluded.player_id, p256dh = excluded.p256dh, auth = excluded.auth,
      user_agent = excluded.user_agent,
      created_at = case when push_subscriptions.player_id = excluded.player_id then push_subscriptions.created_at else now() end,
      last_success_at = case when push_subscriptions.player_id = excluded.player_id then push_subscriptions.last_success_at end
    returning ${SUB_COLUMNS}`);
  return row;
}

export function listSubscriptions(db: Db, playerId: string): Promise<PushSubscriptionRow[]> {
  return rows<PushSubscriptionRow>(db, sql`select ${SUB_COLUMNS} from push_subscriptions where player_id = ${playerId}::uuid order by created_at, id`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Deletes one of the player's subscriptions by id; false when the player has none with that id. */
export async function deleteSubscription(db: Db, q: { playerId: string; id: string }): Promise<boolean> {
  if (!UUID.test(q.id)) return false;
  const deleted = await rows(db, sql`delete from push_subscriptions where id = ${q.id}::uuid and player_id = ${q.playerId}::uuid returning id`);
  return deleted.length > 0;
}

/** Deletes the player's subscription with this endpoint (the page knows its endpoint, not the id). */
export async function deleteSubscriptionByEndpoint(db: Db, q: { playerId: string; endpoint: string }): Promise<boolean> {
  const deleted = await rows(db, sql`delete from push_subscriptions where endpoint = ${q.endpoint} and player_id = ${q.playerId}::uuid returning id`);
  return deleted.length > 0;
}

// ---------------------------------------------------------------------------------------------
// The sender's side

export interface ClaimedAlert {
  id: string;
  playerId: string;
  kind: string;
  title: string;
  body: string;
  url: string;
  icon: string | null;
  createdAt: string;
  /** Attempts so far, this one included. */
  attempts: number;
}

export interface DeviceKeys {
  id: string;
  playerId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** Claims up to `limit` due alerts for `leaseSeconds` (see the module comment). */
export function claimDueAlerts(db: Db, q: { limit: number; leaseSeconds: number }): Promise<ClaimedAlert[]> {
  return rows<ClaimedAlert>(db, sql`
    update alerts a set push_attempts = a.push_attempts + 1, push_next_at = now() + make_interval(secs => ${q.leaseSeconds})
    where a.id in (
      select id from alerts
      where push_state = 'due' and (push_next_at <= now() or push_next_at is null)
      order by push_next_at nulls first
      limit ${q.limit}
      for update skip locked)
    returning a.id::text as "id", a.player_id::text as "playerId", a.kind, a.title, a.body, a.url, a.icon,
      to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "createdAt", a.push_attempts as "attempts"`);
}

const uuidArray = (ids: string[]) => `{${ids.filter((id) => UUID.test(id)).join(",")}}`;

export function devicesOf(db: Db, playerIds: string[]): Promise<DeviceKeys[]> {
  if (playerIds.length === 0) return Promise.resolve([]);
  return rows<DeviceKeys>(db, sql`
    select id::text as "id", player_id::text as "playerId", endpoint, p256dh, auth
    from push_subscriptions where player_id = any(${uuidArray([...new Set(playerIds)])}::uuid[]) order by id`);
}

export type Settlement =
  | { id: string; attempts: number; state: "sent" }
  | { id: string; attempts: number; state: "dead" }
  | { id: string; attempts: number; state: "due"; delaySeconds: number };

/**
 * Settles claimed alerts in one statement. A row is settled only while it still carries this
 * claim's attempt count: a sender whose lease ran out (and whose rows another sender claimed
 * again) changes nothing.
 */
export async function settleAlerts(db: Db, settled: Settlement[]): Promise<number> {
  if (settled.length === 0) return 0;
  const ids = uuidArray(settled.map((s) => s.id));
  const attempts = `{${settled.map((s) => s.attempts | 0).join(",")}}`;
  const states = `{${settled.map((s) => s.state).join(",")}}`;
  const delays = `{${settled.map((s) => (s.state === "due" ? Math.max(0, Math.ceil(s.delaySeconds)) : 0)).join(",")}}`;
  const done = await rows(db, sql`
    update alerts a set
      push_state = s.state,
      push_next_at = case when s.state = 'due' then now() + make_interval(secs => s.delay) else null end,
      pushed_at = case when s.state = 'sent' then now() else a.pushed_at end
    from unnest(${ids}::uuid[], ${attempts}::int[], ${states}::text[], ${delays}::int[]) as s(id, attempts, state, delay)
    where a.id = s.id and a.push_state = 'due' and a.push_attempts = s.attempts
    returning a.id`);
  return done.length;
}

export async function forgetSubscriptions(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(sql`delete from push_subscriptions where id = any(${uuidArray(ids)}::uuid[])`);
}

export async function touchSubscriptions(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(sql`update push_subscriptions set last_success_at = now() where id = any(${uuidArray(ids)}::uuid[])`);
}

/**
 * The outbox's depth and lag for the edge's metrics (issue 21): alerts due for a push, and how long
 * the most overdue one has waited (since its push_next_at, or its creation when it has none).
 * The partial index alerts_push_due_idx holds exactly the due rows.
 */
export async function outboxState(db: Db): Promise<{ due: number; lagSeconds: number }> {
  const [row] = await rows<{ due: number; lag: number | string | null }>(
    db,
    sql`select count(*)::int as due,
          coalesce(extract(epoch from now() - min(coalesce(push_next_at, created_at)) filter (where coalesce(push_next_at, created_at) <= now())), 0)::float8 as lag
        from alerts where push_state = 'due'`,
  );
  return { due: Number(row?.due ?? 0), lagSeconds: Math.max(0, Number(row?.lag ?? 0)) };
}
