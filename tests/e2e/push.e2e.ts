/**
 * Push alerts in the browser (ADR 014), on the e2e stack (PUSH_ALLOW_LOOPBACK=1) with a local push
 * service (tests/support/push-service.ts, port E2E_PUSH_PORT or any free one):
 *
 *   push-prompt      no prompt on first load; after the first order placed, the "Turn on alerts" card
 *                    (screenshots at phone 390x844 and tablet 820x1180); "Not now" keeps it away; a
 *                    browser that blocks notifications gets the words to undo it
 *   push-subscribe   "Turn on alerts" with the permission granted stores this device's subscription
 *                    (pushManager.subscribe is stubbed with keys the test made: a real one needs the
 *                    browser vendor's push service, which is not reachable offline); Settings › Alerts
 *                    shows it (screenshots) and turns it off
 *   push-deliver     an alert row -> POST /__push/drain -> the worker encrypts and signs -> the push
 *                    service checks VAPID and decrypts -> that plaintext goes to the service worker by
 *                    CDP ServiceWorker.deliverPushMessage with no Bazaar page open ->
 *                    registration.getNotifications() has the alert's title, body, tag (= id) and
 *                    data.url; the same push again shows no second notification; a click (dispatched in
 *                    the worker) takes an open Bazaar page to the alert's url
 *
 * A notification as the OS shows it cannot be captured headless: the screenshots here are of the page;
 * `npm run shots:notification` (tests/e2e/notification-shot.ts) captures a shown one on a virtual display.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { BrowserContext, Page } from "playwright-core";
import { rows } from "../../db/db";
import { openPostgres } from "../../db/open";
import { upsertSubscription } from "../../db/push";
import { issueToken } from "../../party/tokens";
import { insertDueAlerts } from "../support/push-alerts";
import { startPushService, type BrowserSubscription, type PushService } from "../support/push-service";
import { e2e, live, newPlayer, PHONE, placeOrder, SHOTS, signUp, test } from "./harness";

const TABLET = { width: 820, height: 1180 };
const suffix = Date.now().toString(36).slice(-5);
let n = 0;

async function orderOn(page: Page) {
  await page.goto("/markets/bread");
  await live(page);
  // A price nobody else uses: it rests on the book.
  await placeOrder(page, "buy", `0.0${1 + (n++ % 8)}`, "1");
}

/**
 * pushManager.subscribe/getSubscription answer with the test's keys: a real subscribe needs the
 * browser vendor's push service (offline here), and Chrome has no Push API in incognito-like
 * contexts such as playwright's ("Chrome currently does not support the Push API in incognito mode").
 */
async function stubPushManager(context: BrowserContext, device: BrowserSubscription) {
  // A string, not a function: tsx's helpers (__name) do not exist in the page.
  const sub = JSON.stringify({ endpoint: device.endpoint, expirationTime: null, keys: device.keys });
  await context.addInitScript(`(() => {
    const json = ${sub};
    const fake = {
      endpoint: json.endpoint, expirationTime: null, options: { userVisibleOnly: true },
      toJSON: () => json,
      unsubscribe: async () => { localStorage.removeItem("test.subscribed"); return true; },
    };
    PushManager.prototype.subscribe = async function () { localStorage.setItem("test.subscribed", "1"); return fake; };
    PushManager.prototype.getSubscription = async function () { return localStorage.getItem("test.subscribed") ? fake : null; };
  })();`);
}

let service: PushService | undefined;
const shared: { context?: BrowserContext; page?: Page; playerId?: string; device?: BrowserSubscription } = {};

export async function pushSuite(): Promise<void> {
  service = await startPushService(Number(process.env.E2E_PUSH_PORT ?? 0));
  try {
    await run();
  } finally {
    await shared.context?.close().catch(() => undefined);
    await service.close();
  }
}

