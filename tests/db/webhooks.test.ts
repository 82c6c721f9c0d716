/**
 * Webhooks over the event feed (db/feed/webhooks.ts): a receiver that is down, then up, then loses
 * answers (it takes a delivery but the deliverer never hears back, as if the deliverer died after the
 * POST): every committed event arrives, signed, and after deduplication by event id none twice and
 * none missing, while writers keep committing.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import { verifyDelivery, webhookBackoff } from "../../db/feed/signing";
import { createWebhook, deliverWebhooks } from "../../db/feed/webhooks";
import { appendEvents } from "../../db/ledger";
import { openTestDb, testDbTarget, type TestDb } from "../support/db";

let t: TestDb;
let server: Server;
let url: string;
let mode: "down" | "up" = "down";
let secret = "";
let badSignatures = 0;
const received: string[] = [];
beforeAll(async () => {
  t = await openTestDb({ poolSize: 8 });
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      if (mode === "down") return void res.writeHead(503).end("down");
      const ok = await verifyDelivery(secret, { timestamp: req.headers["bazaar-timestamp"] as string, signature: req.headers["bazaar-signature"] as string }, body, Math.floor(Date.now() / 1000));
      if (!ok) {
        badSignatures++;
        return void res.writeHead(401).end();
      }
      received.push(...(JSON.parse(body) as { events: Array<{ eventId: string }> }).events.map((e) => e.eventId));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  server?.close();
  await t?.close();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("receiver down, then up, then losing answers: every event delivered, none twice after dedupe", async () => {
  const key = "test-deployment-key";
  await withTx(t.db, (tx) => appendEvents(tx, { actor: "test" }, [{ stream: "hooktest", type: "hook_before", payload: {} }]));
  const created = await createWebhook(t.db, { owner: "server:test", url, types: ["hook_test"] }, key);
  secret = created.secret;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

  // On Postgres the writer runs through the deliveries; in-process PGlite would run a delivery's
  // reads inside the writer's transaction, so there it writes its events first.
  let writing = true;
  const overlap = testDbTarget() === "postgres";
  if (!overlap) setTimeout(() => (writing = false), 500);
  const writer = (async () => {
    for (let n = 0; writing; n++) {
      await withTx(t.db, (tx) => appendEvents(tx, { actor: "test" }, [{ stream: "hooktest", type: "hook_test", payload: { n } }]));
      await sleep(5);
    }
  })();
  if (!overlap) await writer;
  // Answers lost: the receiver takes the POST, the deliverer hears nothing (dies before it records).
  let loseAnswers = false;
  const lossy: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (loseAnswers) throw new Error("the deliverer died before it heard the answer");
    return response;
  };
  const run = () => deliverWebhooks(t.db, { deploymentKey: key, fetch: lossy, pageSize: 20, backoff: () => 0 });
  const failures: number[] = [];
  const phase = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) failures.push((await run()).failed);
  };
  await phase(600); // down: 503s, retried
  mode = "up";
  await phase(600);
  loseAnswers = true;
  if (!overlap) {
    for (let n = 0; n < 10; n++) await withTx(t.db, (tx) => appendEvents(tx, { actor: "test" }, [{ stream: "hooktest", type: "hook_test", payload: { late: n } }]));
  }
  await phase(400);
  loseAnswers = false;
  writing = false;
  await writer;
  // The feed holds back what is above the oldest transaction running on the server (any database
  // of it: other suites share this Postgres), so drain until everything arrived, within a bound.
  const committed = await rows<{ id: string }>(t.db, sql`select event_id::text as id from events where type = 'hook_test'`);
  for (const end = Date.now() + 60_000; Date.now() < end && !committed.every((c) => received.includes(c.id)); await sleep(50)) await run();
  await run(); // a last answer lost leaves its page owed: it goes again, and this time is heard
  // PGlite's writers run before the deliveries, for a fixed time: fewer events there.
  expect(committed.length).toBeGreaterThan(overlap ? 50 : 20);
  expect(failures.some((f) => f > 0)).toBe(true);
  expect(received.length).toBeGreaterThan(new Set(received).size); // the lost answers were sent again...
  expect(new Set(received)).toEqual(new Set(committed.map((r) => r.id))); // ...and dedupe leaves each exactly once
  expect(badSignatures).toBe(0);
  const [hook] = await rows<{ attempts: number; delivered: string }>(t.db, sql`select attempts, delivered::text from webhooks where id = ${created.webhook.id}::uuid`);
  expect(hook!.attempts).toBe(0);
}, 120_000);

it("signatures: a wrong secret, a changed body or an old timestamp do not verify; backoff grows to a cap", async () => {
  const { signDelivery } = await import("../../db/feed/signing");
  const now = 1_800_000_000;
  const sig = await signDelivery("whsec_a", now, "{}");
  expect(await verifyDelivery("whsec_a", { timestamp: String(now), signature: sig }, "{}", now)).toBe(true);
  expect(await verifyDelivery("whsec_b", { timestamp: String(now), signature: sig }, "{}", now)).toBe(false);
  expect(await verifyDelivery("whsec_a", { timestamp: String(now), signature: sig }, "{ }", now)).toBe(false);
  expect(await verifyDelivery("whsec_a", { timestamp: String(now), signature: sig }, "{}", now + 301)).toBe(false);
  expect([1, 2, 3, 20].map(webhookBackoff)).toEqual([2, 4, 8, 600]);
});
