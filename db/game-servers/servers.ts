/**
 * Game servers and their keys: created by an operator (CLI `npm run server:create` or the operator
 * API), each key's secret shown once and stored sealed (edge/server-api/secret-box.ts). Rotation:
 * a server has at most two live keys; add the new one, move the game server to it, revoke the old.
 */
import { sql } from "drizzle-orm";
import { newKeyPair, openSecret, sealSecret } from "../../edge/server-api/secret-box";
import { rows, withTx, type Db } from "../db";
import { appendEvents } from "../ledger";
import { fail, type Result } from "../result";
import { isScope, SERVER_NAME, type GameServer, type MintLimits, type Scope } from "./scopes";

export const MAX_LIVE_KEYS = 2;

export interface IssuedKey {
  keyId: string;
  /** Shown once; only its sealed form is stored. */
  secret: string;
}

interface ServerRow {
  id: string;
  name: string;
  scopes: string[];
  mint_limits: MintLimits;
  status: GameServer["status"];
}
const toServer = (r: ServerRow): GameServer => ({ id: r.id, name: r.name, scopes: r.scopes.filter(isScope), mintLimits: r.mint_limits ?? {}, status: r.status });

export async function createServer(
  db: Db,
  master: string,
  input: { name: string; scopes: Scope[]; mintLimits: MintLimits; createdBy: string },
): Promise<Result<{ server: GameServer } & IssuedKey>> {
  if (!SERVER_NAME.test(input.name)) return fail(400, "invalid_name", "name must be 2-40 lowercase letters, digits or -, starting with a letter or digit");
  const bad = input.scopes.find((s) => !isScope(s));
  if (bad) return fail(400, "invalid_scope", `unknown scope ${bad}`);
  for (const [k, v] of Object.entries(input.mintLimits)) {
    if ((k !== "currency" && k !== "items") || !Number.isSafeInteger(v) || (v as number) < 0) {
      return fail(400, "invalid_mint_limits", "mint limits are { currency?: copper per hour, items?: items per hour }, whole numbers >= 0");
    }
  }
  return withTx(db, async (tx) => {
    const [row] = await rows<ServerRow>(tx, sql`
      insert into game_servers (name, scopes, mint_limits, created_by)
      values (${input.name}, ${`{${[...new Set(input.scopes)].join(",")}}`}::text[], ${JSON.stringify(input.mintLimits)}::jsonb, ${input.createdBy})
      on conflict (name) do nothing
      returning id::text as id, name, scopes, mint_limits, status`);
    if (!row) return fail(409, "server_exists", `a game server named ${input.name} already exists`);
    const key = await insertKey(tx, master, row.id);
    await appendEvents(tx, { actor: input.createdBy }, [
      { stream: `server:${row.id}`, type: "server_created", payload: { name: row.name, scopes: row.scopes, mintLimits: row.mint_limits, keyId: key.keyId } },
    ]);
    return { ok: true as const, server: toServer(row), ...key };
  });
}

async function insertKey(tx: Db, master: string, serverId: string): Promise<IssuedKey> {
  const { keyId, secret } = newKeyPair();
  await tx.execute(sql`insert into game_server_keys (id, server_id, secret_enc) values (${keyId}, ${serverId}, ${await sealSecret(master, secret, keyId)})`);
  return { keyId, secret };
}

async function serverByName(tx: Db, name: string, lock = false) {
  const [row] = await rows<ServerRow>(tx, lock
    ? sql`select id::text as id, name, scopes, mint_limits, status from game_servers where name = ${name} for update`
    : sql`select id::text as id, name, scopes, mint_limits, status from game_servers where name = ${name}`);
  return row ? toServer(row) : undefined;
}

