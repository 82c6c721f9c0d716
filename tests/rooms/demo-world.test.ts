/**
 * The demo world on a fresh embedded start, the way `npm start` runs it (PGlite, NPC traders on):
 *   1. within 60 s of the stack answering, at least 10 markets have 24h volume and both a bid and
 *      an ask (and the time from launch is printed);
 *   2. a new player, signed up through the web form, buys at once;
 *   3. players are served alongside the NPCs (120 concurrent requests, no 5xx), and trades keep
 *      arriving while nobody but the NPCs trades;
 *   4. NPCs answer offers: a fair price for an NPC's sword is accepted, a lowball declined;
 *   5. in chromium at phone and tablet size: the most traded market listed first, ticks arriving on
 *      a market page, the NPCs offered as trade partners; screenshots of the living market;
 *   6. after a clean stop, check:ledger and replay are clean, NPC fills happened live (after the
 *      history), no NPC order was refused and the [npc] log has no errors.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows } from "../../db/db";
import { openPglite } from "../../db/open";
import { DEMO_PASSWORD } from "../../db/seed";
import { repoRoot } from "../../scripts/paths";
import { mostTraded } from "../../app/utils/markets";
import { CHROMIUM, CHROMIUM_ARGS } from "../e2e/stack";
import { callApi, embeddedPorts, FormBrowser, useEmbeddedStack } from "../support/embedded";

const SHOTS = path.join(repoRoot, "docs", "screenshots");
mkdirSync(SHOTS, { recursive: true });

// Ports: ROOMS_DEMO_PORT, ROOMS_DEMO_PARTY_PORT, ROOMS_DEMO_PGLITE_PORT, ROOMS_DEMO_WS_PROXY_PORT.
const ports = embeddedPorts("DEMO", { web: 19687, party: 19699, pglite: 19633, wsProxy: 19689 });
const demo = useEmbeddedStack("demo-world", ports, {
  demoWorld: { stepMs: 1_000 },
  // As npm start sets them: new accounts may trade offers at once, accepted a second after sending.
  env: { OFFER_MIN_ACCOUNT_AGE_SECONDS: "0", OFFER_ACCEPT_DELAY_SECONDS: "1", OFFER_CONFIRM_ABOVE_COPPER: "50000" },
});
const api = (p: string, init?: Parameters<typeof callApi>[2]) => callApi(demo.stack!.url, p, init);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Summary {
  slug: string;
  volume24h: number;
  trades24h: number;
  tickSize: number;
  lotSize: number;
  itemTypeId: number;
}

async function livelyMarkets(): Promise<string[]> {
  const { body } = await api("/markets");
  const traded = (body.markets as Summary[]).filter((m) => m.volume24h > 0);
  const lively: string[] = [];
  for (const m of traded) {
    const book = (await api(`/markets/${m.slug}/book?depth=1`)).body;
    if (book.bids.length > 0 && book.asks.length > 0) lively.push(m.slug);
  }
  return lively;
}

const player = `newcomer_${process.pid % 100_000}`;
let token = "";

it("within 60 s of a fresh start, 10+ markets have 24h volume and a two-sided book", async () => {
  let lively: string[] = [];
  while (Date.now() < demo.readyAt + 60_000) {
    lively = await livelyMarkets();
    if (lively.length >= 10) break;
    await sleep(1_000);
  }
  const fromLaunch = (Date.now() - demo.startedAt) / 1000;
  console.log(`demo world: ${lively.length} lively markets ${fromLaunch.toFixed(1)} s after launch (stack answered after ${((demo.readyAt - demo.startedAt) / 1000).toFixed(1)} s)`);
  expect(lively.length).toBeGreaterThanOrEqual(10);
  const { body } = await api("/markets");
  const sorted = (body.markets as Summary[]).map((m) => m.trades24h);
  expect(sorted.filter((n) => n > 0).length).toBeGreaterThanOrEqual(10);
});

it("lets a new player buy at once", async () => {
  const browser = new FormBrowser(demo.stack!.url);
  expect((await browser.signUp(player)).status).toBe(302);
  token = (await api("/tokens", { method: "POST", json: { username: player, password: "correct-horse-9", label: "demo test" } })).body.token;
  expect(token).toBeTruthy();
  const book = (await api("/markets/iron-ore/book?depth=1")).body;
  const [bestAsk] = book.asks[0] as [number, number];
  const before = (await api("/inventory", { token })).body;
  const answer = await api("/markets/iron-ore/orders", {
    method: "POST", token,
    json: { clientOrderId: "first-buy", side: "buy", orderType: "limit", price: bestAsk, quantity: 10, timeInForce: "IOC" },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  expect(answer.body.order.filled).toBe(10);
  const after = (await api("/inventory", { token })).body;
  const ore = after.stacks.find((s: { slug: string }) => s.slug === "iron-ore");
  expect(ore?.available).toBe(10);
  expect(after.balance.available).toBeLessThan(before.balance.available);
});

it("serves players alongside the NPCs: 120 concurrent requests from four players, no 5xx", async () => {
  const tokens = [token];
  for (const username of ["alice", "bob", "carol"]) {
    tokens.push((await api("/tokens", { method: "POST", json: { username, password: DEMO_PASSWORD, label: "demo load" } })).body.token);
  }
  const markets = ((await api("/markets")).body.markets as Summary[]).filter((m) => m.slug === "coal" || m.slug === "oak-log" || m.slug === "iron-ore");
  const calls = Array.from({ length: 120 }, (_, i) => {
    const t = tokens[i % tokens.length]!;
    const m = markets[i % markets.length]!;
    if (i % 3 === 0) return api(`/markets/${m.slug}/book?depth=5`);
    if (i % 3 === 1) return api("/inventory", { token: t });
    // Small resting buys well under the market: they do not trade, they do go through the room.
    return api(`/markets/${m.slug}/orders`, { method: "POST", token: t, json: { clientOrderId: `load-${i}`, side: "buy", orderType: "limit", price: m.tickSize, quantity: m.lotSize } });
  });
  const statuses = (await Promise.all(calls)).map((r) => r.status);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  expect(statuses.filter((s) => s === 201 || s === 200).length).toBe(120);
  // Take the far-away buys back (they would clutter the books and the screenshots).
  for (const t of tokens) for (const m of markets) expect((await api(`/markets/${m.slug}/cancel-all`, { method: "POST", token: t })).status).toBe(200);
});

it("keeps trading: trades arrive while nobody but the NPCs trades", async () => {
  const total = async () => ((await api("/markets")).body.markets as Summary[]).reduce((s, m) => s + m.trades24h, 0);
  const first = await total();
  let now = first;
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline && now < first + 3) {
    await sleep(2_000);
    now = await total();
  }
  expect(now).toBeGreaterThanOrEqual(first + 3);
});

it("answers offers: a fair price for an NPC's sword is accepted, a lowball declined", async () => {
  const npc = "Wandering_Kell";
  const inventory = (await api(`/players/${npc}/inventory`, { token })).body;
  const swords = inventory.uniques.filter((u: { slug: string }) => u.slug === "iron-sword");
  expect(swords.length).toBeGreaterThan(0);
  const send = async (copper: number) =>
    (await api("/offers", { method: "POST", token, json: { to: npc, give: [{ kind: "currency", quantity: copper }], ask: [{ kind: "unique", itemId: swords[0].id }], message: "for your sword" } })).body.offer.id as string;
  const lowball = await send(500);
  const settle = async (id: string) => {
    for (let i = 0; i < 40; i++) {
      const offer = (await api(`/offers/${id}`, { token })).body.offer;
      if (offer.status !== "pending") return offer.status as string;
      await sleep(1_000);
    }
    return "pending";
  };
  expect(await settle(lowball)).toBe("declined");
  const fair = await send(2_000);
  expect(await settle(fair)).toBe("accepted");
  const mine = (await api("/inventory", { token })).body.uniques.map((u: { id: string }) => u.id);
  expect(mine).toContain(swords[0].id);
});

it("looks alive in a browser: most traded first, ticks arriving on a market page, NPCs to offer to (phone and tablet)", async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const { body } = await api("/markets");
  const top = [...(body.markets as Array<Summary & { name: string }>)].sort(mostTraded)[0]!;
  try {
    for (const [label, viewport] of [["phone", { width: 390, height: 844 }], ["tablet", { width: 1024, height: 1366 }]] as const) {
      const context = await browser.newContext({ viewport, baseURL: demo.stack!.url, deviceScaleFactor: 2, colorScheme: "dark", hasTouch: true });
      const errors: string[] = [];
      context.on("page", (p) => p.on("pageerror", (e) => errors.push(e.message)));
      const page = await context.newPage();
      page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
      await page.goto("/signin");
      await page.getByLabel("Username").fill("alice");
      await page.getByLabel("Password").fill(DEMO_PASSWORD);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/signin")), page.getByRole("button", { name: "Sign in", exact: true }).click()]);

      await page.goto("/markets");
      const first = page.locator(".market-row").first();
      await first.waitFor();
      expect(await first.innerText(), `${label}: the most traded market is listed first`).toContain(top.name);
      await page.screenshot({ path: path.join(SHOTS, `${label}-living-markets.png`) });

      await page.goto("/markets/iron-ore");
      await page.locator('[data-connection="live"]').waitFor({ timeout: 45_000 });
      // The chart starts once near the screen (below the ticket and book on a phone).
      await page.locator(".chart").first().scrollIntoViewIfNeeded();
      await page.locator(".chart canvas").first().waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      // Ticks: the book or the trade tape changes while we watch (the NPCs trade; nobody else does).
      const changed = await page.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            const observer = new MutationObserver((records) => {
              if (records.some((r) => (r.target instanceof Element ? r.target : r.target.parentElement)?.closest(".ladder, .trades-panel"))) {
                observer.disconnect();
                resolve(true);
              }
            });
            observer.observe(document.querySelector("main")!, { subtree: true, childList: true, characterData: true });
            // Iron ore's turn comes every ~10 NPC steps (npc/turns.ts), ~25 s on a loaded host; a
            // turn may change only levels below the ladder's view, so two turns' worth of time.
            setTimeout(() => resolve(false), 60_000);
          }),
      );
      expect(changed, `${label}: a tick arrived on the iron ore page within 60 s`).toBe(true);
      const book = await page.locator(".ladder").innerText();
      expect(book, `${label}: the book has prices`).toMatch(/\d\.\d\d/);
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(SHOTS, `${label}-living-market.png`) });

      await page.goto("/offers/new");
      await page.locator(".npc-traders a").first().waitFor();
      expect(await page.locator(".npc-traders a").count()).toBe(12);
      if (label === "phone") await page.screenshot({ path: path.join(SHOTS, "phone-offer-npcs.png") });
      expect(errors, `${label}: no console errors`).toEqual([]);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});

it("leaves a clean ledger: check:ledger and replay after the NPCs traded live, nothing refused, no errors", async () => {
  const readyAt = demo.readyAt;
  await demo.stop("checking the ledger");
  const log = readFileSync(demo.logFile, "utf8");
  expect(log).toMatch(/\[db\] demo world: 12 NPC traders; 20 markets given 7 days of history \([\d,]+ trades in [\d,]+ batches, 0 refused\)/);
  expect(log).toMatch(/\[npc\] 12 NPC traders signed in/);
  expect(log.split("\n").filter((l) => l.startsWith("[npc] error"))).toEqual([]);
  const opened = await openPglite(demo.dir);
  try {
    const [live] = await rows<{ n: number }>(opened.db, sql`
      select count(*)::int as n from fills f join players p on p.id = f.maker_player_id
      where p.bot and f.created_at > to_timestamp(${readyAt / 1000})`);
    expect(live!.n).toBeGreaterThan(0);
    const refused = await rows(opened.db, sql`select 1 from orders o join players p on p.id = o.player_id where p.bot and o.status = 'rejected'`);
    expect(refused).toHaveLength(0);
    expect((await checkLedger(opened.db)).ok).toBe(true);
    expect((await replay(opened.db)).differences).toEqual([]);
  } finally {
    await opened.close();
  }
});
