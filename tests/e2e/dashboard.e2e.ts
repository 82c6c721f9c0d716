/**
 * A trader's dashboard and the leaderboards (issue 19), in Debian's chromium:
 *
 *   dashboard-layout  a new player on a tablet (820x1180) drags "Watched markets" by its title to
 *                     the top left and makes "Profit and loss" taller by its corner; each is saved
 *                     (the page says so); after a reload both are where they were left, another
 *                     browser context signed in as the same player (another device) gets the same
 *                     layout, and a phone (390x844) stacks the panels in that order
 *   dashboard-live    on a tablet and on a phone, a player who starred iron-ore picks it as the
 *                     dashboard's market and watches while two others trade it through the API:
 *                     the watched market's last price, the chart panel's tape ("Recent trades")
 *                     and the order book change without a reload (the market room's ticks, through
 *                     the market page's socket hook)
 *   leaderboards-page the page after the feed's consumers ran (the cron trigger): the board, the
 *                     windows, my place; alice hides herself (PUT /api/v1/privacy): bob's page
 *                     leaves her out, hers shows her row and place marked "only you see this"
 *
 * Screenshots docs/screenshots/{dashboard,dashboard-trader,leaderboards,leaderboards-hidden}-{phone,tablet}.png
 * at 390x844 and 820x1180.
 */
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { sql } from "drizzle-orm";
import { rows, withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { openPostgres } from "../../db/open";
import { DEMO_PASSWORD } from "../../db/seed";
import { PANELS } from "../../app/utils/dashboard/layout";
import { formatGold } from "../../app/utils/money";
import { STARTER_COPPER } from "../../db/starter-kit";
import { api, e2e, live, marketFixture, newPlayer, SHOTS, signIn, signUp, test } from "./harness";

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 820, height: 1180 };
const PASSWORD = "correct-horse-9";

const cell = (page: Page, panel: string) => page.locator(`.grid-cell:has([data-panel="${panel}"])`);
const place = async (page: Page, panel: string) => {
  const c = cell(page, panel);
  return Object.fromEntries(await Promise.all(["x", "y", "w", "h"].map(async (k) => [k, Number(await c.getAttribute(`data-${k}`))])));
};
/** The page says "Layout saved"; otherwise the error says what it said instead. */
async function saved(page: Page) {
  const status = page.getByTestId("layout-status");
  try {
    await status.filter({ hasText: "Layout saved" }).waitFor({ timeout: 15_000 });
  } catch (error) {
    throw new Error(`no "Layout saved" after 15 s; the status says ${JSON.stringify(await status.textContent())}\n${(error as Error).message}`);
  }
}

/** The grid's running transitions (a panel sliding to its place), by the property they move; a toast elsewhere does not count. */
const moving = (page: Page) =>
  page.evaluate(() =>
    document
      .getAnimations()
      .filter((a) => ((a.effect as KeyframeEffect | null)?.target as Element | null)?.closest(".dashboard-grid"))
      .map((a) => (a as CSSTransition).transitionProperty ?? "animation"),
  );

/** Until no panel is moving: a dropped or pushed panel slides to its cell (200 ms) before it is measured. */
async function settled(page: Page) {
  for (let waited = 0; (await moving(page)).length > 0; waited += 50) {
    if (waited > 5_000) throw new Error(`the dashboard's panels still moving after 5 s: ${(await moving(page)).join(", ")}`);
    await page.waitForTimeout(50);
  }
}

/** Mouse drag in small steps (react-draggable needs moves between down and up). */
async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(from.x + ((to.x - from.x) * i) / 12, from.y + ((to.y - from.y) * i) / 12);
  await page.mouse.up();
}

