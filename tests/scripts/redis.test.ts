/**
 * One suite, two implementations of edge/redis.server.ts:
 *   memory  : the in-process store
 *   upstash : @upstash/redis -> scripts/upstash-local.ts -> the real redis-server (TEST_REDIS_URL,
 *             default redis://127.0.0.1:6379). Unreachable Redis fails the suite; it never skips.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis as UpstashRedis } from "@upstash/redis";
import { createRedis, MemoryRedis, type RedisStore } from "../../edge/redis.server";
import { startUpstashLocal, stripUpstashFlags, type UpstashLocal } from "../../scripts/upstash-local";
import { connectResp } from "../../scripts/resp";

const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `bazaar-test:${Date.now().toString(36)}:${Math.random().toString(36).slice(2, 7)}:`;
let local: UpstashLocal;

beforeAll(async () => {
  local = await startUpstashLocal({ port: 0, token: "test-token", redisUrl }).catch((error: Error) => {
    throw new Error(`${error.message}. Start Redis: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`);
  });
});

afterAll(async () => {
  if (!local) return;
  // Leave nothing behind in the shared Redis.
  const r = await connectResp(redisUrl);
  const keys = (await r.send(["KEYS", `${prefix}*`])) as string[];
  if (keys.length) await r.send(["DEL", ...keys]);
  await r.close();
  await local.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const implementations: [string, () => RedisStore][] = [
  ["memory", () => new MemoryRedis()],
  ["upstash -> upstash-local -> redis-server", () => createRedis({ UPSTASH_REDIS_REST_URL: local.url, UPSTASH_REDIS_REST_TOKEN: local.token })],
];

describe.each(implementations)("RedisStore: %s", (name, make) => {
  let redis: RedisStore;
  let n = 0;
  const key = (k: string) => `${prefix}${name.slice(0, 3)}:${k}:${n++}`;
  beforeAll(() => {
    redis = make();
  });

  it("reports its kind", () => {
    expect(redis.kind).toBe(name === "memory" ? "memory" : "upstash");
  });

  it("get/set/del with strings kept as strings (no JSON guessing)", async () => {
    const k = key("s");
    expect(await redis.get(k)).toBeNull();
    expect(await redis.set(k, "123")).toBe(true);
    expect(await redis.get(k)).toBe("123");
    await redis.set(k, '{"a":1}');
    expect(await redis.get(k)).toBe('{"a":1}');
    await redis.set(k, "héllo ✓");
    expect(await redis.get(k)).toBe("héllo ✓");
    expect(await redis.del(k, key("missing"))).toBe(1);
    expect(await redis.get(k)).toBeNull();
    expect(await redis.del()).toBe(0);
  });

  it("set nx only writes a missing key", async () => {
    const k = key("nx");
    expect(await redis.set(k, "a", { nx: true })).toBe(true);
    expect(await redis.set(k, "b", { nx: true })).toBe(false);
    expect(await redis.get(k)).toBe("a");
  });

  it("set ex expires the key", async () => {
    const k = key("ex");
    await redis.set(k, "v", { ex: 1 });
    expect(await redis.get(k)).toBe("v");
    const ttl = await redis.ttl(k);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1);
    await sleep(1_100);
    expect(await redis.get(k)).toBeNull();
    expect(await redis.ttl(k)).toBe(-2);
  });

  it("incr + expire", async () => {
    const k = key("incr");
    expect(await redis.incr(k)).toBe(1);
    expect(await redis.incr(k)).toBe(2);
    expect(await redis.ttl(k)).toBe(-1);
    expect(await redis.expire(k, 100)).toBe(true);
    expect(await redis.ttl(k)).toBeGreaterThan(98);
    expect(await redis.incr(k)).toBe(3);
    expect(await redis.ttl(k)).toBeGreaterThan(98); // INCR keeps the TTL
    expect(await redis.expire(key("nokey"), 10)).toBe(false);
    await redis.set(k, "x");
    await expect(redis.incr(k)).rejects.toThrow(/not an integer/);
  });

  it("incrWithExpiry: a fixed window opened by the first hit, not extended by later ones", async () => {
    const k = key("rl");
    const a = await redis.incrWithExpiry(k, 1);
    expect(a.count).toBe(1);
    expect(a.ttl).toBe(1);
    const b = await redis.incrWithExpiry(k, 60);
    expect(b.count).toBe(2);
    expect(b.ttl).toBeLessThanOrEqual(1); // not extended to 60
    await sleep(1_100);
    expect((await redis.incrWithExpiry(k, 60)).count).toBe(1);
  });

  it("zadd / zincrby / zrange / zscore for leaderboards", async () => {
    const k = key("lb");
    expect(await redis.zrange(k, 0, -1)).toEqual([]);
    expect(await redis.zadd(k, { member: "alice", score: 10 }, { member: "bob", score: 30 }, { member: "carol", score: 20 })).toBe(3);
    expect(await redis.zadd(k, { member: "alice", score: 15 })).toBe(0);
    expect(await redis.zincrby(k, 100, "dave")).toBe(100);
    expect(await redis.zincrby(k, 5, "alice")).toBe(20);
    expect(await redis.zscore(k, "alice")).toBe(20);
    expect(await redis.zscore(k, "nobody")).toBeNull();
    expect(await redis.zrange(k, 0, -1)).toEqual([
      { member: "alice", score: 20 },
      { member: "carol", score: 20 },
      { member: "bob", score: 30 },
      { member: "dave", score: 100 },
    ]);
    expect(await redis.zrange(k, 0, 1, { rev: true })).toEqual([
      { member: "dave", score: 100 },
      { member: "bob", score: 30 },
    ]);
    expect(await redis.zrange(k, -2, -1, { rev: true })).toEqual([
      { member: "carol", score: 20 },
      { member: "alice", score: 20 },
    ]);
    expect(await redis.zrange(k, 5, 10)).toEqual([]);
    // Ranks, highest first; ties in reverse member order, as zrange rev.
    expect(await redis.zrevrank(k, "dave")).toBe(0);
    expect(await redis.zrevrank(k, "carol")).toBe(2);
    expect(await redis.zrevrank(k, "alice")).toBe(3);
    expect(await redis.zrevrank(k, "nobody")).toBeNull();
    expect(await redis.zrevrank(key("empty"), "alice")).toBeNull();
    expect(await redis.zcard(k)).toBe(4);
    expect(await redis.zcard(key("empty"))).toBe(0);
    expect(await redis.zadd(k)).toBe(0);
  });

  it("a string op on a sorted set is a WRONGTYPE error", async () => {
    const k = key("wt");
    await redis.zadd(k, { member: "m", score: 1 });
    await expect(redis.get(k)).rejects.toThrow(/WRONGTYPE/);
    const s = key("wt2");
    await redis.set(s, "v");
    await expect(redis.zadd(s, { member: "m", score: 1 })).rejects.toThrow(/WRONGTYPE/);
  });
});

describe("upstash-local protocol details", () => {
  it("strips the Upstash-only script flag and keeps others", () => {
    expect(stripUpstashFlags("#!lua flags=allow-key-locking\nreturn 1")).toBe("\nreturn 1");
    expect(stripUpstashFlags("#!lua flags=no-writes,allow-key-locking\nreturn 1")).toBe("#!lua flags=no-writes\nreturn 1");
    expect(stripUpstashFlags("return 1")).toBe("return 1");
  });

  it("refuses a wrong token", async () => {
    const res = await fetch(local.url, { method: "POST", headers: { authorization: "Bearer nope" }, body: '["PING"]' });
    expect(res.status).toBe(401);
  });

  it("answers errors as {error} with status 400, and pipelines per command", async () => {
    const headers = { authorization: `Bearer ${local.token}` };
    const bad = await fetch(local.url, { method: "POST", headers, body: '["NOSUCHCOMMAND"]' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/unknown command/i);
    const k = `${prefix}pipe`;
    const res = await fetch(`${local.url}/pipeline`, { method: "POST", headers, body: JSON.stringify([["SET", k, "v"], ["INCR", k], ["GET", k]]) });
    expect(await res.json()).toEqual([{ result: "OK" }, { error: expect.stringMatching(/not an integer/) }, { result: "v" }]);
  });

  it("runs @upstash/ratelimit's scripts (EVALSHA falls back to EVAL, then the mapped SHA works)", async () => {
    const ratelimit = new Ratelimit({
      redis: new UpstashRedis({ url: local.url, token: local.token, enableTelemetry: false }),
      limiter: Ratelimit.fixedWindow(2, "60 s"),
      prefix: `${prefix}ratelimit`,
      analytics: false,
    });
    // A fixed window is a slice of the clock (Date.now() / 60 s): three calls that straddle its end
    // would start a new count. In a slice's last 5 s, wait for the next one so that all three share one.
    const into = Date.now() % 60_000;
    if (into > 55_000) await sleep(60_000 - into + 20);
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await ratelimit.limit("player-1")).success);
    expect(results).toEqual([true, true, false]);
    const sliding = new Ratelimit({
      redis: new UpstashRedis({ url: local.url, token: local.token, enableTelemetry: false }),
      limiter: Ratelimit.slidingWindow(1, "10 s"),
      prefix: `${prefix}sliding`,
      analytics: false,
    });
    expect((await sliding.limit("p")).success).toBe(true);
    expect((await sliding.limit("p")).success).toBe(false);
  });
});
