/**
 * Chart indicators (issue 19), on iron-ore with the market fixture's candles:
 *
 *   indicators-persist  a new player turns SMA on from the chart: the line is drawn (its colour is
 *                       on the canvas), the page reloads with it still on, and another browser
 *                       context signed in as the same player (a tablet) has it on too
 *   indicators-nojs     without JavaScript the toggles are a form: VWAP goes on by a plain post
 *   indicators-stats    the 24 h / 7 d / 30 d table on the market and item pages
 *
 * Screenshots docs/screenshots/indicators-*.png at phone 390x844 and tablet 820x1180.
 */
import assert from "node:assert/strict";
import path from "node:path";
import pg from "pg";
import type { Page } from "playwright-core";
import { e2e, marketFixture, newPlayer, PHONE, SHOTS, signIn, signUp, test, watchConsole } from "./harness";

const TABLET = { width: 820, height: 1180 };
const PASSWORD = "correct-horse-9";
let fixture: Promise<void> | undefined;
/**
 * Candles for iron-ore written straight to the database (5m and 1h: a gentle wave with a gap), so
 * the lines have history to draw whatever the book holds; the market fixture's trades add to them.
 */
async function writeCandles(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const [iv, step] of [["5m", 300], ["1h", 3_600]] as const) {
      const now = Math.floor(Date.now() / 1000 / step) * step;
      for (let i = 80; i >= 1; i--) {
        if (i % 17 === 5) continue; // a bucket without trades
        const close = 120 + Math.round(8 * Math.sin(i / 6)) + (i % 3);
        const open = close - 2 + (i % 5);
        await client.query(
          `insert into candles (market_slug, interval, bucket, open, high, low, close, volume, notional, trades)
           values ('iron-ore', $1, to_timestamp($2), $3, $4, $5, $6, $7, $8, 3) on conflict do nothing`,
          [iv, now - i * step, open, Math.max(open, close) + 2, Math.min(open, close) - 2, close, 10 + (i % 7) * 5, close * (10 + (i % 7) * 5)],
        );
      }
    }
  } finally {
    await client.end();
  }
}
const ensureFixture = () =>
  (fixture ??= (async () => {
    await writeCandles(e2e.stack!.stack.databaseUrl);
    // The book and trades of the other chart tests, when the market takes them (not needed here).
    await marketFixture(e2e.stack!.url, e2e.stack!.stack.databaseUrl).catch((e: Error) => console.log(`    (market fixture not placed: ${e.message.slice(0, 120)})`));
  })());

/** The indicators the chart has drawn (set by PriceChart after chart-lib draws them; it starts once near the screen). */
async function drawn(page: Page, want: string) {
  await page.locator(".chart").first().scrollIntoViewIfNeeded();
  await page.waitForFunction((w) => (document.querySelector(".chart-canvas")?.getAttribute("data-indicators") ?? "").split(",").includes(w), want, { timeout: 15_000 });
}

/** Pixels of one colour (#rrggbb) on the chart's canvases. */
const colourPixels = (page: Page, hex: string) =>
  page.evaluate((h) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    let n = 0;
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>(".chart-canvas canvas")) {
      if (canvas.width === 0 || canvas.height === 0) continue;
      const d = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 200 && Math.abs(d[i]! - r!) < 8 && Math.abs(d[i + 1]! - g!) < 8 && Math.abs(d[i + 2]! - b!) < 8) n++;
    }
    return n;
  }, hex);

const chip = (page: Page, k: string) => page.locator(`.ind-chip[data-indicator="${k}"]`);

