/**
 * Trade history and the offline banner, in the browser.
 *
 *   history         two fresh players trade on two markets of their own (created for this run, so no
 *                   other trader or NPC can take part): 52 fills swept by one buy, one sell the other
 *                   way. The buyer opens Orders -> Trade history and sees them, newest first, with
 *                   totals; "Older trades" pages; filters (side, market, days) narrow them; no sideways
 *                   scrolling at 360x740 and 1024x1366, touch targets >= 44 px; screenshots
 *   history-csv     the CSV download of a filtered set: its file name, one row per fill, gold and
 *                   copper columns that agree, totals = price x quantity +/- fee
 *   offline-online  the "Offline" banner goes within a second of the network coming back
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Page } from "playwright-core";
import { rows, withTx } from "../../db/db";
import { mint } from "../../db/ledger/fungible";
import { openPostgres } from "../../db/open";
import { api, e2e, newPlayer, PHONE, SHOTS, signIn, signUp, TABLET, test, waitForController } from "./harness";

const PASSWORD = "correct-horse-9"; // signUp()'s
const SWEEP = 52; // more than a page (50)
const BASE = 1_301; // the sweep's asks: 13.01 .. 13.52 gold, 1 each

interface Trade {
  market: string;
  side: "buy" | "sell";
  price: number;
  quantity: number;
  fee: number;
}

/** The markets, the players and the buyer's trades as this suite made them. */
const world = {
  ink: "", // "Moonpetal Ink": the buyer takes 52 asks, 1,301..1,352 copper, 1 each
  spores: "", // "Glowcap Spores": the buyer sells 2 at 44.47 to the seller's taker buy
  buyerName: "",
  buyerTrades: [] as Trade[],
};

const order = (token: string, market: string, side: "buy" | "sell", price: number, quantity: number) =>
  api(`/markets/${market}/orders`, { method: "POST", token, json: { clientOrderId: crypto.randomUUID(), side, price, quantity } });

/** Two markets of this run's own (maker 1%, taker 2%), their items minted to both players through the ledger. */
async function setUp(suffix: string) {
  const seller = await newPlayer(PHONE);
  const sellerName = `hs_${suffix}`;
  world.buyerName = `hb_${suffix}`;
  await signUp(seller.page, sellerName);
  await seller.context.close();
  const buyer = await newPlayer(PHONE);
  await signUp(buyer.page, world.buyerName);
  await buyer.context.close();
  const tokens = await Promise.all(
    [sellerName, world.buyerName].map(async (username) => (await api("/tokens", { method: "POST", json: { username, password: PASSWORD, label: "e2e history" } })).token as string),
  );
  const [sellerToken, buyerToken] = tokens as [string, string];
  const ids = await Promise.all(tokens.map(async (token) => (await api("/me", { token })).id as string));
  world.ink = `moonpetal-ink-${suffix}`;
  world.spores = `glowcap-spores-${suffix}`;
  const opened = await openPostgres(e2e.stack!.stack.databaseUrl, 1);
  try {
    await withTx(opened.db, async (tx) => {
      for (const [slug, name, icon] of [[world.ink, "Moonpetal Ink", "🪶"], [world.spores, "Glowcap Spores", "🍄"]] as const) {
        const [t] = await rows<{ id: number }>(tx, sql`
          insert into item_types (slug, name, description, category, icon, stackable)
          values (${slug}, ${name}, 'Made for the trade history test.', 'materials', ${icon}, true) returning id`);
        await tx.execute(sql`insert into markets (slug, item_type_id, maker_fee_bps, taker_fee_bps) values (${slug}, ${t!.id}, 100, 200)`);
        for (const playerId of ids) await mint(tx, { actor: "e2e" }, { playerId, asset: t!.id, amount: 100, reason: "e2e history" });
      }
    });
  } finally {
    await opened.close();
  }
  for (let i = 0; i < SWEEP; i++) await order(sellerToken, world.ink, "sell", BASE + i, 1);
  const swept = await order(buyerToken, world.ink, "buy", BASE + SWEEP - 1, SWEEP);
  assert.equal(swept.fills?.length, SWEEP, "one buy swept every ask");
  await order(buyerToken, world.spores, "sell", 4_447, 2);
  const took = await order(sellerToken, world.spores, "buy", 4_447, 2);
  assert.equal(took.fills?.length, 1);
  const fee = (notional: number, bps: number) => Math.floor((notional * bps) / 10_000);
  world.buyerTrades = [
    { market: world.spores, side: "sell", price: 4_447, quantity: 2, fee: fee(8_894, 100) },
    ...Array.from({ length: SWEEP }, (_, i) => {
      const price = BASE + SWEEP - 1 - i;
      return { market: world.ink, side: "buy" as const, price, quantity: 1, fee: fee(price, 200) };
    }),
  ];
}