/** Rotation, step one: a second live key. Refused while two are live (revoke the old one first). */
export async function addKey(db: Db, master: string, name: string, by: string): Promise<Result<IssuedKey>> {
  return withTx(db, async (tx) => {
    const server = await serverByName(tx, name, true); // serializes concurrent rotations
    if (!server) return fail(404, "unknown_server", `no game server named ${name}`);
    const [live] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from game_server_keys where server_id = ${server.id} and revoked_at is null`);
    if ((live?.n ?? 0) >= MAX_LIVE_KEYS) return fail(409, "too_many_keys", `${name} already has ${MAX_LIVE_KEYS} live keys: revoke the old one before adding another`);
    const key = await insertKey(tx, master, server.id);
    await appendEvents(tx, { actor: by }, [{ stream: `server:${server.id}`, type: "server_key_added", payload: { keyId: key.keyId } }]);
    return { ok: true as const, ...key };
  });
}

/** An operator changes a server's scopes, limits or status (disabled: every key refused). */
export async function updateServer(
  db: Db,
  name: string,
  change: { scopes?: Scope[]; mintLimits?: MintLimits; status?: GameServer["status"] },
  by: string,
): Promise<Result<{ server: GameServer }>> {
  const bad = change.scopes?.find((s) => !isScope(s));
  if (bad) return fail(400, "invalid_scope", `unknown scope ${bad}`);
  for (const [k, v] of Object.entries(change.mintLimits ?? {})) {
    if ((k !== "currency" && k !== "items") || !Number.isSafeInteger(v) || (v as number) < 0) {
      return fail(400, "invalid_mint_limits", "mint limits are { currency?: copper per hour, items?: items per hour }, whole numbers >= 0");
    }
  }
  return withTx(db, async (tx) => {
    const [row] = await rows<ServerRow>(tx, sql`
      update game_servers set
        scopes = coalesce(${change.scopes ? `{${[...new Set(change.scopes)].join(",")}}` : null}::text[], scopes),
        mint_limits = coalesce(${change.mintLimits ? JSON.stringify(change.mintLimits) : null}::jsonb, mint_limits),
        status = coalesce(${change.status ?? null}, status)
      where name = ${name} returning id::text as id, name, scopes, mint_limits, status`);
    if (!row) return fail(404, "unknown_server", `no game server named ${name}`);
    await appendEvents(tx, { actor: by }, [{ stream: `server:${row.id}`, type: "server_updated", payload: { change } }]);
    return { ok: true as const, server: toServer(row) };
  });
}

export async function revokeKey(db: Db, name: string, keyId: string, by: string): Promise<Result<{ keyId: string }>> {
  return withTx(db, async (tx) => {
    const server = await serverByName(tx, name, true);
    if (!server) return fail(404, "unknown_server", `no game server named ${name}`);
    const done = await rows(tx, sql`
      update game_server_keys set revoked_at = now() where id = ${keyId} and server_id = ${server.id} and revoked_at is null returning id`);
    if (done.length === 0) return fail(404, "unknown_key", `${name} has no live key ${keyId}`);
    await appendEvents(tx, { actor: by }, [{ stream: `server:${server.id}`, type: "server_key_revoked", payload: { keyId } }]);
    return { ok: true as const, keyId };
  });
}

export async function listServers(db: Db) {
  const servers = await rows<ServerRow & { created_at: string }>(db, sql`
    select id::text as id, name, scopes, mint_limits, status, created_at::text from game_servers order by name`);
  const keys = await rows<{ id: string; server_id: string; created_at: string; last_used_at: string | null }>(db, sql`
    select id, server_id::text, created_at::text, last_used_at::text from game_server_keys where revoked_at is null order by created_at`);
  return servers.map((s) => ({
    ...toServer(s),
    keys: keys.filter((k) => k.server_id === s.id).map((k) => ({ keyId: k.id, createdAt: new Date(k.created_at).toISOString(), lastUsedAt: k.last_used_at ? new Date(k.last_used_at).toISOString() : null })),
  }));
}

/** A live key of an active server with its opened secret; undefined for anything else (unknown, revoked, disabled, unsealable). */
export async function findKey(db: Db, master: string, keyId: string): Promise<{ server: GameServer; secret: string; lastUsedAt: string | null } | undefined> {
  const [row] = await rows<ServerRow & { secret_enc: string; last_used_at: string | null }>(db, sql`
    select s.id::text as id, s.name, s.scopes, s.mint_limits, s.status, k.secret_enc, k.last_used_at::text
    from game_server_keys k join game_servers s on s.id = k.server_id
    where k.id = ${keyId} and k.revoked_at is null and s.status = 'active'`);
  if (!row) return undefined;
  const secret = await openSecret(master, row.secret_enc, keyId);
  if (!secret) return undefined;
  return { server: toServer(row), secret, lastUsedAt: row.last_used_at };
}

/** Marks a key used (at most once a minute; operators see it in server:list). */
export async function touchKey(db: Db, keyId: string): Promise<void> {
  await db.execute(sql`
    update game_server_keys set last_used_at = now() where id = ${keyId} and (last_used_at is null or last_used_at < now() - interval '1 minute')`);
}

/**
 * Records a signed request's nonce; false if the key used it before (a replay). Nonces outlive the
 * signature window on both sides, so a replay is refused for as long as its timestamp is valid.
 */
export async function useNonce(db: Db, keyId: string, nonce: string, windowSeconds: number): Promise<boolean> {
  const fresh = await rows(db, sql`
    with k as (update game_server_keys set last_used_at = now() where id = ${keyId} and (last_used_at is null or last_used_at < now() - interval '1 minute') returning 1)
    insert into server_request_nonces (key_id, nonce, expires_at)
    values (${keyId}, ${nonce}, now() + make_interval(secs => ${nonceSeconds(windowSeconds)}))
    on conflict do nothing returning 1`);
  return fresh.length > 0;
}

/** How long a nonce is kept: longer than its request's timestamp stays valid on either side. */
export const nonceSeconds = (windowSeconds: number) => windowSeconds * 2 + 60;

/** A signed mutating request's nonce, recorded by the action's own transaction (idempotency.ts). */
export interface PendingNonce {
  keyId: string;
  nonce: string;
  windowSeconds: number;
}

/** Housekeeping (cron): nonces past their window, server idempotency keys older than 48 h. */
export async function pruneServerState(db: Db): Promise<{ nonces: number; idempotencyKeys: number }> {
  const n = await rows(db, sql`delete from server_request_nonces where expires_at < now() returning 1`);
  const k = await rows(db, sql`delete from idempotency_keys where scope like 'server:%' and created_at < now() - interval '48 hours' returning 1`);
  return { nonces: n.length, idempotencyKeys: k.length };
}
