/**
 * Rate limits on every door (ADR 022): @upstash/ratelimit's sliding window on Upstash Redis when
 * UPSTASH_REDIS_REST_URL is set (one counter shared by every isolate and worker), else a fixed
 * window on the isolate's in-process store (`npm start`, one process). A refusal is a 429 with
 * Retry-After and a message that says what was limited and when to come back.
 */
import { Ratelimit } from "@upstash/ratelimit";
import { Redis as UpstashRedis } from "@upstash/redis/cloudflare";
import { createRedis, type RedisStore } from "../redis.server";
import { DOOR_LIMITS, type Door } from "./doors";
import { edgeOutcomes } from "../metrics/outcomes";

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number; message: string };

export interface RateLimitEnv {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Multiplies every limit (tests that sign up many players from one address); default 1. */
  RATE_LIMIT_FACTOR?: number;
  /** Redis key prefix (tests use one per run); default "bazaar:rl". */
  RATE_LIMIT_PREFIX?: string;
}

export interface Limiter {
  /** Counts one request through the door for each identifier; refused when any is over. */
  check(door: Door, identifiers: { address: string; credential?: string | undefined }): Promise<Verdict>;
}

type Counter = (door: Door, kind: "address" | "credential", id: string, limit: number, windowSeconds: number) => Promise<{ ok: boolean; resetMs: number }>;

function upstashCounter(url: string, token: string, prefix: string): Counter {
  const redis = new UpstashRedis({ url, token, enableTelemetry: false, retry: { retries: 1, backoff: () => 50 } });
  const limiters = new Map<string, Ratelimit>();
  return async (door, kind, id, limit, windowSeconds) => {
    const name = `${door}:${kind}:${limit}:${windowSeconds}`;
    let rl = limiters.get(name);
    if (!rl) {
      rl = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(limit, `${windowSeconds} s`), prefix: `${prefix}:${door}:${kind}`, analytics: false, ephemeralCache: new Map(), timeout: 2000 });
      limiters.set(name, rl);
    }
    const r = await rl.limit(id);
    return { ok: r.success, resetMs: r.reset };
  };
}

function memoryCounter(store: RedisStore, prefix: string, now: () => number): Counter {
  return async (door, kind, id, limit, windowSeconds) => {
    const { count, ttl } = await store.incrWithExpiry(`${prefix}:${door}:${kind}:${id}`, windowSeconds);
    return { ok: count <= limit, resetMs: now() + Math.max(1, ttl) * 1000 };
  };
}

function wait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

export function createLimiter(env: RateLimitEnv, now: () => number = Date.now, store?: RedisStore): Limiter {
  const prefix = env.RATE_LIMIT_PREFIX ?? "bazaar:rl";
  const factor = Math.max(1, env.RATE_LIMIT_FACTOR ?? 1);
  const count = env.UPSTASH_REDIS_REST_URL ? upstashCounter(env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN ?? "", prefix) : memoryCounter(store ?? createRedis(env), prefix, now);
  return {
    async check(door, { address, credential }) {
      const spec = DOOR_LIMITS[door];
      const checks: Array<["address" | "credential", string, number]> = [["address", address, spec.perAddress * factor]];
      if (credential && spec.perCredential) checks.push(["credential", credential, spec.perCredential * factor]);
      for (const [kind, id, limit] of checks) {
        const r = await count(door, kind, id, limit, spec.windowSeconds);
        if (!r.ok) {
          edgeOutcomes.rateLimited.add(door); // the edge's metrics (ADR 040)
          const retryAfterSeconds = Math.max(1, Math.ceil((r.resetMs - now()) / 1000));
          const who = kind === "address" ? "from your address" : credential?.startsWith("server:") ? "with this game-server key" : "from your account";
          return { ok: false, retryAfterSeconds, message: `too many ${spec.what} ${who}: at most ${limit} per ${wait(spec.windowSeconds)}. Try again in ${wait(retryAfterSeconds)}.` };
        }
      }
      return { ok: true };
    },
  };
}

/** The caller's address: Cloudflare's CF-Connecting-IP (wrangler dev sets it too), else "unknown". */
export const callerAddress = (request: Request) => request.headers.get("CF-Connecting-IP") ?? "unknown";

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest.slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The credential the request shows, hashed (never stored as sent): a game server's key id, a
 * bearer token, or the session cookie. Undefined before sign-in.
 */
export async function callerCredential(request: Request, door: Door): Promise<string | undefined> {
  if (door === "game-server") {
    const key = request.headers.get("X-Bazaar-Key");
    return key ? `server:${key.slice(0, 64)}` : undefined;
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("Authorization") ?? "")?.[1];
  if (bearer) return `token:${await sha256(bearer)}`;
  const cookie = /(?:^|;\s*)(?:__Host-)?bazaar_session=([^;]+)/.exec(request.headers.get("Cookie") ?? "")?.[1];
  return cookie ? `session:${await sha256(cookie)}` : undefined;
}

let cached: { env: RateLimitEnv; limiter: Limiter } | undefined;
/** One limiter per env object (per isolate). */
export function limiterFor(env: RateLimitEnv): Limiter {
  if (cached?.env !== env) cached = { env, limiter: createLimiter(env) };
  return cached.limiter;
}
