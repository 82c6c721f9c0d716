/**
 * Is each part of Bazaar reachable? Used by GET /api/v1/healthz and by the worker when a request
 * failed with a 5xx: if a part is down, the player gets 503 with Retry-After and words saying what
 * is restarting, instead of "something broke" (the stack restarts the part by itself).
 */
import { sql } from "drizzle-orm";
import { openNeon } from "../db/neon";
import type { Env } from "./env.server";

/**
 * "slow": the part did not answer within the timeout but nothing refused us either (a full pool, a
 * busy machine). Slow is not down: a health check that failed on a busy database would turn a
 * queue into 503s for everyone. "down": the connection was refused, broke, or the part said so.
 */
export type PartState = "up" | "slow" | "down";
export interface Health {
  ok: boolean;
  db: PartState;
  rooms: PartState | "not configured";
}

const TIMEOUT_MS = 2_500;

/** "up" when `probe` settles well within `ms`, "down" when it fails, "slow" when it is still waiting. */
export function stateWithin(probe: Promise<unknown>, ms: number): Promise<PartState> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    probe.then((): PartState => "up", (): PartState => "down"),
    new Promise<PartState>((resolve) => (timer = setTimeout(() => resolve("slow"), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A probe that failed is tried once more at once, on a new connection: a kept-alive connection the
 * other side closed just as it was reused fails one request, and a part that is really down fails
 * both. One lost connection is not "the market rooms are restarting" (CI saw exactly that).
 */
export function twice<T>(probe: () => Promise<T>): Promise<T> {
  return probe().catch(() => probe());
}

export async function databaseState(env: Env): Promise<PartState> {
  const opened = openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: 1 });
  try {
    return await stateWithin(twice(() => opened.db.execute(sql`select 1`)), TIMEOUT_MS);
  } finally {
    void opened.close();
  }
}

export async function roomsState(env: Env): Promise<Health["rooms"]> {
  if (!env.PARTY_HOST) return "not configured";
  const local = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(env.PARTY_HOST);
  const controller = new AbortController();
  const probe = twice(() =>
    fetch(`${local ? "http" : "https"}://${env.PARTY_HOST}/`, { signal: controller.signal }).then(async (res) => {
      await res.arrayBuffer();
      if (res.status >= 500) throw new Error(`rooms answered ${res.status}`);
    }),
  );
  const state = await stateWithin(probe, TIMEOUT_MS);
  if (state === "slow") controller.abort();
  return state;
}

export async function health(env: Env): Promise<Health> {
  const [db, rooms] = await Promise.all([databaseState(env), roomsState(env)]);
  return { ok: db !== "down" && rooms !== "down", db, rooms };
}

/** What is down, in words, or undefined when everything answers. */
export function downMessage(h: Health): string | undefined {
  if (h.ok) return undefined;
  const parts = [h.db === "down" ? "the database" : undefined, h.rooms === "down" ? "the market rooms" : undefined].filter(Boolean);
  return `${parts.join(" and ")} ${parts.length > 1 ? "are" : "is"} restarting; try again in a few seconds (an order sent just now is listed under Orders if it was placed)`;
}

export const RETRY_AFTER_SECONDS = "5";