export async function dashboardSuite(): Promise<void> {
  const name = `dash${Date.now().toString(36)}`;

  await test("dashboard-layout", async () => {
    const tablet = await newPlayer(TABLET);
    try {
      await signUp(tablet.page, name);
      await tablet.page.goto("/dashboard");
      await cell(tablet.page, "watched").waitFor();
      // Drawn where they belong at once: no panel slides in from a guessed width.
      assert.deepEqual(await moving(tablet.page), [], "no panel moving when the grid first shows");
      assert.deepEqual(await place(tablet.page, "watched"), { x: 6, y: 3, w: 6, h: 5 }, "the default layout");
      // The starter kit's coin, in gold as everywhere else (it once said "1,000.00 in copper").
      assert.match(await cell(tablet.page, "holdings").innerText(), new RegExp(`${formatGold(STARTER_COPPER).replace(".", "\\.")} gold in coin`));

      // Move "Watched markets" to the top left, by its title.
      await settled(tablet.page);
      const handle = (await cell(tablet.page, "watched").locator(".panel-handle").boundingBox())!;
      const target = (await cell(tablet.page, "holdings").locator(".panel-handle").boundingBox())!;
      await drag(tablet.page, { x: handle.x + 20, y: handle.y + handle.height / 2 }, { x: target.x + 20, y: target.y + target.height / 2 });
      await saved(tablet.page);
      const moved = await place(tablet.page, "watched");
      assert.equal(moved.x, 0, "moved to the left column");
      assert.equal(moved.y, 0, "moved to the top");

      // Make "Profit and loss" two rows taller by its corner.
      await settled(tablet.page);
      const before = await place(tablet.page, "pnl");
      const corner = (await cell(tablet.page, "pnl").locator(".react-resizable-handle").boundingBox())!;
      await tablet.page.getByTestId("layout-status").evaluate((e) => (e.textContent = ""));
      await drag(tablet.page, { x: corner.x + corner.width / 2, y: corner.y + corner.height / 2 }, { x: corner.x + corner.width / 2, y: corner.y + corner.height / 2 + 2 * 68 });
      await saved(tablet.page);
      const resized = await place(tablet.page, "pnl");
      assert.equal(resized.h, before.h + 2, "two rows taller");

      const layout = Object.fromEntries(await Promise.all(PANELS.map(async (p) => [p, await place(tablet.page, p)] as const)));
      await tablet.page.reload();
      await cell(tablet.page, "watched").waitFor();
      for (const [panel, where] of Object.entries(layout)) assert.deepEqual(await place(tablet.page, panel), where, `${panel} where it was left, after a reload`);
      await tablet.page.screenshot({ path: path.join(SHOTS, "dashboard-tablet.png"), fullPage: true });
      assert.deepEqual(tablet.errors, [], "no console errors");

      const other = await newPlayer(TABLET);
      try {
        await signIn(other.page, name, PASSWORD);
        await other.page.goto("/dashboard");
        await cell(other.page, "watched").waitFor();
        for (const [panel, where] of Object.entries(layout)) assert.deepEqual(await place(other.page, panel), where, `${panel}: the same on another device`);
        assert.deepEqual(other.errors, []);
      } finally {
        await other.context.close();
      }

      const phone = await newPlayer(PHONE);
      try {
        await signIn(phone.page, name, PASSWORD);
        await phone.page.goto("/dashboard");
        const order = await phone.page.locator(".dashboard-stack [data-panel]").evaluateAll((els) => els.map((e) => e.getAttribute("data-panel")));
        const want = Object.entries(layout).sort(([, a], [, b]) => a.y - b.y || a.x - b.x).map(([p]) => p);
        assert.deepEqual(order, want, "the phone stacks the panels in the layout's order");
        assert.equal(order[0], "watched");
        assert.equal(await phone.page.locator(".react-grid-layout").count(), 0, "no grid on the phone");
        await phone.page.screenshot({ path: path.join(SHOTS, "dashboard-phone.png"), fullPage: true });
        assert.deepEqual(phone.errors, []);
      } finally {
        await phone.context.close();
      }

      // Remove a panel by its cross (it does not start a drag), then add it back from "Add a panel".
      await tablet.page.getByRole("button", { name: "Remove Economy today" }).click();
      await cell(tablet.page, "economy").waitFor({ state: "detached" });
      const offered = await tablet.page.locator("#dashboard-add option").allTextContents();
      assert.deepEqual(offered, ["Economy today"], "the removed panel is offered");
      await tablet.page.screenshot({ path: path.join(SHOTS, "dashboard-removed-tablet.png"), fullPage: true });
      await tablet.page.getByRole("button", { name: "Add", exact: true }).click();
      await cell(tablet.page, "economy").waitFor();
      assert.equal(await tablet.page.locator("#dashboard-add").count(), 0, "nothing left to add");
      assert.deepEqual(await place(tablet.page, "watched"), layout.watched, "the other panels stay where they were");
      assert.deepEqual(tablet.errors, [], "no console errors");
    } finally {
      await tablet.context.close();
    }
  });

  await test("dashboard-live", async () => {
    const token = async (username: string) => (await api("/tokens", { method: "POST", json: { username, password: DEMO_PASSWORD, label: "e2e live" } })).token as string;
    const [alice, bob] = [await token("alice"), await token("bob")];
    // Earlier tests may have sold Alice's ore or spent Bob's gold: the faucet gives them enough.
    const opened = await openPostgres(e2e.stack!.stack.databaseUrl, 1);
    try {
      const [ore] = await rows<{ id: number }>(opened.db, sql`select id from item_types where slug = 'iron-ore'`);
      const who = await rows<{ id: string; username: string }>(opened.db, sql`select id::text as id, username from players where username in ('alice', 'bob')`);
      const idOf = (name: string) => who.find((p) => p.username === name)!.id;
      await withTx(opened.db, async (tx) => {
        await ledger.mint(tx, { actor: "system:seed" }, { playerId: idOf("alice"), asset: ore!.id, amount: 200 });
        await ledger.mint(tx, { actor: "system:seed" }, { playerId: idOf("bob"), asset: ledger.CURRENCY, amount: 200_000 });
      });
    } finally {
      await opened.close();
    }
    const gold = (copper: number) => (copper / 100).toFixed(2);
    for (const [label, viewport] of [["tablet", TABLET], ["phone", PHONE]] as const) {
      const { context, page, errors } = await newPlayer(viewport);
      try {
        await signUp(page, `live${label}${Date.now().toString(36)}`);
        await context.addCookies([{ name: "bazaar_watch", value: "iron-ore", url: e2e.stack!.url }]);
        await page.goto("/dashboard");
        // Pick iron-ore for the chart, book and tape (saved; the page reads it again).
        await Promise.all([page.waitForResponse((r) => r.url().includes("/dashboard") && r.request().method() === "POST"), page.getByLabel("Chart, book and tape of").selectOption("iron-ore")]);
        await page.locator('[data-panel="tape"] h2', { hasText: "Iron Ore" }).waitFor({ timeout: 15_000 });
        await live(page);
        const last = page.locator('[data-panel="watched"] [data-market="iron-ore"] [data-last]');
        await last.waitFor();
        await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));

        // Alice sells and Bob buys. Earlier tests leave orders on the book, so the last trade may be at
        // another price (a higher resting bid takes Alice's sell first): the answers' fills say what it
        // was. If that lands on the price shown already, trade again at another price.
        const before = await last.textContent();
        let expected = before;
        for (const price of [137, 143, 151, 163]) {
          const sold = await api("/markets/iron-ore/orders", { method: "POST", token: alice, json: { clientOrderId: crypto.randomUUID(), side: "sell", price, quantity: 10 } });
          const bought = await api("/markets/iron-ore/orders", { method: "POST", token: bob, json: { clientOrderId: crypto.randomUUID(), side: "buy", price, quantity: 10 } });
          const fills = [...((sold.fills ?? []) as Array<{ price: number }>), ...((bought.fills ?? []) as Array<{ price: number }>)];
          assert.ok(fills.length > 0, `the two orders at ${price} traded`);
          expected = gold(fills.at(-1)!.price);
          if (expected !== before) break;
        }
        assert.notEqual(expected, before, `the last price moved (${before} -> ${expected})`);
        await page.waitForFunction((want) => document.querySelector('[data-panel="watched"] [data-market="iron-ore"] [data-last]')?.textContent === want, expected, { timeout: 20_000 });
        // The tape's newest row is that trade.
        await page.waitForFunction((want) => document.querySelector('[data-panel="tape"] tbody tr td')?.textContent?.replace(/^(buy|sell) /, "") === want, expected, { timeout: 20_000 });

        // The book: Alice rests 10 at the front of the asks (between the best bid and ask when there is
        // room, else at the best ask); the panel's level there grows by 10, and shrinks back when she cancels.
        const book = await api("/markets/iron-ore/book");
        const bestBid = (book.bids?.[0]?.price ?? book.bids?.[0]?.[0]) as number | undefined;
        const bestAsk = (book.asks?.[0]?.price ?? book.asks?.[0]?.[0]) as number | undefined;
        const at = bestAsk === undefined ? (bestBid ?? 100) + 50 : bestBid === undefined || bestAsk - bestBid > 1 ? bestAsk - 1 : bestAsk;
        const levels = () =>
          page.evaluate(() =>
            Object.fromEntries([...document.querySelectorAll('[data-panel="book"] .asks li')].map((li) => {
              const cells = [...li.querySelectorAll(".num")].map((c) => c.textContent ?? "");
              return [cells[0], Number((cells[1] ?? "0").replace(/,/g, ""))];
            })),
          );
        const had = (await levels())[gold(at)] ?? 0;
        const rest = await api("/markets/iron-ore/orders", { method: "POST", token: alice, json: { clientOrderId: crypto.randomUUID(), side: "sell", price: at, quantity: 10 } });
        assert.equal(rest.fills?.length ?? 0, 0, `the ask at ${gold(at)} rests (book ${JSON.stringify(book).slice(0, 200)})`);
        const levelIs = (q: number) =>
          page.waitForFunction(
            ([price, want]) => {
              const li = [...document.querySelectorAll('[data-panel="book"] .asks li')].find((l) => l.querySelector(".price")?.textContent === price);
              return Number((li?.querySelectorAll(".num")[1]?.textContent ?? "0").replace(/,/g, "")) === want;
            },
            [gold(at), q] as const,
            { timeout: 20_000 },
          );
        await levelIs(had + 10);
        await api(`/markets/iron-ore/orders/${rest.order.id}`, { method: "DELETE", token: alice });
        await levelIs(had);

        assert.equal(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere), true, "no reload");
        await page.screenshot({ path: path.join(SHOTS, `dashboard-live-${label}.png`), fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });

  await test("leaderboards-page", async () => {
    await marketFixture(e2e.stack!.url, e2e.stack!.stack.databaseUrl).catch((e: Error) => console.log(`    (market fixture not placed: ${e.message.slice(0, 120)})`));
    // The cron trigger runs the feed's consumers (leaderboards among them).
    for (let i = 0; i < 3; i++) await fetch(`${e2e.stack!.url}/__scheduled?cron=${encodeURIComponent("* * * * *")}`).then((r) => r.text());
    for (const [label, viewport] of [["phone", PHONE], ["tablet", TABLET]] as const) {
      const { context, page, errors } = await newPlayer(viewport);
      try {
        await signIn(page, "alice");
        await page.goto("/leaderboards?board=volume&window=day");
        const rows = page.locator("table.history tbody tr");
        assert.ok((await rows.count()) >= 2, "alice and bob traded today");
        assert.match((await page.locator("#me-head + p").textContent()) ?? "", /^#\d+ of \d+/, "my place");
        await page.screenshot({ path: path.join(SHOTS, `leaderboards-${label}.png`), fullPage: true });

        // Alice hides herself: others' page leaves her out; hers shows her row and place, marked.
        const alice = (await api("/tokens", { method: "POST", json: { username: "alice", password: DEMO_PASSWORD, label: "e2e privacy" } })).token as string;
        await api("/privacy", { method: "PUT", token: alice, json: { showOnLeaderboards: false } });
        try {
          const others = await newPlayer(viewport);
          try {
            await others.page.goto("/leaderboards?board=volume&window=day");
            const names = await others.page.locator("table.history tbody td:nth-child(2)").allTextContents();
            assert.ok(!names.some((n) => /^alice\b/.test(n)), `alice is not listed for others: ${names.join(", ")}`);
            const ranks = (await others.page.locator("table.history tbody td:first-child").allTextContents()).map(Number);
            assert.deepEqual(ranks, ranks.map((_, i) => i + 1), "the ranks close up");
          } finally {
            await others.context.close();
          }
          await page.reload();
          await page.getByTestId("hidden-note").waitFor();
          const mine = page.locator("table.history tbody tr.mine");
          assert.match((await mine.textContent()) ?? "", /alice.*Hidden.*only you see this/, "her own row, marked");
          await page.screenshot({ path: path.join(SHOTS, `leaderboards-hidden-${label}.png`), fullPage: true });
          // The setting, on the settings page: unchecked, saying so.
          await page.goto("/settings");
          const privacy = page.locator("#privacy-section");
          assert.equal(await privacy.getByLabel("Show me on the leaderboards").isChecked(), false);
          assert.match((await privacy.textContent()) ?? "", /You are hidden/);
          const box = (await privacy.locator("label.choice").boundingBox())!;
          assert.ok(box.height >= 44, `the checkbox's label is a touch target (${box.height} px high)`);
          await privacy.screenshot({ path: path.join(SHOTS, `settings-privacy-${label}.png`) });
        } finally {
          await api("/privacy", { method: "PUT", token: alice, json: { showOnLeaderboards: true } });
        }
        // A trader's dashboard with trades behind it (alice: the fixture's seller), default layout.
        await page.goto("/dashboard");
        await page.locator('[data-panel="pnl"]').waitFor();
        if (label === "tablet") await page.locator(".react-grid-layout").waitFor();
        await page.waitForTimeout(600); // the grid's 200 ms transitions settle (for the picture)
        const wide = await page.evaluate(() => {
          const over = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1);
          return { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, over: over.slice(0, 5).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`) };
        });
        assert.ok(wide.scroll <= wide.client, `no sideways scrolling on the dashboard: ${JSON.stringify(wide)}`);
        await page.screenshot({ path: path.join(SHOTS, `dashboard-trader-${label}.png`), fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });
}
