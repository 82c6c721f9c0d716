/**
 * The push sender on the database (ADR 014), on PGlite and on the real Postgres: alerts due in the
 * outbox reach every device of their player through a local push service that checks VAPID and
 * decrypts (tests/support/push-service.ts); 404/410 deletes a subscription; 429/5xx come back later
 * (Retry-After honoured) and are given up after PUSH_MAX_ATTEMPTS; concurrent senders never take
 * the same alert; a sender killed mid-drain loses nothing and, deduplicated by id, sends nothing twice.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { listSubscriptions, upsertSubscription } from "../../db/push";
import { PUSH_MAX_ATTEMPTS } from "../../edge/push/backoff";
import { pushPayload, type PushPayload } from "../../edge/push/payload";
import { drainPush, type SenderOptions } from "../../edge/push/sender.server";
import { repoRoot } from "../../scripts/paths";
import { openTestDb, type TestDb } from "../support/db";
import { alertState, insertDueAlerts } from "../support/push-alerts";
import { startPushService, vapidKeys, type BrowserSubscription, type PushService } from "../support/push-service";
import { addPlayer } from "../support/world";

let t: TestDb;
let service: PushService;
const keys = vapidKeys();
const options: SenderOptions = { vapid: { ...keys, subject: "mailto:ops@bazaar.example" }, allowLoopback: true, random: () => 1 };

beforeAll(async () => {
  t = await openTestDb({ poolSize: 20 });
  service = await startPushService();
});
afterAll(async () => {
  await service?.close();
  await t?.close();
});

async function deviceFor(playerId: string): Promise<BrowserSubscription> {
  const device = service.device();
  const saved = await upsertSubscription(t.db, { playerId, endpoint: device.endpoint, ...device.keys, userAgent: "test" }, 20);
  expect(saved).toBeDefined();
  return device;
}

const subscriptionCount = async (playerId: string) => (await listSubscriptions(t.db, playerId)).length;
/** Push is due again now (as if its backoff had passed). */
const timePasses = (id: string) => t.db.execute(sql`update alerts set push_next_at = now() where id = ${id}::uuid and push_state = 'due'`);