export async function indicatorsSuite(): Promise<void> {
  const name = `ind${Date.now().toString(36)}`;

  await test("indicators-persist", async () => {
    await ensureFixture();
    const phone = await newPlayer(PHONE);
    try {
      await signUp(phone.page, name);
      await phone.page.goto("/markets/iron-ore");
      await drawn(phone.page, "volume");
      assert.equal(await chip(phone.page, "sma").getAttribute("aria-pressed"), "false", "SMA starts off");
      assert.equal(await colourPixels(phone.page, "#e0a526"), 0, "no SMA line yet");
      const saved = phone.page.waitForResponse((r) => r.url().endsWith("/settings/chart") && r.request().method() === "POST");
      await chip(phone.page, "sma").click();
      assert.equal((await saved).status(), 200, "the toggle is saved");
      await drawn(phone.page, "sma:20");
      await phone.page.waitForTimeout(300);
      assert.ok((await colourPixels(phone.page, "#e0a526")) > 50, "the SMA line is drawn");
      assert.equal(await chip(phone.page, "sma").getAttribute("aria-pressed"), "true");

      await phone.page.reload();
      // Server-rendered already (before the chart's script): the chip says on.
      assert.equal(await chip(phone.page, "sma").getAttribute("aria-pressed"), "true", "still on after a reload");
      await drawn(phone.page, "sma:20");
      await phone.page.waitForTimeout(300);
      assert.ok((await colourPixels(phone.page, "#e0a526")) > 50, "the SMA line is drawn after a reload");
      await phone.page.locator(".chart-panel").screenshot({ path: path.join(SHOTS, "indicators-phone.png") });
      assert.deepEqual(phone.errors, [], "no console errors");
    } finally {
      await phone.context.close();
    }

    const tablet = await newPlayer(TABLET);
    try {
      await signIn(tablet.page, name, PASSWORD);
      await tablet.page.goto("/markets/iron-ore");
      assert.equal(await chip(tablet.page, "sma").getAttribute("aria-pressed"), "true", "on in the player's other browser");
      await drawn(tablet.page, "sma:20");
      // More lines for the picture: EMA 50 with a period of 9, and Bollinger bands.
      await tablet.page.locator(".indicator-periods summary").click();
      await tablet.page.getByLabel("EMA candles").fill("9");
      await tablet.page.getByRole("checkbox", { name: "Exponential moving average" }).check();
      await tablet.page.getByRole("checkbox", { name: "Bollinger bands" }).check();
      const saved = tablet.page.waitForResponse((r) => r.url().endsWith("/settings/chart") && r.request().method() === "POST");
      await tablet.page.getByRole("button", { name: "Save" }).click();
      assert.equal((await saved).status(), 200);
      await drawn(tablet.page, "ema:9");
      await drawn(tablet.page, "bb:20:2");
      assert.equal(await chip(tablet.page, "ema").textContent(), "EMA 9");
      await tablet.page.waitForTimeout(300);
      await tablet.page.locator(".chart-panel").screenshot({ path: path.join(SHOTS, "indicators-tablet.png") });
      assert.deepEqual(tablet.errors, [], "no console errors");
    } finally {
      await tablet.context.close();
    }
  });

  await test("indicators-nojs", async () => {
    await ensureFixture();
    const context = await e2e.browser!.newContext({ viewport: PHONE, baseURL: e2e.stack!.url, javaScriptEnabled: false, deviceScaleFactor: 2, colorScheme: "dark" });
    const errors = watchConsole(context);
    try {
      const page = await context.newPage();
      await signIn(page, name, PASSWORD);
      await page.goto("/markets/iron-ore?interval=1h");
      assert.equal(await chip(page, "vwap").getAttribute("aria-pressed"), "false");
      await Promise.all([page.waitForURL("**/markets/iron-ore?interval=1h"), chip(page, "vwap").click()]);
      assert.equal(await chip(page, "vwap").getAttribute("aria-pressed"), "true", "VWAP on after a plain form post, back on the same page");
      assert.equal(await chip(page, "sma").getAttribute("aria-pressed"), "true", "the other settings kept");
      await page.locator(".chart-panel").screenshot({ path: path.join(SHOTS, "indicators-nojs-phone.png") });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  await test("indicators-stats", async () => {
    await ensureFixture();
    for (const [label, viewport] of [["phone", PHONE], ["tablet", TABLET]] as const) {
      const { context, page, errors } = await newPlayer(viewport);
      try {
        await page.goto("/markets/iron-ore");
        const rows = page.locator(".stats-panel .window-stats tbody tr");
        assert.equal(await rows.count(), 3);
        assert.deepEqual(await rows.locator("th").allTextContents(), ["24h", "7d", "30d"]);
        await page.locator(".stats-panel").screenshot({ path: path.join(SHOTS, `indicators-stats-${label}.png`) });
        await page.goto("/items/iron-ore");
        assert.equal(await page.locator(".window-stats tbody tr").count(), 3, `${label}: the item page has the table`);
        await page.screenshot({ path: path.join(SHOTS, `indicators-item-${label}.png`), fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });
}