async function run() {
  await test("push-prompt", async () => {
    const phone = await newPlayer(PHONE);
    try {
      await signUp(phone.page, `alerts_${suffix}`);
      await phone.page.goto("/markets/bread");
      await live(phone.page);
      await phone.page.waitForTimeout(500);
      assert.equal(await phone.page.locator(".alerts-prompt").count(), 0, "no prompt on first load");
      await placeOrder(phone.page, "buy", "0.02", "1");
      const card = phone.page.locator('[data-alerts-prompt="ask"]');
      await card.waitFor({ timeout: 10_000 });
      assert.match(await card.innerText(), /Get alerts when your orders fill\?/);
      // In the page under the ticket's answer, brought into view: covering nothing.
      await phone.page
        .waitForFunction(() => {
          const r = document.querySelector(".alerts-prompt")!.getBoundingClientRect();
          return r.top >= 0 && r.bottom <= innerHeight;
        }, null, { timeout: 5_000 })
        .catch(async () => {
          const info = await phone.page.evaluate(() => {
            const r = document.querySelector(".alerts-prompt")!.getBoundingClientRect();
            return { top: r.top, bottom: r.bottom, innerHeight, scrollY };
          });
          throw new Error(`the card is not in view: ${JSON.stringify(info)}`);
        });
      await phone.page.waitForTimeout(1_500);
      assert.ok(await card.evaluate((el) => el.getBoundingClientRect().bottom <= innerHeight), "the card stays in view after the page's data reloads");
      await phone.page.screenshot({ path: path.join(SHOTS, "push-prompt-phone.png") });
      await card.getByRole("button", { name: "Not now" }).click();
      await card.waitFor({ state: "detached" });
      await placeOrder(phone.page, "buy", "0.03", "1");
      await phone.page.waitForTimeout(800);
      assert.equal(await phone.page.locator(".alerts-prompt").count(), 0, "'Not now' keeps the prompt away");
      assert.deepEqual(phone.errors, []);
    } finally {
      await phone.context.close();
    }

    const tablet = await newPlayer(TABLET);
    try {
      await signUp(tablet.page, `alertt_${suffix}`);
      await orderOn(tablet.page);
      const card = tablet.page.locator('[data-alerts-prompt="ask"]');
      await card.waitFor({ timeout: 10_000 });
      await tablet.page.waitForTimeout(600);
      await tablet.page.screenshot({ path: path.join(SHOTS, "push-prompt-tablet.png") });
      // Headless chromium answers a permission request it was not told to grant with "denied".
      await tablet.context.clearPermissions();
      await card.getByRole("button", { name: "Turn on alerts" }).click();
      const denied = tablet.page.locator('[data-alerts-prompt="denied"]');
      await denied.waitFor({ timeout: 10_000 });
      assert.match(await denied.innerText(), /blocking notifications[\s\S]*site's settings/);
      await tablet.page.screenshot({ path: path.join(SHOTS, "push-denied-tablet.png") });
      assert.deepEqual(tablet.errors, []);
    } finally {
      await tablet.context.close();
    }
  });

  await test("push-subscribe", async () => {
    const device = service!.device();
    const p = await newPlayer(PHONE);
    shared.context = p.context;
    shared.device = device;
    await stubPushManager(p.context, device);
    const name = `alertz_${suffix}`;
    await signUp(p.page, name);
    await orderOn(p.page);
    const card = p.page.locator('[data-alerts-prompt="ask"]');
    await card.waitFor({ timeout: 10_000 });
    await p.context.grantPermissions(["notifications"], { origin: e2e.stack!.url });
    await card.getByRole("button", { name: "Turn on alerts" }).click();
    await p.page
      .locator('[data-alerts-prompt="on"]')
      .waitFor({ timeout: 10_000 })
      .catch(async (error: Error) => {
        throw new Error(`${error.message.split("\n")[0]}; the card says: ${await p.page.locator(".alerts-prompt").innerText().catch(() => "(none)")}; errors: ${p.errors.join(" | ")}`);
      });
    const saved = await p.page.evaluate(async () => (await (await fetch("/push")).json()) as { subscriptions: Array<{ endpoint: string }> });
    assert.deepEqual(saved.subscriptions.map((s) => s.endpoint), [device.endpoint]);

    // A second device of the same player (as another browser would have stored it).
    const db = await openPostgres(e2e.stack!.stack.databaseUrl, 1);
    try {
      const [row] = await rows<{ id: string }>(db.db, sql`select id::text as id from players where username = ${name}`);
      shared.playerId = row!.id;
      const other = service!.device();
      await upsertSubscription(db.db, { playerId: row!.id, endpoint: other.endpoint, ...other.keys, userAgent: "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0" }, 20);
    } finally {
      await db.close();
    }

    await p.page.goto("/settings");
    const section = p.page.locator('section[aria-labelledby="push"]');
    const mine = section.locator('[data-alerts-device="on"]');
    await mine.waitFor({ timeout: 10_000 });
    assert.match(await mine.innerText(), /This device: alerts on since/);
    assert.match(await section.innerText(), /Other devices with alerts on\s+Firefox on Android/i);
    const show = () => section.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await show();
    await p.page.screenshot({ path: path.join(SHOTS, "push-settings-phone.png") });
    await p.page.setViewportSize(TABLET);
    await show();
    await p.page.screenshot({ path: path.join(SHOTS, "push-settings-tablet.png") });
    await p.page.setViewportSize(PHONE);

    // The other device off by id; this one off, then on again from Settings.
    await section.locator(".alerts-others li").getByRole("button", { name: "Turn off" }).click();
    await section.locator(".alerts-others").waitFor({ state: "detached", timeout: 10_000 });
    await mine.getByRole("button", { name: "Turn off on this device" }).click();
    await section.locator('[data-alerts-device="off"]').waitFor({ timeout: 10_000 });
    const none = await p.page.evaluate(async () => (await (await fetch("/push")).json()) as { subscriptions: unknown[] });
    assert.equal(none.subscriptions.length, 0);
    await section.getByRole("button", { name: "Turn on alerts" }).click();
    await mine.waitFor({ timeout: 10_000 });
    shared.page = p.page;
    assert.deepEqual(p.errors, []);
  });

  await test("push-deliver", async () => {
    assert.ok(shared.context && shared.playerId && shared.device, "push-subscribe ran first");
    const context = shared.context!;
    const origin = e2e.stack!.url;
    const db = await openPostgres(e2e.stack!.stack.databaseUrl, 1);
    let alertId = "";
    try {
      const [alert] = await insertDueAlerts(db.db, shared.playerId!, 1);
      alertId = alert!.id;
      const token = await issueToken(e2e.stack!.stack.vars.ROOM_SECRET!, "service", "e2e", 60);
      const drained = await fetch(`${origin}/__push/drain`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
      assert.equal(drained.status, 200, await drained.text());
    } finally {
      await db.close();
    }
    const [message] = service!.delivered<{ id: string; title: string; body: string; url: string; tag: string }>(shared.device!);
    assert.ok(message, `the push service got the alert: ${JSON.stringify(service!.received.at(-1))}`);
    assert.equal(message.id, alertId);

    // No Bazaar page open: only about:blank, whose CDP session reaches the context's service workers.
    for (const page of context.pages()) await page.close();
    const blank = await context.newPage();
    const cdp = await context.newCDPSession(blank);
    const registrations = new Map<string, string>();
    cdp.on("ServiceWorker.workerRegistrationUpdated", (e: { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> }) => {
      for (const r of e.registrations) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send("ServiceWorker.enable");
    const deadline = Date.now() + 10_000;
    while (!registrations.has(`${origin}/`) && Date.now() < deadline) await blank.waitForTimeout(50);
    const registrationId = registrations.get(`${origin}/`);
    assert.ok(registrationId, `a registration for ${origin}/ (saw ${[...registrations.keys()].join(", ")})`);
    const data = JSON.stringify(message);
    await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: registrationId!, data });

    // The worker may be stopped and started again around the push (no page holds it): look for it
    // afresh on each read, and say which of "no worker" or "a worker with no notification" it was.
    let workerSeen = false;
    let lastError = "";
    const readNotifications = async () => {
      const sw = context.serviceWorkers().find((w) => w.url().startsWith(origin));
      if (!sw) return [];
      workerSeen = true;
      try {
        return await sw.evaluate(async () =>
          (await (self as unknown as ServiceWorkerGlobalScope).registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown })),
        );
      } catch (error) {
        lastError = String(error).slice(0, 200); // stopped mid-call: read again
        return [];
      }
    };
    let shown: Awaited<ReturnType<typeof readNotifications>> = [];
    const until = Date.now() + 20_000;
    while (shown.length === 0 && Date.now() < until) {
      await blank.waitForTimeout(100);
      shown = await readNotifications();
    }
    assert.equal(shown.length, 1, `one notification shown (${workerSeen ? "the worker was there" : "no worker seen"}${lastError ? `; last read failed: ${lastError}` : ""})`);
    assert.deepEqual(shown[0], { title: message.title, body: message.body, tag: alertId, data: { id: alertId, kind: (message as unknown as { kind: string }).kind, url: message.url } });

    // The same push again (at least once delivery): still one notification.
    await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: registrationId!, data });
    await blank.waitForTimeout(500);
    assert.equal((await readNotifications()).length, 1, "a copy of the same alert is not shown twice");

    // A click takes an open Bazaar page to the alert's url.
    const page = await context.newPage();
    await page.goto("/settings");
    const sw = context.serviceWorkers().find((w) => w.url().startsWith(origin))!;
    await sw.evaluate(async () => {
      const scope = self as unknown as ServiceWorkerGlobalScope;
      const [n] = await scope.registration.getNotifications();
      scope.dispatchEvent(new NotificationEvent("notificationclick", { notification: n!, action: "" }));
    });
    await page.waitForURL((u) => u.pathname === message.url, { timeout: 10_000 });
    assert.equal((await readNotifications()).length, 0, "the clicked notification is closed");
  });
}