describe(`the push sender on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("delivers each due alert to each of its player's devices, then marks it sent", async () => {
    const player = await addPlayer(t.db);
    const [phone, tablet] = [await deviceFor(player), await deviceFor(player)];
    const alerts = await insertDueAlerts(t.db, player, 3);
    const report = await drainPush(t.db, options);
    expect(report).toMatchObject({ claimed: 3, sent: 3, delivered: 6, gone: 0 });
    for (const device of [phone, tablet]) {
      const got = service.delivered<PushPayload>(device);
      expect(got.map((m) => m.id).sort()).toEqual(alerts.map((a) => a.id).sort());
      for (const a of alerts) expect(got.find((m) => m.id === a.id)).toEqual({ ...pushPayload(a), ts: expect.any(Number) });
    }
    for (const a of alerts) expect(await alertState(t.db, a.id)).toMatchObject({ state: "sent", attempts: 1, pushedAt: expect.any(String), nextInSeconds: null });
    const subs = await listSubscriptions(t.db, player);
    expect(subs.every((s) => s.lastSuccessAt !== null)).toBe(true);
    // Nothing left: a second drain claims nothing and sends nothing.
    const before = service.received.length;
    expect((await drainPush(t.db, options)).claimed).toBe(0);
    expect(service.received.length).toBe(before);
  });

  it("leaves alone what is not due: push off ('none'), already sent, and not yet time", async () => {
    const player = await addPlayer(t.db);
    await deviceFor(player);
    const [later] = await insertDueAlerts(t.db, player, 1);
    await t.db.execute(sql`update alerts set push_next_at = now() + interval '1 hour' where id = ${later!.id}::uuid`);
    const [off] = await insertDueAlerts(t.db, player, 1);
    await t.db.execute(sql`update alerts set push_state = 'none', push_next_at = null where id = ${off!.id}::uuid`);
    expect((await drainPush(t.db, options)).claimed).toBe(0);
    expect(await alertState(t.db, later!.id)).toMatchObject({ state: "due", attempts: 0 });
  });

  it("a 404 or 410 deletes that subscription; the alert still reaches the other device", async () => {
    const player = await addPlayer(t.db);
    const [gone404, gone410, live] = [await deviceFor(player), await deviceFor(player), await deviceFor(player)];
    service.script(gone404, [{ status: 404 }]);
    service.script(gone410, [{ status: 410 }]);
    const [a] = await insertDueAlerts(t.db, player, 1);
    const report = await drainPush(t.db, options);
    expect(report).toMatchObject({ sent: 1, gone: 2, delivered: 1 });
    expect((await listSubscriptions(t.db, player)).map((s) => s.endpoint)).toEqual([live.endpoint]);
    expect(await alertState(t.db, a!.id)).toMatchObject({ state: "sent" });
  });

  it("no device (or every one gone) makes the alert 'dead': it stays in the notification center only", async () => {
    const nobody = await addPlayer(t.db);
    const [a] = await insertDueAlerts(t.db, nobody, 1);
    const lost = await addPlayer(t.db);
    service.script(await deviceFor(lost), [{ status: 410 }]);
    const [b] = await insertDueAlerts(t.db, lost, 1);
    await drainPush(t.db, options);
    expect(await alertState(t.db, a!.id)).toMatchObject({ state: "dead", attempts: 1, pushedAt: null });
    expect(await alertState(t.db, b!.id)).toMatchObject({ state: "dead" });
    expect(await subscriptionCount(lost)).toBe(0);
  });

  it("429 with Retry-After then 201: waits at least Retry-After, then delivers on the second attempt", async () => {
    const player = await addPlayer(t.db);
    const device = await deviceFor(player);
    service.script(device, [{ status: 429, headers: { "Retry-After": "120" } }]);
    const [a] = await insertDueAlerts(t.db, player, 1);
    expect(await drainPush(t.db, options)).toMatchObject({ retried: 1, sent: 0 });
    const waiting = await alertState(t.db, a!.id);
    expect(waiting).toMatchObject({ state: "due", attempts: 1 });
    expect(waiting.nextInSeconds).toBeGreaterThan(110);
    expect(waiting.nextInSeconds).toBeLessThanOrEqual(121);
    // Not before its time.
    expect((await drainPush(t.db, options)).claimed).toBe(0);
    await timePasses(a!.id);
    expect(await drainPush(t.db, options)).toMatchObject({ sent: 1 });
    expect(await alertState(t.db, a!.id)).toMatchObject({ state: "sent", attempts: 2 });
    expect(service.delivered<PushPayload>(device).map((m) => m.id)).toEqual([a!.id]);
    expect(await subscriptionCount(player)).toBe(1);
  });

  it("5xx backs off exponentially and gives up after PUSH_MAX_ATTEMPTS ('dead'), keeping the subscription", async () => {
    const player = await addPlayer(t.db);
    const device = await deviceFor(player);
    service.script(device, Array.from({ length: PUSH_MAX_ATTEMPTS }, () => ({ status: 503 })));
    const [a] = await insertDueAlerts(t.db, player, 1);
    const waits: number[] = [];
    for (let i = 1; i <= PUSH_MAX_ATTEMPTS; i++) {
      await drainPush(t.db, options);
      const s = await alertState(t.db, a!.id);
      expect(s.attempts).toBe(i);
      if (i < PUSH_MAX_ATTEMPTS) {
        expect(s.state).toBe("due");
        waits.push(Math.round(s.nextInSeconds!));
        await timePasses(a!.id);
      } else expect(s.state).toBe("dead");
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 960, 1920]);
    expect(await subscriptionCount(player)).toBe(1);
  });

  it("a device that subscribes again under another player moves to that player", async () => {
    const [first, second] = [await addPlayer(t.db), await addPlayer(t.db)];
    const device = await deviceFor(first);
    const moved = await upsertSubscription(t.db, { playerId: second, endpoint: device.endpoint, ...device.keys, userAgent: "again" }, 20);
    expect(moved?.userAgent).toBe("again");
    expect(await subscriptionCount(first)).toBe(0);
    expect(await subscriptionCount(second)).toBe(1);
    const [a] = await insertDueAlerts(t.db, first, 1);
    const [b] = await insertDueAlerts(t.db, second, 1);
    await drainPush(t.db, options);
    expect(service.delivered<PushPayload>(device).map((m) => m.id)).toEqual([b!.id]);
    expect(await alertState(t.db, a!.id)).toMatchObject({ state: "dead" });
    // A player's device count is bounded.
    const busy = await addPlayer(t.db);
    for (let i = 0; i < 3; i++) await upsertSubscription(t.db, { playerId: busy, endpoint: service.device().endpoint, ...device.keys, userAgent: null }, 3);
    expect(await upsertSubscription(t.db, { playerId: busy, endpoint: service.device().endpoint, ...device.keys, userAgent: null }, 3)).toBeUndefined();
  });

  it("concurrent senders take disjoint alerts: 300 alerts, 4 senders, each delivered exactly once", async () => {
    const players = await Promise.all(Array.from({ length: 6 }, () => addPlayer(t.db)));
    const devices = await Promise.all(players.map((p) => deviceFor(p)));
    const alerts = (await Promise.all(players.map((p) => insertDueAlerts(t.db, p, 50)))).flat();
    const reports = await Promise.all(Array.from({ length: 4 }, () => drainPush(t.db, { ...options, batchSize: 10 })));
    expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(300);
    const ids = devices.flatMap((d) => service.delivered<PushPayload>(d).map((m) => m.id));
    expect(ids.length).toBe(300);
    expect(new Set(ids).size).toBe(300);
    const [left] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from alerts where id = any(${`{${alerts.map((a) => a.id).join(",")}}`}::uuid[]) and push_state <> 'sent'`);
    expect(left!.n).toBe(0);
  });

  it("one drain runs up to `lanes` claim loops, adding one per full claim, within `maxInFlight` requests at once", async () => {
    const players = await Promise.all(Array.from({ length: 8 }, () => addPlayer(t.db)));
    const devices = await Promise.all(players.map((p) => deviceFor(p)));
    // A slow push service, so that the lanes' requests overlap.
    for (const d of devices) service.script(d, Array.from({ length: 25 }, () => ({ status: 201, delayMs: 30 })));
    await Promise.all(players.map((p) => insertDueAlerts(t.db, p, 25)));
    service.peakInFlight(true);
    const report = await drainPush(t.db, { ...options, batchSize: 10, lanes: 4, maxInFlight: 6 });
    expect(report.lanes).toBe(4);
    expect(report.sent).toBe(200);
    expect(service.peakInFlight()).toBeLessThanOrEqual(6);
    const ids = devices.flatMap((d) => service.delivered<PushPayload>(d).map((m) => m.id));
    expect(ids.length).toBe(200);
    expect(new Set(ids).size).toBe(200);

    // A handful of alerts: one lane, one claim.
    const few = await addPlayer(t.db);
    const device = await deviceFor(few);
    await insertDueAlerts(t.db, few, 3);
    const small = await drainPush(t.db, { ...options, batchSize: 10, lanes: 4 });
    expect({ lanes: small.lanes, rounds: small.rounds, sent: small.sent }).toEqual({ lanes: 1, rounds: 1, sent: 3 });
    expect(service.delivered(device).length).toBe(3);
  });

  it.runIf(t === undefined ? process.env.TEST_DB === "postgres" : t.target === "postgres")(
    "a sender killed mid-drain and restarted loses nothing and, deduplicated by id, delivers each alert once",
    async () => {
      const player = await addPlayer(t.db);
      const device = await deviceFor(player);
      const alerts = await insertDueAlerts(t.db, player, 60);
      // A slow push service: the kill lands while requests are in flight.
      service.script(device, Array.from({ length: 60 }, () => ({ status: 201, delayMs: 150 })));
      const child = spawn(process.execPath, ["--import", "tsx", path.join("tests", "support", "push-drain-child.ts")], {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: t.url!, VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, LEASE_SECONDS: "2", BATCH: "10", LANES: "2" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      const path0 = new URL(device.endpoint).pathname;
      const seen = () => service.received.filter((r) => r.path === path0).length;
      const deadline = Date.now() + 30_000;
      while (seen() < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      child.kill("SIGKILL");
      await exited;
      const before = seen();
      expect(before).toBeGreaterThanOrEqual(25);
      expect(before).toBeLessThan(60);
      // Some rows are still leased by the dead sender: nothing is claimed until the lease ends.
      const [held] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from alerts where player_id = ${player}::uuid and push_state = 'due' and push_next_at > now()`);
      expect(held!.n).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 2_200));
      const report = await drainPush(t.db, options);
      expect(report.sent + (60 - report.claimed)).toBeGreaterThanOrEqual(60 - before);
      const [notSent] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from alerts where player_id = ${player}::uuid and push_state <> 'sent'`);
      expect(notSent!.n).toBe(0);
      // At least once: every alert arrived; by id (the notification tag), each is shown once.
      const got = service.delivered<PushPayload>(device).map((m) => m.id);
      expect(new Set(got)).toEqual(new Set(alerts.map((a) => a.id)));
      const duplicates = got.length - new Set(got).size;
      console.log(`crash test: ${before} requests before the kill, ${got.length} deliveries in all, ${duplicates} duplicates (deduplicated by id)`);
      // At most what the dead sender held leased: 2 lanes of 10.
      expect(duplicates).toBeLessThanOrEqual(20);
    },
  );
});
