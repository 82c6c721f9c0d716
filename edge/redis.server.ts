/**
 * The few Redis operations Bazaar uses (soft state only: rate limits, leaderboards, hot market
 * stats; everything here can be rebuilt from Postgres), behind one small interface with two
 * implementations:
 *   - Upstash (REST) when UPSTASH_REDIS_REST_URL is set;
 *   - an in-process Map otherwise (per isolate; TTLs honoured), for `npm start` with no servers.
 * Values are strings; no automatic JSON (de)serialization.
 */
import { Redis as UpstashRedis } from "@upstash/redis/cloudflare";

export interface ScoredMember {
  member: string;
  score: number;
}

export interface SetOptions {
  /** Expire after this many seconds. */
  ex?: number;
  /** Only set when the key does not exist. */
  nx?: boolean;
}

export interface RedisStore {
  readonly kind: "upstash" | "memory";
  get(key: string): Promise<string | null>;
  /** true when the value was written (false only with nx and an existing key). */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  /** Number of keys removed. */
  del(...keys: string[]): Promise<number>;
  incr(key: string): Promise<number>;
  /** true when the key exists and got the timeout. */
  expire(key: string, seconds: number): Promise<boolean>;
  /** Seconds left; -1 no expiry; -2 no such key. */
  ttl(key: string): Promise<number>;
  /**
   * Fixed-window counter in one round trip: INCR, and EXPIRE only when the key has no expiry yet
   * (the first hit opens the window). Returns the count and the seconds left in the window.
   */
  incrWithExpiry(key: string, seconds: number): Promise<{ count: number; ttl: number }>;
  /** Number of members added (not updated). */
  zadd(key: string, ...entries: ScoredMember[]): Promise<number>;
  /** The member's new score. */
  zincrby(key: string, increment: number, member: string): Promise<number>;
  /** By rank, inclusive, negative indices from the end; rev = highest score first. */
  zrange(key: string, start: number, stop: number, options?: { rev?: boolean }): Promise<ScoredMember[]>;
  zscore(key: string, member: string): Promise<number | null>;
  /** Rank with the highest score first (0 = top), null when not a member. */
  zrevrank(key: string, member: string): Promise<number | null>;
  zcard(key: string): Promise<number>;
}

export interface RedisEnv {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
}

let memorySingleton: MemoryRedis | undefined;

/** Upstash when UPSTASH_REDIS_REST_URL is set, else the isolate's in-process store. */
export function createRedis(env: RedisEnv): RedisStore {
  if (env.UPSTASH_REDIS_REST_URL) {
    return upstashRedis(env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN ?? "");
  }
  return (memorySingleton ??= new MemoryRedis());
}

// ---------------------------------------------------------------------------------------------
// Upstash

const num = (v: unknown) => (typeof v === "number" ? v : Number(v));

export function upstashRedis(url: string, token: string): RedisStore {
  const redis = new UpstashRedis({
    url,
    token,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: 2, backoff: (n) => 50 * 2 ** n },
  });
  return {
    kind: "upstash",
    get: (key) => redis.get<string>(key),
    async set(key, value, options = {}) {
      const { ex, nx } = options;
      const result =
        ex !== undefined
          ? await (nx ? redis.set(key, value, { ex, nx: true }) : redis.set(key, value, { ex }))
          : await (nx ? redis.set(key, value, { nx: true }) : redis.set(key, value));
      return result === "OK";
    },
    del: (...keys) => (keys.length ? redis.del(...keys) : Promise.resolve(0)),
    incr: (key) => redis.incr(key),
    expire: async (key, seconds) => (await redis.expire(key, seconds)) === 1,
    ttl: (key) => redis.ttl(key),
    async incrWithExpiry(key, seconds) {
      const [count, , ttl] = await redis.multi().incr(key).expire(key, seconds, "NX").ttl(key).exec<[number, number, number]>();
      return { count: num(count), ttl: num(ttl) };
    },
    async zadd(key, ...entries) {
      if (entries.length === 0) return 0;
      const [first, ...rest] = entries.map((e) => ({ score: e.score, member: e.member }));
      return num(await redis.zadd(key, first!, ...rest));
    },
    zincrby: async (key, increment, member) => num(await redis.zincrby(key, increment, member)),
    async zrange(key, start, stop, options = {}) {
      const flat = await redis.zrange<unknown[]>(key, start, stop, { withScores: true, ...(options.rev ? { rev: true } : {}) });
      const out: ScoredMember[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ member: String(flat[i]), score: num(flat[i + 1]) });
      return out;
    },
    async zscore(key, member) {
      const s = await redis.zscore(key, member);
      return s === null || s === undefined ? null : num(s);
    },
    async zrevrank(key, member) {
      const r = await redis.zrevrank(key, member);
      return r === null || r === undefined ? null : num(r);
    },
    zcard: async (key) => num(await redis.zcard(key)),
  };
}

