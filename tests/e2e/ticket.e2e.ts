/**
 * The market page's order ticket, its words and the phone layout (issue 14, "the first ten minutes"):
 *
 *   ticket-held     a sell of more than the player holds: the message names what they hold, Review
 *                   does not open the confirmation dialog, the quantity field gets focus
 *   ticket-clears   the message goes the moment the quantity is corrected, and Review opens the dialog
 *   ticket-tick     1.234 gold on a 0.01 tick: "must be a multiple of 0.01", with two prices on it
 *   ticket-fill     tapping an ask sets a buy at its price, a bid a sell; Best bid / Best ask set the price
 *   ticket-words    a resting sell says "Placed ... rests on the book"; a limit buy that trades
 *                   completely on arrival says "Filled at once", never "at market"
 *   ticket-busy     a market too far behind (another player's batch held on a lock, ADR 048): the
 *                   order is refused at once and the ticket shows the room's sentence
 *   ticket-layout   at 360x740 and 768x1024: with the ticket scrolled under the header, its submit
 *                   button and every book level are on screen together and not covered (nav.tabs,
 *                   the header: elementFromPoint); the page's end clears the tab bar; every visible
 *                   interactive element is at least 44x44 CSS px
 *
 * Other tests and NPC bots may trade on this stack: nothing assumes an empty book. iron-ore has the
 * market fixture's book; orders of our own use prices nobody else would.
 */
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { sql } from "drizzle-orm";
import pg from "pg";
import { Trader } from "../../bench/market/trader";
import { rows } from "../../db/db";
import { openPostgres } from "../../db/open";
import { QUEUE_WAIT_MS } from "../../party/market/admission";
import { issueToken } from "../../party/tokens";
import { fundedTrader } from "../support/market";
import { e2e, live, marketFixture, newPlayer, PHONE, placeOrder, SHOTS, signUp, test } from "./harness";

const suffix = Date.now().toString(36).slice(-5);
const SMALL_PHONE = { width: 360, height: 740 };
const TABLET_PORTRAIT = { width: 768, height: 1024 };

let fixture: Promise<void> | undefined;
/** The fixture once per run (placing its orders again only replays them: idempotent by clientOrderId). */
const ensureFixture = () => (fixture ??= marketFixture(e2e.stack!.url, e2e.stack!.stack.databaseUrl));

async function player(viewport: { width: number; height: number }, name: string) {
  const p = await newPlayer(viewport);
  await signUp(p.page, `${name}_${suffix}`);
  return p;
}

async function openMarket(page: Page, slug: string) {
  await page.goto(`/markets/${slug}`);
  await live(page);
  return page.locator(".ticket");
}

