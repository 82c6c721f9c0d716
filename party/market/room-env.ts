/**
 * The market rooms' own configuration check (ADR 031): what a room needs before it can open a
 * market, each problem naming its variable (never its value) and how to set it. Pure: the room
 * (party/market.ts) answers 503 with this message instead of failing every request with a 500.
 */

/** Set with `partykit deploy --var NAME=...` (or `partykit env add NAME`). */
import { neonUnpooled } from "../../db/neon-url";
import { tracerConfig } from "../telemetry/tracer";

export const ROOM_REQUIRED = ["DATABASE_URL", "ROOM_SECRET"] as const;

const missing = (name: string) => `${name}: missing (partykit env add ${name}, or partykit deploy --var ${name}=...)`;

export function roomEnvProblems(env: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const text = (name: string) => (typeof env[name] === "string" && env[name] !== "" ? (env[name] as string) : undefined);
  const databaseUrl = text("DATABASE_URL");
  if (!databaseUrl) problems.push(missing("DATABASE_URL"));
  else if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push("DATABASE_URL: must be a postgres:// URL");
  else if (neonUnpooled(databaseUrl)) problems.push("DATABASE_URL: use Neon's pooled connection string (its host has -pooler): every room keeps its own connections");
  const secret = text("ROOM_SECRET");
  if (!secret) problems.push(missing("ROOM_SECRET"));
  else if (secret.length < 32) problems.push("ROOM_SECRET: must be at least 32 characters (the edge's ROOM_SECRET)");
  const poolMax = text("DB_POOL_MAX");
  if (poolMax !== undefined && !/^([1-9]|1[0-9]|20)$/.test(poolMax)) problems.push("DB_POOL_MAX: must be a whole number from 1 to 20");
  const idle = text("DB_IDLE_MS");
  if (idle !== undefined && !/^[1-9][0-9]{0,6}$/.test(idle)) problems.push("DB_IDLE_MS: must be a whole number of milliseconds from 1 to 9999999");
  const connect = text("DB_CONNECT_TIMEOUT_MS");
  if (connect !== undefined && !(/^[0-9]{3,5}$/.test(connect) && Number(connect) >= 500 && Number(connect) <= 60_000)) problems.push("DB_CONNECT_TIMEOUT_MS: must be a whole number of milliseconds from 500 to 60000");
  const wait = text("ROOM_QUEUE_WAIT_MS");
  if (wait !== undefined && !(/^[0-9]{3,5}$/.test(wait) && Number(wait) >= 100 && Number(wait) <= 19_000)) problems.push("ROOM_QUEUE_WAIT_MS: must be a whole number of milliseconds from 100 to 19000 (under the edge's 20 s command timeout)");
  const queueMax = text("ROOM_QUEUE_MAX");
  if (queueMax !== undefined && !(/^[0-9]{4,7}$/.test(queueMax) && Number(queueMax) >= 1_000 && Number(queueMax) <= 1_000_000)) problems.push("ROOM_QUEUE_MAX: must be a whole number of commands from 1000 to 1000000");
  const drain = text("PUSH_DRAIN_URL");
  if (drain !== undefined && !/^https?:\/\/\S+$/.test(drain)) problems.push("PUSH_DRAIN_URL: must be an http(s) URL (https://<edge>/__push/drain)");
  problems.push(...tracerConfig(env, "bazaar-market").problems);
  return problems;
}

/** One line for the log and the 503, or undefined when the room may open. */
export function roomEnvMessage(env: Record<string, unknown>): string | undefined {
  const problems = roomEnvProblems(env);
  return problems.length > 0 ? `market rooms misconfigured: ${problems.join("; ")}` : undefined;
}
