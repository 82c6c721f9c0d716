/**
 * Alerts end to end on the built worker, the rooms and the real Postgres: fills and price alerts
 * written by the room's batch reach /api/v1/alerts and the pages; price alerts and preferences
 * refuse bad input with a 4xx naming the problem, storing nothing; nobody reaches another's alert.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { api, Browser, openDb, textOf, uniqueName } from "./client";

const PASSWORD = "correct-horse-9";
const MARKET = "bread"; // tick 1, lot 1; every new player holds 10

async function player() {
  const name = uniqueName("Al");
  const browser = new Browser();
  expect((await browser.signUp(name, PASSWORD)).res.status).toBe(302);
  const created = await api("/tokens", { method: "POST", json: { username: name, password: PASSWORD, label: "alerts test" } });
  expect(created.status).toBe(201);
  return { name, browser, token: created.body.token as string };
}

const priceAlertCount = async () => {
  const [r] = await rows<{ n: number }>((await openDb()).db, sql`select count(*)::int as n from price_alerts`);
  return r!.n;
};

const order = (token: string, side: "buy" | "sell", price: number, quantity: number) =>
  api(`/markets/${MARKET}/orders`, { method: "POST", token, json: { clientOrderId: uniqueName("c"), side, price, quantity } });

describe("alerts over HTTP", () => {
  it("fills and price alerts reach the notification center; read, read-all and cursor paging work", async () => {
    const [seller, buyer, watcher] = [await player(), await player(), await player()];
    // Far from anything the demo players trade at, so only this test's trade reaches it.
    const set = await api("/price-alerts", { method: "POST", token: watcher.token, json: { market: MARKET, direction: "above", price: 30_000 } });
    expect(set.status).toBe(201);
    expect(set.body.priceAlert).toMatchObject({ market: MARKET, direction: "above", price: 30_000, cooldownSeconds: null, status: "active" });
    expect((await order(seller.token, "sell", 30_000, 2)).status).toBe(200);
    const bought = await order(buyer.token, "buy", 30_000, 2);
    expect(bought.status).toBe(200);
    expect(bought.body.fills).toHaveLength(1);

    const mine = await api("/alerts", { token: seller.token });
    expect(mine.status).toBe(200);
    expect(mine.body.alerts.map((a: { title: string }) => a.title)).toEqual(["Sold 2 Bread at 300.00 gold"]);
    expect(mine.body.unread).toBe(1);
    expect((await api("/alerts", { token: buyer.token })).body.alerts[0]).toMatchObject({ kind: "fill", title: "Bought 2 Bread at 300.00 gold", url: `/markets/${MARKET}` });
    const w = await api("/alerts", { token: watcher.token });
    expect(w.body.alerts.map((a: { kind: string; title: string }) => [a.kind, a.title])).toEqual([["price", "Bread traded at 300.00 gold"]]);
    expect((await api(`/price-alerts/${set.body.priceAlert.id}`, { token: watcher.token })).body.priceAlert.status).toBe("triggered");

    // Mark read: only my own ids count.
    const id = mine.body.alerts[0].id;
    expect((await api("/alerts/read", { method: "POST", token: buyer.token, json: { ids: [id] } })).body).toEqual({ marked: 0, unread: 1 });
    expect((await api("/alerts", { token: seller.token })).body.unread).toBe(1);
    expect((await api("/alerts/read", { method: "POST", token: seller.token, json: { ids: [id] } })).body).toEqual({ marked: 1, unread: 0 });

    // A second trade for the seller: two alerts, paged one by one, newest first.
    expect((await order(seller.token, "sell", 30_000, 1)).status).toBe(200);
    expect((await order(buyer.token, "buy", 30_000, 1)).status).toBe(200);
    const first = await api("/alerts?limit=1", { token: seller.token });
    expect(first.body.alerts.map((a: { title: string }) => a.title)).toEqual(["Sold 1 Bread at 300.00 gold"]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api(`/alerts?limit=1&cursor=${first.body.nextCursor}`, { token: seller.token });
    expect(second.body.alerts.map((a: { id: string }) => a.id)).toEqual([id]);
    expect(second.body.nextCursor).toBeNull();
    expect((await api("/alerts?cursor=bogus", { token: seller.token })).status).toBe(400);
    expect((await api("/alerts/read-all", { method: "POST", token: seller.token })).body).toMatchObject({ marked: 1, unread: 0 });
  });

  it("refuses bad price alerts with a clear 4xx and stores nothing; nobody reaches another's alert", async () => {
    const [a, b] = [await player(), await player()];
    const before = await priceAlertCount();
    const cases: Array<[unknown, number, RegExp]> = [
      [{ market: "silver-ore", direction: "above", price: 7 }, 400, /multiple of the market's tick size \(5 copper\)\. Try 5 or 10/],
      [{ market: "no-such-market", direction: "above", price: 100 }, 404, /There is no market no-such-market/],
      [{ market: MARKET, direction: "sideways", price: 100 }, 400, /direction must be above or below/],
      [{ market: MARKET, direction: "below", price: 1.5 }, 400, /price must be a whole number/],
      [{ market: MARKET, direction: "below", price: 0 }, 400, /price must be at least 1/],
      [{ market: MARKET, direction: "below", price: 100, cooldownSeconds: 5 }, 400, /cooldownSeconds must be at least 60/],
      [{ market: MARKET, direction: "below", price: 100, extra: 1 }, 400, /unknown field/],
    ];
    for (const [json, status, message] of cases) {
      const r = await api("/price-alerts", { method: "POST", token: a.token, json });
      expect(r.status, JSON.stringify(json)).toBe(status);
      expect(r.body.error.message).toMatch(message);
    }
    expect(await priceAlertCount()).toBe(before);

    const mine = await api("/price-alerts", { method: "POST", token: a.token, json: { market: "silver-ore", direction: "below", price: 10, cooldownSeconds: 3600 } });
    expect(mine.status).toBe(201);
    const id = mine.body.priceAlert.id;
    expect((await api(`/price-alerts/${id}`, { token: b.token })).status).toBe(404);
    expect((await api(`/price-alerts/${id}`, { method: "DELETE", token: b.token })).status).toBe(404);
    expect((await api("/price-alerts", { token: b.token })).body.priceAlerts).toEqual([]);
    expect((await api(`/price-alerts/not-a-uuid`, { token: a.token })).status).toBe(400);
    expect((await api("/price-alerts", { token: a.token })).body).toMatchObject({ priceAlerts: [{ id, cooldownSeconds: 3600 }], limit: 50 });
    expect((await api(`/price-alerts/${id}`, { method: "DELETE", token: a.token })).status).toBe(204);
    expect((await api(`/price-alerts/${id}`, { token: a.token })).status).toBe(404);
    expect(await priceAlertCount()).toBe(before);
  });

  it("a deleted price alert never fires", async () => {
    const [seller, buyer, watcher] = [await player(), await player(), await player()];
    const set = await api("/price-alerts", { method: "POST", token: watcher.token, json: { market: MARKET, direction: "below", price: 3 } });
    expect(set.status).toBe(201);
    expect((await api(`/price-alerts/${set.body.priceAlert.id}`, { method: "DELETE", token: watcher.token })).status).toBe(204);
    expect((await order(seller.token, "sell", 2, 1)).status).toBe(200);
    expect((await order(buyer.token, "buy", 2, 1)).status).toBe(200);
    expect((await api("/alerts", { token: watcher.token })).body.alerts).toEqual([]);
  });

  it("reads and replaces preferences; refuses unknown time zones and modes", async () => {
    const a = await player();
    const initial = await api("/alert-preferences", { token: a.token });
    expect(initial.body).toMatchObject({ quietHours: null, timeZone: "UTC", kinds: { fill: "push", price: "push", offer_received: "push" } });
    const bad = await api("/alert-preferences", { method: "PUT", token: a.token, json: { kinds: {}, quietHours: null, timeZone: "Mars/Olympus" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/time zone Mars\/Olympus is not known/);
    expect((await api("/alert-preferences", { method: "PUT", token: a.token, json: { kinds: { fill: "loud" }, quietHours: null, timeZone: "UTC" } })).status).toBe(400);
    expect((await api("/alert-preferences", { method: "PUT", token: a.token, json: { kinds: {}, quietHours: { start: "25:00", end: "07:00" }, timeZone: "UTC" } })).status).toBe(400);
    expect((await api("/alert-preferences", { token: a.token })).body).toEqual(initial.body);
    const put = await api("/alert-preferences", { method: "PUT", token: a.token, json: { kinds: { fill: "inapp", price: "off" }, quietHours: { start: "22:30", end: "07:00" }, timeZone: "Europe/Paris" } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ kinds: { fill: "inapp", price: "off", order_ended: "push" }, quietHours: { start: "22:30", end: "07:00" }, timeZone: "Europe/Paris" });
    expect((await api("/alert-preferences", { token: a.token })).body).toEqual(put.body);
  });

  it("is in the OpenAPI document", async () => {
    const doc = await api("/openapi.json");
    for (const p of ["/api/v1/alerts", "/api/v1/alerts/read", "/api/v1/alerts/read-all", "/api/v1/price-alerts", "/api/v1/price-alerts/{id}", "/api/v1/alert-preferences"]) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
    expect(Object.keys(doc.body.paths["/api/v1/alert-preferences"])).toEqual(["get", "put"]);
  });

  it("works in the pages without JavaScript: the bell, the center, the settings and the market's price alert form", async () => {
    const [seller, buyer] = [await player(), await player()];
    expect((await order(seller.token, "sell", 1_234, 1)).status).toBe(200);
    expect((await order(buyer.token, "buy", 1_234, 1)).status).toBe(200);
    const home = await seller.browser.get("/");
    expect(home.html).toContain('aria-label="Alerts, 1 unread"');
    const center = await seller.browser.get("/alerts");
    expect(textOf(center.html)).toContain("Today");
    expect(textOf(center.html)).toContain("Sold 1 Bread at 12.34 gold");
    const csrf = await seller.browser.csrf("/alerts");
    const id = /name="id" value="([0-9a-f-]{36})"/.exec(center.html)![1]!;
    const opened = await seller.browser.post("/alerts", { csrf, intent: "open", id });
    expect(opened.res.status).toBe(302);
    expect(opened.res.headers.get("location")).toBe(`/markets/${MARKET}`);
    expect((await seller.browser.get("/")).html).toContain('aria-label="Alerts"');

    // Settings: per kind and quiet hours, by form.
    const s = await seller.browser.get("/settings");
    expect(textOf(s.html)).toContain("Price alerts");
    const saved = await seller.browser.post("/settings", { csrf: await seller.browser.csrf("/settings"), intent: "alerts", "kind-fill": "inapp", quiet: "on", quietStart: "23:00", quietEnd: "06:30", timeZone: "Asia/Tokyo" });
    expect(saved.res.status).toBe(302);
    expect((await api("/alert-preferences", { token: seller.token })).body).toMatchObject({ kinds: { fill: "inapp" }, quietHours: { start: "23:00", end: "06:30" }, timeZone: "Asia/Tokyo" });

    // The market page's price alert form: off tick (silver ore: tick 5 copper) is refused in words.
    const market = await seller.browser.get("/markets/silver-ore");
    expect(market.html).toContain('action="/markets/silver-ore/alerts"');
    const before = await priceAlertCount();
    const refused = await seller.browser.post("/markets/silver-ore/alerts", { csrf, intent: "create", direction: "above", price: "1.27", repeat: "once" });
    expect(refused.res.status).toBe(400);
    expect(textOf(refused.html)).toContain("The price must be a multiple of 0.05 gold (the tick size). Try 1.25 or 1.30.");
    expect(await priceAlertCount()).toBe(before);
    const ok = await seller.browser.post("/markets/silver-ore/alerts", { csrf, intent: "create", direction: "above", price: "1.25", repeat: "3600" });
    expect(ok.res.status).toBe(302);
    const list = await seller.browser.get("/markets/silver-ore/alerts");
    expect(textOf(list.html)).toContain("At or above 1.25 gold");
    const alertId = (await api("/price-alerts", { token: seller.token })).body.priceAlerts[0].id;
    const gone = await seller.browser.post("/markets/silver-ore/alerts", { csrf, intent: "delete", id: alertId });
    expect(gone.res.status).toBe(302);
    expect(await priceAlertCount()).toBe(before);
  });
});
