/**
 * Web Push through the built worker under wrangler dev (workerd's WebCrypto) on a real Postgres
 * (ADR 014): subscriptions through /api/v1 and the page's /push route (bad input is 4xx and stores
 * nothing; someone else's device is 404), then alerts inserted as the outbox's writers leave them are
 * drained by POST /__push/drain and reach a local push service that verifies VAPID and decrypts
 * the aes128gcm body (tests/support/push-service.ts) to the exact alert. Also measures the
 * commit-to-push delay (docs/PERFORMANCE.md).
 * The suite's worker runs with PUSH_ALLOW_LOOPBACK=1 (tests/http/setup.ts); the push service listens
 * on PUSH_TEST_PORT (default: any free port).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rows } from "../../db/db";
import { pushPayload, type PushPayload } from "../../edge/push/payload";
import { PushNudge } from "../../party/push-nudge";
import { issueToken } from "../../party/tokens";
import { alertState, insertDueAlerts } from "../support/push-alerts";
import { startPushService, type BrowserSubscription, type PushService } from "../support/push-service";
import { api, baseUrl, Browser, openDb, uniqueName } from "./client";

let service: PushService;
beforeAll(async () => {
  service = await startPushService(Number(process.env.PUSH_TEST_PORT ?? 0));
});
afterAll(() => service?.close());

const db = async () => (await openDb()).db;

async function player() {
  const name = uniqueName("push");
  const browser = new Browser();
  expect((await browser.signUp(name)).res.status).toBe(302);
  const created = await api("/tokens", { method: "POST", json: { username: name, password: "correct-horse-9", label: "push test" } });
  const token = created.body.token as string;
  const me = await api("/me", { token });
  return { name, browser, token, id: me.body.id as string };
}

const subscribe = (token: string, body: unknown) => api("/push/subscriptions", { method: "POST", token, json: body });
const toJSON = (d: BrowserSubscription) => ({ endpoint: d.endpoint, expirationTime: null, keys: d.keys });
const subscriptionRows = async () => (await rows<{ n: number }>(await db(), sql`select count(*)::int as n from push_subscriptions`))[0]!.n;

async function drain(): Promise<Record<string, number>> {
  const token = await issueToken(inject("workerVars").ROOM_SECRET!, "service", "test", 60);
  const res = await fetch(`${baseUrl()}/__push/drain`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, number>;
}

describe("push subscriptions", () => {
  it("the VAPID public key is public; the drain needs a service token", async () => {
    const key = await api("/push/vapid-key");
    expect(key.status).toBe(200);
    expect(key.body.publicKey).toBe(inject("workerVars").VAPID_PUBLIC_KEY);
    expect((await fetch(`${baseUrl()}/__push/drain`, { method: "POST" })).status).toBe(401);
    expect((await fetch(`${baseUrl()}/__push/drain`, { method: "POST", headers: { Authorization: "Bearer player.x.1.y" } })).status).toBe(401);
    expect((await fetch(`${baseUrl()}/__push/drain`)).status).toBe(405);
  });

  it("subscribe, list, upsert by endpoint, delete; another player's device is 404", async () => {
    const [a, b] = [await player(), await player()];
    const device = service.device();
    const created = await subscribe(a.token, toJSON(device));
    expect(created.status).toBe(201);
    expect(created.body.subscription).toMatchObject({ endpoint: device.endpoint, lastSuccessAt: null });
    const again = await subscribe(a.token, toJSON(device));
    expect(again.status).toBe(201);
    expect(again.body.subscription.id).toBe(created.body.subscription.id);
    expect((await api("/push/subscriptions", { token: a.token })).body.subscriptions).toHaveLength(1);
    expect((await api("/push/subscriptions", { token: b.token })).body.subscriptions).toHaveLength(0);
    const id = created.body.subscription.id as string;
    const before = await subscriptionRows();
    expect((await api(`/push/subscriptions/${id}`, { method: "DELETE", token: b.token })).status).toBe(404);
    expect((await api(`/push/subscriptions/not-a-uuid`, { method: "DELETE", token: b.token })).status).toBe(404);
    expect(await subscriptionRows()).toBe(before);
    // The device signs in as b and subscribes again: it moves to b.
    expect((await subscribe(b.token, toJSON(device))).status).toBe(201);
    expect((await api("/push/subscriptions", { token: a.token })).body.subscriptions).toHaveLength(0);
    const mine = (await api("/push/subscriptions", { token: b.token })).body.subscriptions;
    expect(mine).toHaveLength(1);
    expect((await api(`/push/subscriptions/${mine[0].id}`, { method: "DELETE", token: b.token })).status).toBe(204);
    expect((await api("/push/subscriptions", { token: b.token })).body.subscriptions).toHaveLength(0);
    expect((await api("/push/subscriptions")).status).toBe(401);
  });

  it("bad subscriptions are 400 with the reason, and nothing is stored", async () => {
    const a = await player();
    const good = toJSON(service.device());
    const before = await subscriptionRows();
    const bad: Array<[unknown, RegExp]> = [
      [{ ...good, endpoint: "http://push.example/x" }, /https/],
      [{ ...good, endpoint: "ftp://push.example/x" }, /https/],
      [{ ...good, endpoint: "push.example/x" }, /absolute URL/],
      [{ ...good, endpoint: `https://push.example/${"a".repeat(2100)}` }, /2048/],
      [{ ...good, keys: { ...good.keys, p256dh: good.keys.p256dh.slice(0, 40) } }, /65-byte/],
      [{ ...good, keys: { ...good.keys, p256dh: `A${good.keys.p256dh.slice(1)}` } }, /P-256|0x04/],
      [{ ...good, keys: { ...good.keys, auth: "AAAA" } }, /16 bytes/],
      [{ ...good, keys: { ...good.keys, auth: "%%%%" } }, /base64url/],
      [{ ...good, keys: { p256dh: good.keys.p256dh } }, /auth/],
      [{ endpoint: good.endpoint }, /keys/],
      [{ ...good, extra: 1 }, /unknown field/],
      ["just a string", /object/],
    ];
    for (const [body, message] of bad) {
      const r = await subscribe(a.token, body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    const wrongType = await api("/push/subscriptions", { method: "POST", token: a.token, body: "endpoint=x", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(wrongType.status).toBe(415);
    expect(await subscriptionRows()).toBe(before);
  });

  it("the page's /push route: the same checks, behind the session and its CSRF token", async () => {
    const a = await player();
    const csrf = await a.browser.csrf("/settings");
    const device = service.device();
    const before = await subscriptionRows();
    const noToken = await a.browser.post("/push", { intent: "subscribe", subscription: JSON.stringify(toJSON(device)) });
    expect(noToken.res.status).toBe(403);
    const bad = await a.browser.post("/push", { csrf, intent: "subscribe", subscription: JSON.stringify({ ...toJSON(device), endpoint: "http://push.example/x" }) });
    expect(bad.res.status).toBe(400);
    expect(JSON.parse(bad.html).error).toMatch(/https/);
    const garbage = await a.browser.post("/push", { csrf, intent: "subscribe", subscription: "{" });
    expect(garbage.res.status).toBe(400);
    expect(await subscriptionRows()).toBe(before);
    const ok = await a.browser.post("/push", { csrf, intent: "subscribe", subscription: JSON.stringify(toJSON(device)) });
    expect(ok.res.status).toBe(201);
    const listed = await a.browser.get("/push");
    expect(JSON.parse(listed.html)).toMatchObject({ publicKey: inject("workerVars").VAPID_PUBLIC_KEY, subscriptions: [{ endpoint: device.endpoint }] });
    const stranger = new Browser();
    expect((await stranger.get("/push")).res.status).toBe(401);
    const off = await a.browser.post("/push", { csrf, intent: "unsubscribe", endpoint: device.endpoint });
    expect(off.res.status).toBe(200);
    expect((await a.browser.post("/push", { csrf, intent: "unsubscribe", endpoint: device.endpoint })).res.status).toBe(404);
    expect(await subscriptionRows()).toBe(before);
  });
});

describe("the sender in the worker (workerd WebCrypto)", () => {
  it("encrypts and signs what the push service verifies and decrypts to the exact alert; 410 deletes", async () => {
    const a = await player();
    const [phone, old] = [service.device(), service.device()];
    expect((await subscribe(a.token, toJSON(phone))).status).toBe(201);
    expect((await subscribe(a.token, toJSON(old))).status).toBe(201);
    service.script(old, [{ status: 410 }]);
    const alerts = await insertDueAlerts(await db(), a.id, 2);
    const report = await drain();
    expect(report).toMatchObject({ sent: 2, gone: 1 });
    const got = service.delivered<PushPayload>(phone);
    expect(got.map((m) => m.id).sort()).toEqual(alerts.map((x) => x.id).sort());
    for (const x of alerts) expect(got.find((m) => m.id === x.id)).toEqual({ ...pushPayload(x), ts: expect.any(Number) });
    const mine = service.received.filter((r) => r.path === new URL(phone.endpoint).pathname);
    expect(mine.every((r) => r.vapidKey === inject("workerVars").VAPID_PUBLIC_KEY && r.error === undefined)).toBe(true);
    expect((await api("/push/subscriptions", { token: a.token })).body.subscriptions.map((s: { endpoint: string }) => s.endpoint)).toEqual([phone.endpoint]);
    for (const x of alerts) expect(await alertState(await db(), x.id)).toMatchObject({ state: "sent" });
  });

  it("the cron drains too (a lost nudge, a retry whose time came)", async () => {
    const a = await player();
    const device = service.device();
    await subscribe(a.token, toJSON(device));
    const [x] = await insertDueAlerts(await db(), a.id, 1);
    const res = await fetch(`${baseUrl()}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(await alertState(await db(), x!.id)).toMatchObject({ state: "sent", attempts: 1 });
    expect(service.delivered<PushPayload>(device).map((m) => m.id)).toEqual([x!.id]);
  });

  it("429 with Retry-After: retried later, not sooner", async () => {
    const a = await player();
    const device = service.device();
    await subscribe(a.token, toJSON(device));
    service.script(device, [{ status: 429, headers: { "Retry-After": "60" } }]);
    const [x] = await insertDueAlerts(await db(), a.id, 1);
    expect(await drain()).toMatchObject({ retried: 1 });
    const s = await alertState(await db(), x!.id);
    expect(s).toMatchObject({ state: "due", attempts: 1 });
    expect(s.nextInSeconds).toBeGreaterThan(55);
    await (await db()).execute(sql`update alerts set push_next_at = now() where id = ${x!.id}::uuid`);
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(service.delivered<PushPayload>(device).map((m) => m.id)).toEqual([x!.id]);
  });

  it("commit-to-push delay with the room's nudge after each commit: 300 alerts in 30 commits", async () => {
    const players = await Promise.all([player(), player(), player()]);
    for (const p of players) await subscribe(p.token, toJSON(service.device()));
    const d = await db();
    const ids: string[] = [];
    // What a room does after each batch commit (party/push-nudge.ts): poke, never wait; coalesced.
    const nudge = new PushNudge({ url: `${baseUrl()}/__push/drain`, secret: inject("workerVars").ROOM_SECRET! });
    let last: Promise<void> | undefined;
    for (let i = 0; i < 30; i++) {
      ids.push(...(await insertDueAlerts(d, players[i % 3]!.id, 10)).map((x) => x.id));
      last = nudge.poke();
      await new Promise((r) => setTimeout(r, 100));
    }
    await last;
    const idList = `{${ids.join(",")}}`;
    const [left] = await rows<{ n: number }>(d, sql`select count(*)::int as n from alerts where id = any(${idList}::uuid[]) and push_state <> 'sent'`);
    if (left!.n > 0) await drain();
    const [m] = await rows<{ n: number; p50: number; p99: number; max: number }>(d, sql`
      select count(*)::int as n,
        percentile_cont(0.5) within group (order by extract(epoch from pushed_at - created_at))::float8 * 1000 as p50,
        percentile_cont(0.99) within group (order by extract(epoch from pushed_at - created_at))::float8 * 1000 as p99,
        max(extract(epoch from pushed_at - created_at))::float8 * 1000 as max
      from alerts where id = any(${idList}::uuid[]) and push_state = 'sent'`);
    console.log(`commit-to-push (created_at -> pushed_at) over ${m!.n} alerts, 30 commits of 10 every 100 ms, the room's nudge (${nudge.sent} drains): p50 ${m!.p50.toFixed(0)} ms, p99 ${m!.p99.toFixed(0)} ms, max ${m!.max.toFixed(0)} ms`);
    expect(m!.n).toBe(300);

    // One big batch: 150 alerts (3 players' devices) in one commit, one nudge.
    const burst = (await Promise.all(players.map((p) => insertDueAlerts(d, p.id, 50)))).flat().map((x) => x.id);
    const t0 = Date.now();
    const report = await drain();
    const ms = Date.now() - t0;
    const [b] = await rows<{ n: number; p50: number; p99: number }>(d, sql`
      select count(*)::int as n,
        percentile_cont(0.5) within group (order by extract(epoch from pushed_at - created_at))::float8 * 1000 as p50,
        percentile_cont(0.99) within group (order by extract(epoch from pushed_at - created_at))::float8 * 1000 as p99
      from alerts where id = any(${`{${burst.join(",")}}`}::uuid[]) and push_state = 'sent'`);
    console.log(`one commit of ${burst.length} alerts, one nudge: drained in ${ms} ms (${report.rounds} rounds of up to 20, ${Math.round((burst.length * 1000) / ms)} alerts/s); commit-to-push p50 ${b!.p50.toFixed(0)} ms, p99 ${b!.p99.toFixed(0)} ms`);
    expect(b!.n).toBe(burst.length);
  });
});