// ---------------------------------------------------------------------------------------------
// In-process

type Entry = { type: "string"; value: string; expiresAt?: number } | { type: "zset"; members: Map<string, number>; expiresAt?: number };

class WrongTypeError extends Error {
  constructor() {
    super("WRONGTYPE Operation against a key holding the wrong kind of value");
  }
}

export class MemoryRedis implements RedisStore {
  readonly kind = "memory" as const;
  private readonly data = new Map<string, Entry>();
  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string): Entry | undefined {
    const entry = this.data.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.data.delete(key);
      return undefined;
    }
    return entry;
  }

  private zset(key: string, create: boolean): Map<string, number> | undefined {
    const entry = this.live(key);
    if (entry && entry.type !== "zset") throw new WrongTypeError();
    if (entry) return entry.members;
    if (!create) return undefined;
    const members = new Map<string, number>();
    this.data.set(key, { type: "zset", members });
    return members;
  }

  async get(key: string) {
    const entry = this.live(key);
    if (entry && entry.type !== "string") throw new WrongTypeError();
    return entry?.value ?? null;
  }

  async set(key: string, value: string, options: SetOptions = {}) {
    if (options.nx && this.live(key)) return false;
    if (options.ex !== undefined && !(Number.isInteger(options.ex) && options.ex > 0)) throw new Error("ERR invalid expire time in 'set' command");
    this.data.set(key, { type: "string", value, ...(options.ex !== undefined ? { expiresAt: this.now() + options.ex * 1000 } : {}) });
    return true;
  }

  async del(...keys: string[]) {
    let n = 0;
    for (const key of keys) if (this.live(key) && this.data.delete(key)) n++;
    return n;
  }

  async incr(key: string) {
    const entry = this.live(key);
    if (entry && entry.type !== "string") throw new WrongTypeError();
    const current = entry ? entry.value : "0";
    if (!/^-?\d+$/.test(current) || !Number.isSafeInteger(Number(current) + 1)) throw new Error("ERR value is not an integer or out of range");
    const next = Number(current) + 1;
    this.data.set(key, { type: "string", value: String(next), ...(entry?.expiresAt !== undefined ? { expiresAt: entry.expiresAt } : {}) });
    return next;
  }

  async expire(key: string, seconds: number) {
    const entry = this.live(key);
    if (!entry) return false;
    if (seconds <= 0) this.data.delete(key);
    else entry.expiresAt = this.now() + seconds * 1000;
    return true;
  }

  async ttl(key: string) {
    const entry = this.live(key);
    if (!entry) return -2;
    if (entry.expiresAt === undefined) return -1;
    return Math.ceil((entry.expiresAt - this.now()) / 1000);
  }

  async incrWithExpiry(key: string, seconds: number) {
    const count = await this.incr(key);
    const entry = this.live(key)!;
    entry.expiresAt ??= this.now() + seconds * 1000;
    return { count, ttl: await this.ttl(key) };
  }

  async zadd(key: string, ...entries: ScoredMember[]) {
    if (entries.length === 0) return 0;
    const members = this.zset(key, true)!;
    let added = 0;
    for (const { member, score } of entries) {
      if (!members.has(member)) added++;
      members.set(member, score);
    }
    return added;
  }

  async zincrby(key: string, increment: number, member: string) {
    const members = this.zset(key, true)!;
    const score = (members.get(member) ?? 0) + increment;
    members.set(member, score);
    return score;
  }

  async zrange(key: string, start: number, stop: number, options: { rev?: boolean } = {}) {
    const members = this.zset(key, false);
    if (!members) return [];
    const sorted = [...members].map(([member, score]) => ({ member, score }));
    sorted.sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
    if (options.rev) sorted.reverse();
    const n = sorted.length;
    const from = Math.max(start < 0 ? n + start : start, 0);
    const to = Math.min(stop < 0 ? n + stop : stop, n - 1);
    return from > to ? [] : sorted.slice(from, to + 1);
  }

  async zscore(key: string, member: string) {
    return this.zset(key, false)?.get(member) ?? null;
  }

  async zrevrank(key: string, member: string) {
    if (!this.zset(key, false)?.has(member)) return null;
    const all = await this.zrange(key, 0, -1, { rev: true });
    return all.findIndex((e) => e.member === member);
  }

  async zcard(key: string) {
    return this.zset(key, false)?.size ?? 0;
  }
}