const gold = (copper: number) => `${Math.floor(copper / 100).toLocaleString("en-US")}.${String(copper % 100).padStart(2, "0")}`;
const total = (t: Trade) => (t.side === "buy" ? t.price * t.quantity + t.fee : t.price * t.quantity - t.fee);

async function rowsShown(page: Page) {
  return page.locator("table.trades-table tbody tr").count();
}

/** No sideways scrolling; every link, button and field in main is at least 44 px tall and wide enough to hit. */
async function checkLayout(page: Page, label: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${label}: no sideways scrolling (${overflow}px too wide)`);
  const small = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("main a, main button, main select, main input:not([type=hidden]):not([type=radio]), main .seg")]
      .filter((el) => el.offsetParent !== null)
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ el, r }) => `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`),
  );
  assert.deepEqual(small, [], `${label}: touch targets under 44 px`);
}

export async function historySuite(): Promise<void> {
  const suffix = Date.now().toString(36).slice(-5);
  let ready = false;

  await test("history", async () => {
    await setUp(suffix);
    ready = true;
    const { context, page, errors } = await newPlayer(PHONE);
    try {
      await signIn(page, world.buyerName, PASSWORD);
      await page.goto("/orders");
      await page.getByRole("link", { name: "Trade history" }).first().click();
      await page.waitForURL("**/trades");
      await page.locator("h1", { hasText: "Trade history" }).waitFor();
      // Newest first: the sale, then the sweep from its dearest fill down; 50 on the first page.
      assert.equal(await rowsShown(page), 50);
      const first = page.locator("table.trades-table tbody tr").first();
      assert.match(await first.innerText(), /Sold\s+2\s+Glowcap Spores[\s\S]*44\.47[\s\S]*0\.88[\s\S]*88\.06[\s\S]*received[\s\S]*maker/);
      const second = page.locator("table.trades-table tbody tr").nth(1);
      assert.match(await second.innerText(), /Bought\s+1\s+Moonpetal Ink[\s\S]*13\.52[\s\S]*0\.27[\s\S]*13\.79[\s\S]*paid[\s\S]*taker/);
      const totals = await page.locator(".trade-totals").innerText();
      const paid = world.buyerTrades.filter((t) => t.side === "buy").reduce((s, t) => s + total(t), 0);
      assert.match(totals, new RegExp(`Trades\\s*${SWEEP + 1}(?!\\d)`));
      assert.ok(totals.includes(gold(paid)), `totals show ${gold(paid)} paid: ${totals}`);
      assert.ok(totals.includes("88.06"), "totals show what the sale brought in");
      await checkLayout(page, "phone 390");
      await page.screenshot({ path: path.join(SHOTS, "phone-history.png") });
      await page.setViewportSize({ width: 360, height: 740 });
      await checkLayout(page, "phone 360");
      await page.setViewportSize(PHONE);

      // Older: the last 3 of the sweep; Newest comes back.
      await page.getByRole("link", { name: "Older trades" }).click();
      await page.waitForURL(/before=\d+/);
      await page.getByRole("link", { name: "Newest" }).waitFor();
      assert.equal(await rowsShown(page), 3);
      assert.match(await page.locator("table.trades-table tbody tr").last().innerText(), /13\.01/);
      assert.equal(await page.getByRole("link", { name: "Older trades" }).count(), 0, "no older page after the last");

      // Filters narrow: side, then market, then days (today in the browser's time zone, then tomorrow on).
      await page.goto("/trades");
      // Unfiltered, the filters are folded away under their summary line.
      assert.equal(await page.locator(".filter-box[open]").count(), 0);
      await page.locator(".filter-box > summary").click();
      // hasText matches textContent: the totals read "Trades1Paid..." there.
      await page.locator(".side-filter label", { hasText: "Sold" }).click();
      await page.getByRole("button", { name: "Show trades" }).click();
      await page.waitForURL(/side=sell/);
      await page.locator(".trade-totals", { hasText: /Trades\s*1(?!\d)/ }).waitFor();
      assert.equal(await rowsShown(page), 1);
      assert.match(await page.locator("table.trades-table tbody").innerText(), /Glowcap Spores/);
      await page.locator(".side-filter label", { hasText: "All" }).click();
      await page.getByLabel("Market").selectOption(world.ink);
      await page.getByRole("button", { name: "Show trades" }).click();
      await page.waitForURL(new RegExp(`market=${world.ink}`));
      await page.locator(".trade-totals", { hasText: new RegExp(`Trades\\s*${SWEEP}(?!\\d)`) }).waitFor();
      assert.equal(await page.locator("table.trades-table tbody", { hasText: "Glowcap" }).count(), 0);
      const today = await page.evaluate(() => {
        const d = new Date();
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
      });
      const tomorrow = await page.evaluate(() => {
        const d = new Date(Date.now() + 86_400_000);
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
      });
      await page.getByLabel("Market").selectOption("");
      await page.getByLabel("From").fill(today);
      await page.getByLabel("To").fill(today);
      await page.getByRole("button", { name: "Show trades" }).click();
      await page.waitForURL(new RegExp(`to=${today}`));
      await page.locator(".trade-totals", { hasText: new RegExp(`Trades\\s*${SWEEP + 1}(?!\\d)`) }).waitFor();
      assert.match(page.url(), /tz=-?\d+|from=/, "the days go with the browser's offset");
      await page.getByLabel("From").fill(tomorrow);
      await page.getByLabel("To").fill("");
      await page.getByRole("button", { name: "Show trades" }).click();
      await page.waitForURL(new RegExp(`from=${tomorrow}`));
      await page.getByText("No trades match these filters.").waitFor();
      assert.match(await page.locator(".filter-box > summary").innerText(), new RegExp(`Filters\\s+from ${tomorrow}`));
      await page.getByRole("link", { name: "Clear filters" }).click();
      await page.locator(".trade-totals", { hasText: new RegExp(`Trades\\s*${SWEEP + 1}(?!\\d)`) }).waitFor();
      assert.deepEqual(errors, [], "no console errors");
    } finally {
      await context.close();
    }

    const tablet = await newPlayer(TABLET);
    try {
      await signIn(tablet.page, world.buyerName, PASSWORD);
      await tablet.page.goto("/trades");
      await tablet.page.locator("table.trades-table tbody tr").first().waitFor();
      assert.ok(await tablet.page.locator("table.trades-table thead th", { hasText: "Total" }).isVisible(), "column heads on a tablet");
      await checkLayout(tablet.page, "tablet");
      await tablet.page.screenshot({ path: path.join(SHOTS, "tablet-history.png") });
      assert.deepEqual(tablet.errors, [], "no console errors on the tablet");
    } finally {
      await tablet.context.close();
    }
  });

  await test("history-csv", async () => {
    if (!ready) await setUp(suffix);
    const { context, page, errors } = await newPlayer(TABLET);
    try {
      await signIn(page, world.buyerName, PASSWORD);
      await page.goto(`/trades?market=${world.ink}&side=buy`);
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
      assert.match(download.suggestedFilename(), new RegExp(`^bazaar-trades-${world.ink}-buy-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
      const text = readFileSync((await download.path())!, "utf8");
      const lines = text.split("\r\n");
      assert.equal(lines.at(-1), "", "ends with CRLF");
      const [header, ...body] = lines.slice(0, -1).map((l) => l.split(","));
      assert.deepEqual(header, ["time_utc", "market", "item", "side", "role", "quantity", "price_gold", "price_copper", "fee_gold", "fee_copper", "total_gold", "total_copper", "order_id", "fill_seq"]);
      const col = (name: string) => header!.indexOf(name);
      const expected = world.buyerTrades.filter((t) => t.market === world.ink && t.side === "buy");
      assert.equal(body.length, SWEEP, "every fill of the filtered set, more than a page");
      for (const [i, row] of body.entries()) {
        const t = expected[i]!;
        assert.deepEqual(
          [row[col("market")], row[col("item")], row[col("side")], row[col("role")], row[col("quantity")], row[col("price_copper")], row[col("fee_copper")], row[col("total_copper")]],
          [world.ink, "Moonpetal Ink", "buy", "taker", "1", String(t.price), String(t.fee), String(total(t))],
          `row ${i + 1}`,
        );
        for (const money of ["price", "fee", "total"]) {
          assert.equal(row[col(`${money}_gold`)], (Number(row[col(`${money}_copper`)]) / 100).toFixed(2), `row ${i + 1} ${money}: gold = copper / 100`);
        }
        assert.match(row[col("time_utc")]!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
      const sum = body.reduce((s, r) => s + Number(r[col("total_copper")]), 0);
      assert.equal(sum, expected.reduce((s, t) => s + total(t), 0), "the CSV's totals add up to what was paid");
      assert.ok((await page.locator(".trade-totals").innerText()).includes(gold(sum)), "and to the page's Paid");
      assert.deepEqual(errors, [], "no console errors");
    } finally {
      await context.close();
    }
  });

  await test("offline-online", async () => {
    const { context, page, errors } = await newPlayer(PHONE);
    try {
      await signUp(page, `ho_${suffix}`);
      await page.goto("/inventory");
      await waitForController(page);
      await page.reload();
      // 1. The browser's network goes and comes back (navigator.onLine false, then the online event).
      await context.setOffline(true);
      await page.reload();
      await page.locator(".offline-banner").waitFor({ timeout: 10_000 });
      await page.waitForTimeout(1_500);
      let started = performance.now();
      await context.setOffline(false);
      await page.locator(".offline-banner").waitFor({ state: "detached", timeout: 20_000 });
      const afterOnline = performance.now() - started;
      // 2. The server cannot be reached while the browser says it is online (no event at all when it
      //    answers again): the probe fails, then the server answers again.
      const probes = (u: URL) => u.pathname === "/favicon.svg" && u.searchParams.has("online");
      await page.route(probes, (route) => route.abort("connectionrefused"));
      await page.reload();
      await page.locator(".offline-banner").waitFor({ timeout: 10_000 });
      await page.waitForTimeout(2_500);
      started = performance.now();
      await page.unroute(probes);
      await page.locator(".offline-banner").waitFor({ state: "detached", timeout: 20_000 });
      const afterReachable = performance.now() - started;
      console.log(`\n    the offline banner went ${Math.round(afterOnline)} ms after the network came back, ${Math.round(afterReachable)} ms after the server answered again`);
      assert.ok(afterOnline < 1_000, `the banner cleared ${Math.round(afterOnline)} ms after the network came back (bound 1,000 ms)`);
      assert.ok(afterReachable < 1_500, `the banner cleared ${Math.round(afterReachable)} ms after the server answered again (bound 1,500 ms: probes every second)`);
      const unexpected = errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED|Failed to load resource|WebSocket/.test(e));
      assert.deepEqual(unexpected, [], "no console errors");
    } finally {
      await context.close();
    }
  });
}