/** A value the page sets in an effect after a click: polled until it is what is expected (or 5 s pass). */
async function settled(read: () => Promise<string | null>, expected: string | null): Promise<string | null> {
  const deadline = Date.now() + 5_000;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

const dialogOpen = (page: Page) => page.evaluate(() => Boolean(document.querySelector<HTMLDialogElement>("dialog.confirm")?.open));

let held: Awaited<ReturnType<typeof player>> | undefined;

export async function ticketSuite(): Promise<void> {
  await test("ticket-held", async () => {
    held = await player(PHONE, "tkh");
    const { page, errors } = held;
    const ticket = await openMarket(page, "health-potion");
    await ticket.getByText("Sell", { exact: true }).click();
    await ticket.getByLabel("Price", { exact: true }).fill("2.00");
    await ticket.getByLabel("Quantity", { exact: true }).fill("50");
    const message = "You have 5 Health Potion available to sell. Lower the quantity to 5 or less.";
    await ticket.locator(".field-error", { hasText: message }).waitFor({ timeout: 5_000 });
    assert.equal(await ticket.getByLabel("Quantity", { exact: true }).getAttribute("aria-invalid"), "true");
    await ticket.getByRole("button", { name: "Review sell order" }).click();
    await page.waitForTimeout(300);
    assert.equal(await dialogOpen(page), false, "the confirmation dialog does not open for a sell of more than held");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "quantity", "the quantity field has focus");
    assert.match(await ticket.locator(".fix-note").innerText(), /Fix the quantity above/);
    await ticket.locator(".field-error").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, "phone-ticket-error.png") });
    assert.deepEqual(errors, [], "no console errors");
  });

  await test("ticket-clears", async () => {
    const { page, errors } = held ?? (held = await player(PHONE, "tkh"));
    const ticket = page.locator(".ticket");
    if (!(await ticket.count())) await openMarket(page, "health-potion");
    await ticket.getByText("Sell", { exact: true }).click();
    await ticket.getByLabel("Quantity", { exact: true }).fill("50");
    await ticket.locator(".field-error").first().waitFor();
    // One keystroke that makes the order possible: the message goes at once.
    await ticket.getByLabel("Quantity", { exact: true }).press("Backspace");
    await ticket.getByLabel("Quantity", { exact: true }).press("Backspace");
    await ticket.getByLabel("Quantity", { exact: true }).pressSequentially("5");
    assert.equal(await ticket.locator(".field-error").count(), 0, "no error once the quantity is 5");
    assert.equal(await ticket.getByLabel("Quantity", { exact: true }).getAttribute("aria-invalid"), null);
    assert.equal(await ticket.locator(".fix-note").count(), 0);
    await ticket.getByRole("button", { name: "Review sell order" }).click();
    const dialog = page.getByRole("dialog", { name: "Confirm order" });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Sell\s+5 Health Potion/);
    await dialog.getByRole("button", { name: "Edit" }).click();
    assert.equal(await dialogOpen(page), false);
    assert.deepEqual(errors, [], "no console errors");
  });

  await test("ticket-tick", async () => {
    const { page, errors } = held ?? (held = await player(PHONE, "tkh"));
    const ticket = await openMarket(page, "health-potion");
    const price = ticket.getByLabel("Price", { exact: true });
    await price.fill("1.234");
    const error = ticket.locator(".field-error");
    await error.waitFor();
    assert.equal(await error.innerText(), "The price must be a multiple of 0.01 gold (the tick size). Try 1.23 or 1.24.");
    assert.equal(await price.getAttribute("aria-invalid"), "true");
    // The limits are shown with the field, and read with it.
    const hint = await ticket.locator(".limits").first().innerText();
    assert.match(hint, /steps of 0\.01 \(tick\)/);
    assert.match(await price.getAttribute("aria-describedby").then(String), /-hint/);
    await ticket.getByRole("button", { name: "Review buy order" }).click();
    await page.waitForTimeout(200);
    assert.equal(await dialogOpen(page), false, "no dialog for a price off the tick");
    await price.press("Backspace");
    assert.equal(await error.count(), 0, "1.23 is on the tick: the message is gone");
    await page.screenshot({ path: path.join(SHOTS, "phone-ticket-tick.png") });
    assert.deepEqual(errors, [], "no console errors");
  });

  await test("ticket-fill", async () => {
    await ensureFixture();
    const { page, errors, context } = await player(PHONE, "tkf");
    try {
      const ticket = await openMarket(page, "iron-ore");
      await page.locator(".ladder .asks li button").last().waitFor();
      await page.locator(".ladder .bids li button").first().waitFor();
      const price = ticket.getByLabel("Price", { exact: true });
      const checked = () => ticket.locator('input[name="side"]:checked').getAttribute("value");
      // The lowest ask is the ask row nearest the spread (the last one shown); tapping it sets a buy.
      const ask = page.locator(".ladder .asks li button").last();
      await ticket.getByText("Sell", { exact: true }).click();
      await price.fill("0.07");
      const askPrice = (await ask.locator(".price").innerText()).replace(/,/g, "");
      await ask.click();
      assert.equal(await settled(() => price.inputValue(), askPrice), askPrice, "tapping an ask puts its price in the ticket");
      assert.equal(await settled(checked, "buy"), "buy", "tapping an ask sets up a buy");
      const bid = page.locator(".ladder .bids li button").nth(1);
      const bidPrice = (await bid.locator(".price").innerText()).replace(/,/g, "");
      await bid.click();
      assert.equal(await settled(() => price.inputValue(), bidPrice), bidPrice, "tapping a bid puts its price in the ticket");
      assert.equal(await settled(checked, "sell"), "sell", "tapping a bid sets up a sell");
      // Best bid / Best ask: the top of the book as the ladder shows it.
      await price.fill("0.07");
      for (const [name, side] of [
        ["Best bid", "bids"],
        ["Best ask", "asks"],
      ] as const) {
        const [top, chip] = await page.evaluate(
          ([name, side]) => {
            const rows = [...document.querySelectorAll(`.ladder .${side} li button .price`)];
            const best = side === "bids" ? rows[0] : rows.at(-1);
            const chipText = [...document.querySelectorAll(".ticket button.chip")].find((b) => b.textContent!.startsWith(name))!.textContent!;
            return [best!.textContent!.replace(/,/g, ""), chipText.replace(name, "").replace(/,/g, "").trim()];
          },
          [name, side] as const,
        );
        assert.equal(chip, top, `${name} shows the ladder's top ${side === "bids" ? "bid" : "ask"}`);
        await ticket.getByRole("button", { name: new RegExp(`^${name}, `) }).click();
        assert.equal(await settled(() => price.inputValue(), chip), chip, `${name} sets the price`);
      }
      assert.equal(await price.getAttribute("aria-invalid"), null, "the best prices are on the tick");
      await page.screenshot({ path: path.join(SHOTS, "phone-ticket-fill.png") });
      assert.deepEqual(errors, [], "no console errors");
    } finally {
      await context.close();
    }
  });

  await test("ticket-words", async () => {
    const seller = await player(PHONE, "tks");
    const buyer = await player(PHONE, "tkb");
    try {
      // A price nobody else would ask for a potion: the sell rests on the book.
      await openMarket(seller.page, "health-potion");
      await placeOrder(seller.page, "sell", "87.65", "1");
      assert.equal(
        await seller.page.locator(".ticket .ok-note").innerText(),
        "Placed: your sell order for 1 Health Potion rests on the book at 87.65 gold.",
      );
      // A limit buy at that price trades completely on arrival (against this ask, or a cheaper one).
      const ticket = await openMarket(buyer.page, "health-potion");
      await buyer.page.locator(".ladder .asks", { hasText: "87.65" }).waitFor({ timeout: 10_000 });
      await placeOrder(buyer.page, "buy", "87.65", "1");
      const note = await ticket.locator(".ok-note").innerText();
      assert.match(note, /^Filled at once: bought 1 Health Potion at \d+\.\d{2} gold\.$/);
      assert.doesNotMatch(note, /at market/);
      await buyer.page.screenshot({ path: path.join(SHOTS, "phone-ticket-filled.png") });
      // The seller's order, if a cheaper ask took the buy, is canceled again (read after a reload:
      // the buy was committed before its answer came, so the seller's open orders are settled).
      await seller.page.reload();
      await live(seller.page);
      const mine = seller.page.locator(".orders-panel li.order[data-order-id]", { hasText: "87.65" });
      if (await mine.count()) {
        await mine.getByRole("button", { name: /^Cancel/ }).click();
        await mine.waitFor({ state: "detached", timeout: 10_000 });
      }
      assert.deepEqual([...seller.errors, ...buyer.errors], [], "no console errors");
    } finally {
      await seller.context.close();
      await buyer.context.close();
    }
  });

  await test("ticket-busy", async () => {
    // A market too far behind refuses a new order at once (ADR 048), and the ticket says so in the
    // room's words. Another player's balance row is held outside the room, so that player's order
    // waits on the lock and their second one ages in the queue past the room's 5 s limit.
    const p = await player(PHONE, "tkq");
    const db = await openPostgres(e2e.stack!.stack.databaseUrl, 1);
    const blocker = new pg.Client({ connectionString: e2e.stack!.stack.databaseUrl });
    let other: Trader | undefined;
    let held = false;
    try {
      const ticket = await openMarket(p.page, "health-potion");
      const [market] = await rows<{ itemTypeId: number }>(db.db, sql`select item_type_id as "itemTypeId" from markets where slug = 'health-potion'`);
      const x = await fundedTrader(db.db, [market!.itemTypeId]);
      other = await Trader.connect(new URL(e2e.stack!.stack.partyUrl).host, "health-potion", await issueToken(e2e.stack!.stack.vars.ROOM_SECRET!, "player", x, 120), x);
      await blocker.connect();
      await blocker.query("begin");
      await blocker.query("select 1 from balances where player_id = $1 for update", [x]);
      held = true;
      const bid = (n: number) => ({ type: "place", clientOrderId: `busy-${n}-${suffix}`, side: "buy", orderType: "limit", price: 1, quantity: 1 });
      const stuck = other.send(bid(1));
      await p.page.waitForTimeout(200);
      const queued = other.send(bid(2));
      await p.page.waitForTimeout(QUEUE_WAIT_MS + 300);

      await ticket.getByText("Buy", { exact: true }).click();
      await ticket.getByLabel("Price", { exact: true }).fill("0.02");
      await ticket.getByLabel("Quantity", { exact: true }).fill("1");
      await ticket.getByRole("button", { name: "Review buy order" }).click();
      const dialog = p.page.getByRole("dialog", { name: "Confirm order" });
      await dialog.getByRole("button", { name: "Confirm buy" }).click();
      const refusal = ticket.locator(".form-error");
      await refusal.waitFor({ timeout: 10_000 });
      assert.equal(await refusal.innerText(), "The market is too busy to take this order right now, and nothing changed. Send it again in a moment.");
      assert.equal(await ticket.locator(".ok-note").count(), 0);
      await p.page.locator(".toast.bad", { hasText: "too busy" }).waitFor({ timeout: 5_000 });
      await p.page.waitForTimeout(400); // the toast's 0.2 s rise, then the page as the player sees it
      await p.page.screenshot({ path: path.join(SHOTS, "phone-ticket-busy.png") });
      await p.page.setViewportSize(TABLET_PORTRAIT);
      await p.page.waitForTimeout(300);
      await p.page.screenshot({ path: path.join(SHOTS, "tablet-ticket-busy.png") });

      await blocker.query("rollback");
      held = false;
      assert.deepEqual([(await stuck).ok, (await queued).ok], [true, true], "the other player's orders settle once the lock goes");
      assert.deepEqual(p.errors, [], "no console errors");
    } finally {
      if (held) await blocker.query("rollback").catch(() => undefined);
      await blocker.end().catch(() => undefined);
      other?.close();
      await db.close();
      await p.context.close();
    }
  });

  await test("ticket-layout", async () => {
    await ensureFixture();
    const problems: string[] = [];
    for (const [label, viewport] of [
      ["phone", SMALL_PHONE],
      ["tablet-portrait", TABLET_PORTRAIT],
    ] as const) {
      const { page, errors, context } = await player(viewport, label === "phone" ? "tkl" : "tkt");
      try {
        const ticket = await openMarket(page, "iron-ore");
        // A resting order of our own (a price nobody sells at), so that Cancel and Amend are on the page.
        await placeOrder(page, "buy", "0.03", "10");
        await page.locator(".orders-panel li.order[data-order-id]").first().waitFor();
        await page.locator(".ladder .bids li button").first().waitFor();
        await ticket.getByRole("button", { name: /^Review buy order/ }).waitFor();
        const where = `${label} ${viewport.width}x${viewport.height}`;
        // The answer's notice (a toast, gone after 6 s) is transient: measure the page as it stays.
        await page.waitForFunction(() => !document.querySelector(".toast"), null, { timeout: 10_000 });
        // The ticket's top just under the sticky header: the submit button and the book's levels
        // must both be on screen, and nothing (nav.tabs, the header) may sit on top of them.
        const cover = await page.evaluate(() => {
          const header = document.querySelector("header.top")!.getBoundingClientRect();
          const panel = document.querySelector(".ticket-panel")!;
          window.scrollTo(0, panel.getBoundingClientRect().top + window.scrollY - header.bottom - 8);
          const nav = document.querySelector("nav.tabs")!.getBoundingClientRect();
          const fixedNav = getComputedStyle(document.querySelector("nav.tabs")!).position === "fixed";
          const out: string[] = [];
          // (No named functions inside evaluate: tsx would wrap them in a helper the page does not have.)
          const levels = [...document.querySelectorAll(".ladder li button")].filter((b) => b.getBoundingClientRect().height > 0);
          const targets: Array<[Element, string]> = [[document.querySelector(".ticket button.submit")!, "the ticket's submit button"]];
          levels.forEach((b, i) => targets.push([b, `book level ${i + 1} (${b.querySelector(".price")!.textContent})`]));
          for (const [el, what] of targets) {
            const r = el.getBoundingClientRect();
            if (r.top < header.bottom - 0.5 || r.bottom > window.innerHeight + 0.5) out.push(`${what} is off screen (${Math.round(r.top)}-${Math.round(r.bottom)} of ${window.innerHeight})`);
            if (fixedNav && r.bottom > nav.top + 0.5) out.push(`${what} reaches under nav.tabs (bottom ${Math.round(r.bottom)} > ${Math.round(nav.top)})`);
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            if (!hit || !el.contains(hit)) out.push(`${what} is covered by ${hit ? `${hit.tagName.toLowerCase()}.${[...hit.classList].join(".")}` : "nothing"}`);
          }
          return { out, levels: levels.length };
        });
        problems.push(...cover.out.map((p) => `${where}: ${p}`));
        assert.ok(cover.levels >= 2, `${where}: the book shows levels (${cover.levels})`);
        await page.screenshot({ path: path.join(SHOTS, `${label === "phone" ? "phone-360" : "tablet-768"}-ticket-book.png`) });
        // The page's end clears the tab bar.
        const end = await page.evaluate(() => {
          window.scrollTo(0, document.documentElement.scrollHeight);
          const nav = document.querySelector("nav.tabs")!;
          const last = [...document.querySelectorAll(".market-grid > .panel")].map((p) => p.getBoundingClientRect().bottom);
          return { fixed: getComputedStyle(nav).position === "fixed", navTop: nav.getBoundingClientRect().top, bottom: Math.max(...last) };
        });
        if (end.fixed && end.bottom > end.navTop) problems.push(`${where}: the last panel ends under nav.tabs (${Math.round(end.bottom)} > ${Math.round(end.navTop)})`);
        // Every visible interactive element is at least 44x44 CSS px.
        await page.evaluate(() => window.scrollTo(0, 0));
        const small = await page.evaluate(() => {
          const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [tabindex]:not([tabindex="-1"])';
          const out: string[] = [];
          for (const el of document.querySelectorAll<HTMLElement>(selector)) {
            if (el.closest("dialog:not([open])")) continue;
            const r = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (r.width === 0 || r.height === 0 || style.visibility === "hidden") continue;
            if (r.right <= 0 || r.left >= window.innerWidth) continue; // the skip link waits off screen
            if (el.matches('input[type="radio"], input[type="checkbox"]') && el.parentElement?.matches("label")) {
              const l = el.parentElement.getBoundingClientRect();
              if (l.width >= 44 && l.height >= 44) continue; // the label is the target
            }
            if (r.width < 43.5 || r.height < 43.5) {
              const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
              out.push(`${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join(".")}` : ""} "${name}" ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
            }
          }
          return out;
        });
        problems.push(...small.map((s) => `${where}: under 44x44: ${s}`));
        // Our resting order goes again.
        await page.locator(".orders-panel li.order[data-order-id]", { hasText: "0.03" }).first().getByRole("button", { name: /^Cancel/ }).click();
        await page.locator(".orders-panel li.order[data-order-id]", { hasText: "0.03" }).waitFor({ state: "detached", timeout: 10_000 });
        assert.deepEqual(errors, [], `${where}: no console errors`);
      } finally {
        await context.close();
      }
    }
    if (problems.length) throw new Error(`${problems.length} layout problems: ${problems.join(" | ")}`);
  });
}
