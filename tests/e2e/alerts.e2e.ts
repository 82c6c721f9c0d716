/**
 * Alerts in the browser (issue 16), at phone (390x844) and tablet (820x1180) sizes.
 *
 *   alerts  a player's order fills, a price alert fires and an offer arrives (through the API, like
 *           another player would); the bell shows the unread count on every screen; the center lists
 *           them newest first under "Today"; "Mark read" and "Mark all read" clear the count; the
 *           settings page holds the per-kind choices and quiet hours; the market page's price alert
 *           form sets an alert, listed with a delete button. No sideways scrolling, touch targets
 *           >= 44 px, no console errors. Screenshots: docs/screenshots/alerts-*.png
 */
import assert from "node:assert/strict";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Page } from "playwright-core";
import { openPostgres } from "../../db/open";
import { api, e2e, newPlayer, PHONE, SHOTS, signUp, test } from "./harness";

const PASSWORD = "correct-horse-9"; // signUp()'s
const TABLET_820 = { width: 820, height: 1180 };
const MARKET = "bread";

const order = (token: string, side: "buy" | "sell", price: number, quantity: number) =>
  api(`/markets/${MARKET}/orders`, { method: "POST", token, json: { clientOrderId: crypto.randomUUID(), side, price, quantity } });

async function checkLayout(page: Page, label: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${label}: no sideways scrolling (${overflow}px too wide)`);
  const small = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("main a, main button, main select, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), header .bell")]
      .filter((el) => el.offsetParent !== null)
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ el, r }) => `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`),
  );
  assert.deepEqual(small, [], `${label}: touch targets under 44 px`);
}

async function bellLabel(page: Page): Promise<string> {
  return (await page.locator("header a.bell").getAttribute("aria-label")) ?? "";
}

/** Three alerts for `name` (token): a fill, a price alert, an offer from another player. */
async function makeAlerts(token: string, name: string, tag: string) {
  const other = `ao_${tag}`;
  const o = await newPlayer(PHONE);
  await signUp(o.page, other);
  await o.context.close();
  // Offers need an account older than a day (the stack's production policy): age this one.
  const opened = await openPostgres(e2e.stack!.stack.databaseUrl, 1);
  try {
    await opened.db.execute(sql`update players set created_at = now() - interval '2 days' where username = ${other}`);
  } finally {
    await opened.close();
  }
  const otherToken = (await api("/tokens", { method: "POST", json: { username: other, password: PASSWORD, label: "e2e alerts" } })).token as string;
  const price = 40_000 + Math.floor(Math.random() * 900); // far above anyone else's bread
  const set = await api("/price-alerts", { method: "POST", token, json: { market: MARKET, direction: "above", price } });
  assert.ok(set.priceAlert, `price alert set: ${JSON.stringify(set)}`);
  await order(token, "sell", price, 1);
  const took = await order(otherToken, "buy", price, 1);
  assert.equal(took.fills?.length, 1, "the other player took the sell");
  const offered = await api("/offers", { method: "POST", token: otherToken, json: { to: name, give: [{ kind: "currency", quantity: 500 }], ask: [] } });
  assert.ok(offered.offer, `offer sent: ${JSON.stringify(offered).slice(0, 200)}`);
}

export async function alertsSuite(): Promise<void> {
  await test("alerts", async () => {
    const tag = Date.now().toString(36).slice(-5);
    for (const [size, viewport] of [["phone", PHONE], ["tablet", TABLET_820]] as const) {
      const name = `al_${size.slice(0, 1)}${tag}`;
      const p = await newPlayer(viewport);
      await signUp(p.page, name);
      const token = (await api("/tokens", { method: "POST", json: { username: name, password: PASSWORD, label: "e2e alerts" } })).token as string;
      await makeAlerts(token, name, `${size.slice(0, 1)}${tag}`);

      // The bell, on every screen.
      for (const screen of ["/", "/markets", "/inventory", "/offers", "/settings"]) {
        await p.page.goto(screen);
        assert.equal(await bellLabel(p.page), "Alerts, 3 unread", `bell on ${screen}`);
      }
      await p.page.goto("/inventory");
      await p.page.screenshot({ path: path.join(SHOTS, `alerts-${size}-bell.png`), clip: { x: 0, y: 0, width: viewport.width, height: 140 } });

      await Promise.all([p.page.waitForURL("**/alerts"), p.page.locator("header a.bell").click()]);
      await p.page.getByRole("heading", { name: "Today" }).waitFor();
      const titles = await p.page.locator(".alert-title").allTextContents();
      assert.equal(titles.length, 3);
      assert.match(titles[0]!, /New trade offer from ao_/);
      assert.ok(titles.some((t) => /Sold 1 Bread at [\d,]+\.\d\d gold/.test(t)), `a fill alert: ${titles.join(" | ")}`);
      assert.ok(titles.some((t) => /Bread traded at/.test(t)), "a price alert");
      await checkLayout(p.page, `${size} alerts`);
      await p.page.screenshot({ path: path.join(SHOTS, `alerts-${size}-center.png`), fullPage: true });

      await p.page.locator(".alert-item.unread form.mark button").first().click();
      await p.page.waitForFunction(() => document.querySelector("header a.bell")?.getAttribute("aria-label") === "Alerts, 2 unread");
      await p.page.getByRole("button", { name: "Mark all read" }).click();
      await p.page.waitForFunction(() => document.querySelector("header a.bell")?.getAttribute("aria-label") === "Alerts");
      assert.equal(await p.page.locator(".alert-item.unread").count(), 0);

      // Opening an alert goes where it leads.
      await Promise.all([p.page.waitForURL("**/offers/**"), p.page.locator(".alert-item form.open button").first().click()]);

      // Settings: per kind and quiet hours.
      await p.page.goto("/settings");
      await p.page.locator("#kind-fill").selectOption("inapp");
      await p.page.locator('input[name="quiet"]').check();
      await p.page.locator('select[name="timeZone"]').selectOption("Europe/Paris");
      await Promise.all([p.page.waitForURL("**/settings?saved=alerts**"), p.page.getByRole("button", { name: "Save alert settings" }).click()]);
      assert.equal(await p.page.locator("#kind-fill").inputValue(), "inapp");
      await checkLayout(p.page, `${size} settings`);
      await p.page.locator("#alerts").scrollIntoViewIfNeeded();
      await p.page.screenshot({ path: path.join(SHOTS, `alerts-${size}-settings.png`) });

      // The market page's price alert form.
      await p.page.goto(`/markets/${MARKET}`);
      const form = p.page.locator(".price-alert-panel");
      await form.locator('select[name="direction"]').selectOption("below");
      await form.locator('input[name="price"]').fill("0.5");
      await form.scrollIntoViewIfNeeded();
      await p.page.screenshot({ path: path.join(SHOTS, `alerts-${size}-market-form.png`) });
      await Promise.all([p.page.waitForURL(`**/markets/${MARKET}/alerts?set=1`), form.getByRole("button", { name: "Set alert" }).click()]);
      assert.equal(await p.page.locator(".price-alerts-list li").count(), 2); // this one and the fired one
      await checkLayout(p.page, `${size} price alerts`);
      await p.page.screenshot({ path: path.join(SHOTS, `alerts-${size}-price-alerts.png`), fullPage: true });
      await p.page.getByRole("button", { name: "Delete the alert at or below 0.50 gold" }).click();
      await p.page.waitForFunction(() => document.querySelectorAll(".price-alerts-list li").length === 1);

      assert.deepEqual(p.errors, [], `${size}: console errors`);
      await p.context.close();
    }
  });
}
