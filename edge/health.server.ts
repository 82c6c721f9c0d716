/**
 * Is each part of Bazaar reachable? Used by GET /api/v1/healthz and by the worker when a request
 * failed with a 5xx: if a part is down, the player gets 503 with Retry-After and words saying what
 * is restarting, instead of "something broke" (the stack restarts the part by itself).
 */
import { sql } from "drizzle-orm";
import { openNeon } from "../db/neon";
import type { Env } from "./env.server";

export type PartState = "up" | "down";
export interface Health {
  ok: boolean;
  db: PartState;
  rooms: PartState | "not configured";
}

const TIMEOUT_MS = 2_500;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

export async function databaseState(env: Env): Promise<PartState> {
  const opened = openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: 1 });
  try {
    await within(opened.db.execute(sql`select 1`), TIMEOUT_MS);
    return "up";
  } catch {
    return "down";
  } finally {
    void opened.close();
  }
}

export async function roomsState(env: Env): Promise<Health["rooms"]> {
  if (!env.PARTY_HOST) return "not configured";
  const local = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(env.PARTY_HOST);
  try {
    const res = await fetch(`${local ? "http" : "https"}://${env.PARTY_HOST}/`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.arrayBuffer();
    return res.status < 500 ? "up" : "down";
  } catch {
    return "down";
  }
}

export async function health(env: Env): Promise<Health> {
  const [db, rooms] = await Promise.all([databaseState(env), roomsState(env)]);
  return { ok: db === "up" && rooms !== "down", db, rooms };
}

/** What is down, in words, or undefined when everything answers. */
export function downMessage(h: Health): string | undefined {
  if (h.ok) return undefined;
  const parts = [h.db === "down" ? "the database" : undefined, h.rooms === "down" ? "the market rooms" : undefined].filter(Boolean);
  return `${parts.join(" and ")} ${parts.length > 1 ? "are" : "is"} restarting; try again in a few seconds (an order sent just now is listed under Orders if it was placed)`;
}

export const RETRY_AFTER_SECONDS = "5";
