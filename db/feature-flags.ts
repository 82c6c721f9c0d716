/**
 * Feature flags' storage (issue 21, ADR 026): the rows the edge evaluates (edge/flags) and the
 * admins' change. A change locks the flag's row, writes the new rule and a `feature_flag_changed`
 * event (before, after, reason) on the stream `feature-flag:<key>` in one transaction: the audit
 * log shows who changed what and why. Saving the same rule again records nothing.
 */
import { sql } from "drizzle-orm";
import type { FlagRule } from "../edge/flags/flags";
import { rows, withTx, type Db } from "./db";
import { appendEvents } from "./ledger/events";
import { fail, type Result } from "./result";

export interface FeatureFlag extends Required<FlagRule> {
  description: string;
  /** player id -> username, for the overrides the console shows. */
  playerNames: Record<string, string>;
  updatedBy: string | null;
  /** The username of the operator who changed it last (updatedBy "operator:<id>"). */
  updatedByName: string | null;
  updatedAt: string;
}

/** What an admin changes; fields left out stay. In `players` and `roles`, null removes an override. */
export interface FlagChange {
  enabled?: boolean;
  rolloutPercent?: number;
  /** username -> on/off/null */
  players?: Record<string, boolean | null>;
  /** role -> on/off/null */
  roles?: Record<string, boolean | null>;
  reason: string;
}

interface Row {
  key: string;
  description: string;
  enabled: boolean;
  rollout_percent: number;
  players: Record<string, boolean>;
  roles: Record<string, boolean>;
  updated_by: string | null;
  updated_at: string;
}

const SELECT = sql`select key, description, enabled, rollout_percent, players, roles, updated_by,
  to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as updated_at from feature_flags`;

const ruleOf = (r: Row): Required<FlagRule> => ({ key: r.key, enabled: r.enabled, rolloutPercent: r.rollout_percent, players: r.players, roles: r.roles });

/** Every flag's rule: what the edge's cache loads. */
export async function loadFlagRules(db: Db): Promise<FlagRule[]> {
  return (await rows<Row>(db, sql`${SELECT} order by key`)).map(ruleOf);
}

async function withNames(db: Db, found: Row[]): Promise<FeatureFlag[]> {
  const operatorOf = (r: Row) => /^operator:([0-9a-f-]{36})$/.exec(r.updated_by ?? "")?.[1];
  const ids = [...new Set(found.flatMap((r) => [...Object.keys(r.players), ...(operatorOf(r) ? [operatorOf(r)!] : [])]))];
  const names = ids.length === 0 ? [] : await rows<{ id: string; username: string }>(db, sql`
    select id::text as id, username from players where id = any(${`{${ids.join(",")}}`}::uuid[])`);
  const nameOf = new Map(names.map((n) => [n.id, n.username]));
  return found.map((r) => ({
    ...ruleOf(r), description: r.description, updatedBy: r.updated_by, updatedAt: r.updated_at,
    updatedByName: nameOf.get(operatorOf(r) ?? "") ?? null,
    playerNames: Object.fromEntries(Object.keys(r.players).map((id) => [id, nameOf.get(id) ?? id])),
  }));
}

/** Every flag with its overrides' usernames, for the console and the operators' API. */
export async function listFeatureFlags(db: Db): Promise<FeatureFlag[]> {
  return withNames(db, await rows<Row>(db, sql`${SELECT} order by key`));
}

/** What is wrong with a change, naming the field (the API's schema checks the same first). */
export function flagChangeProblem(change: FlagChange, roles: readonly string[]): string | undefined {
  const p = change.rolloutPercent;
  if (p !== undefined && !(Number.isInteger(p) && p >= 0 && p <= 100)) return "rolloutPercent must be a whole number from 0 to 100";
  const unknownRole = Object.keys(change.roles ?? {}).find((r) => !roles.includes(r));
  if (unknownRole !== undefined) return `there is no role ${unknownRole} (roles: ${roles.join(", ")})`;
  const reason = change.reason.trim();
  if (reason.length < 3 || reason.length > 500) return "a reason of 3 to 500 characters is required: it goes in the audit log";
  if (Object.keys(change.players ?? {}).length > 100) return "at most 100 player overrides in one change";
  return undefined;
}

const merged = (now: Record<string, boolean>, change: Record<string, boolean | null> | undefined) => {
  const next = { ...now };
  for (const [k, v] of Object.entries(change ?? {})) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return Object.fromEntries(Object.entries(next).sort(([a], [b]) => a.localeCompare(b)));
};

/**
 * Applies an admin's change to a flag. Unknown flag: 404; a bad value or an unknown username or
 * role: 400 naming it, nothing written. Returns the flag now and whether anything changed.
 */
export async function changeFeatureFlag(db: Db, actor: string, key: string, change: FlagChange, roles: readonly string[]): Promise<Result<{ flag: FeatureFlag; changed: boolean }>> {
  const problem = flagChangeProblem(change, roles);
  if (problem) return fail(400, "invalid_flag_change", problem);
  return withTx(db, async (tx): Promise<Result<{ flag: FeatureFlag; changed: boolean }>> => {
    const [row] = await rows<Row>(tx, sql`${SELECT} where key = ${key} for update`);
    if (!row) return fail(404, "unknown_flag", `there is no feature flag ${key}`);
    const usernames = Object.keys(change.players ?? {});
    const found = usernames.length === 0 ? [] : await rows<{ id: string; username: string }>(tx, sql`
      select id::text as id, username from players where username = any(${`{${usernames.map((u) => JSON.stringify(u)).join(",")}}`}::text[])`);
    const idOf = new Map(found.map((f) => [f.username, f.id]));
    const missing = usernames.filter((u) => !idOf.has(u));
    if (missing.length > 0) return fail(400, "unknown_player", `there is no player ${missing.join(", ")}`);
    const byId = Object.fromEntries(Object.entries(change.players ?? {}).map(([u, v]) => [idOf.get(u)!, v]));
    const before = ruleOf(row);
    const after: Required<FlagRule> = {
      key,
      enabled: change.enabled ?? before.enabled,
      rolloutPercent: change.rolloutPercent ?? before.rolloutPercent,
      players: merged(before.players, byId),
      roles: merged(before.roles, change.roles),
    };
    const changed = JSON.stringify(after) !== JSON.stringify({ ...before, players: merged(before.players, {}), roles: merged(before.roles, {}) });
    if (changed) {
      await tx.execute(sql`update feature_flags set enabled = ${after.enabled}, rollout_percent = ${after.rolloutPercent},
        players = ${JSON.stringify(after.players)}::jsonb, roles = ${JSON.stringify(after.roles)}::jsonb, updated_by = ${actor}, updated_at = now()
        where key = ${key}`);
      await appendEvents(tx, { actor }, [{ stream: `feature-flag:${key}`, type: "feature_flag_changed", payload: { key, before, after, reason: change.reason.trim() } }]);
    }
    const [now] = await withNames(tx, await rows<Row>(tx, sql`${SELECT} where key = ${key}`));
    return { ok: true, flag: now!, changed };
  });
}
