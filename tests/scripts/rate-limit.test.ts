/**
 * Rate limits hold across processes (ADR 022): two processes, each with its own limiter, count
 * sign-ups from one address on the machine's Redis through the Upstash-protocol server
 * (scripts/upstash-local.ts, @upstash/ratelimit's sliding-window script). Together they let
 * exactly the door's limit through: the counter is shared, not per isolate.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOOR_LIMITS } from "../../edge/security/doors";
import { connectResp } from "../../scripts/resp";
import { repoRoot } from "../../scripts/paths";
import { startUpstashLocal, type UpstashLocal } from "../../scripts/upstash-local";

const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `bazaar-test-rl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let local: UpstashLocal;

beforeAll(async () => {
  local = await startUpstashLocal({ port: Number(process.env.UPSTASH_LOCAL_PORT ?? 0), token: "test-token", redisUrl });
});

afterAll(async () => {
  if (!local) return;
  const r = await connectResp(redisUrl);
  const keys = (await r.send(["KEYS", `${prefix}*`])) as string[];
  if (keys.length) await r.send(["DEL", ...keys]);
  await r.close();
  await local.close();
});

function worker(attempts: number): { child: ChildProcessWithoutNullStreams; ready: Promise<void>; result: Promise<{ passed: number; refusal: string }> } {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "tests/scripts/support/limiter-worker.ts"), local.url, local.token, prefix, String(attempts)], { cwd: repoRoot });
  let out = "";
  let err = "";
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const result = new Promise<{ passed: number; refusal: string }>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ready\n")) onReady();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line) as { passed: number; refusal: string });
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => (code ? reject(new Error(`worker exited ${code}: ${err}`)) : undefined));
  });
  return { child, ready, result };
}

describe("rate limits across processes", () => {
  it("two processes share one counter: together they let exactly the limit through", async () => {
    const limit = DOOR_LIMITS.signup.perAddress;
    // The first process uses half the limit, then the second tries the whole limit: with a counter
    // per process the second would let all of its attempts through. (Started together, a loaded
    // host may run one process's attempts before the other's first, so the split is set, not raced.)
    const half = Math.ceil(limit / 2);
    const a = worker(half);
    const b = worker(limit);
    try {
      await Promise.all([a.ready, b.ready]);
      a.child.stdin.write("go\n");
      const ra = await a.result;
      expect(ra.passed).toBe(half);
      b.child.stdin.write("go\n");
      const rb = await b.result;
      expect(rb.passed).toBe(limit - half);
      expect(ra.passed + rb.passed).toBe(limit);
      const refusal = ra.refusal || rb.refusal;
      const [retryAfter, message] = refusal.split("|");
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeLessThanOrEqual(3600);
      expect(message).toMatch(/^too many sign-ups from your address: at most 10 per 60 minutes\. Try again in \d+ (minutes|seconds?)\.$/);
    } finally {
      a.child.kill();
      b.child.kill();
    }
  }, 60_000);
});
