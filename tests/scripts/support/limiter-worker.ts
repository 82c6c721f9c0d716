/**
 * One "worker" for tests/scripts/rate-limit.test.ts: its own process, its own limiter (as an
 * isolate has), talking to Redis through the Upstash-protocol server. Waits for "go" on stdin so
 * both processes fire at once, then prints how many of its attempts were let through.
 */
import { createLimiter } from "../../../edge/security/rate-limit.server";

const [url, token, prefix, attempts] = process.argv.slice(2) as [string, string, string, string];
const limiter = createLimiter({ UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token, RATE_LIMIT_PREFIX: prefix });
process.stdout.write("ready\n");
process.stdin.once("data", async () => {
  let passed = 0;
  let refusal = "";
  for (let i = 0; i < Number(attempts); i++) {
    const v = await limiter.check("signup", { address: "203.0.113.7" });
    if (v.ok) passed++;
    else refusal = `${v.retryAfterSeconds}|${v.message}`;
  }
  process.stdout.write(`${JSON.stringify({ passed, refusal })}\n`);
  process.exit(0);
});
