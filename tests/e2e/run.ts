/**
 * `npm run test:e2e`: the PWA in a real browser (playwright-core driving Debian's chromium at
 * /usr/bin/chromium, or CHROME_PATH) against its own stack (tests/e2e/stack.ts: a fresh database on
 * the real Postgres, wrangler dev + partykit dev on E2E_PORT / E2E_PARTY_PORT / E2E_WS_PROXY_PORT).
 *
 *   trade      sign up, see the starter kit, open a market, place an order (pending until the room
 *              answers); a second player in another browser context takes it; both see the fill
 *              live and both inventories change
 *   install    the manifest is valid and the service worker controls the page
 *              (CDP Page.getInstallabilityErrors returns [])
 *   offline    with the context offline, the inventory reloads from the cache with the banner; the
 *              order ticket says it needs a connection
 *   screens    phone (390x844) and tablet (1024x1366): every main screen, no console errors, no
 *              sideways scrolling; screenshots into docs/screenshots/
 *   then the suites in tests/e2e/*.e2e.ts (listed in `suites` below), each in its own file.
 *
 * E2E_ONLY=trade,offline runs only the named tests.
 * Bounded: the whole run stops (stack stopped by PID) after E2E_TIMEOUT_S (default 900) seconds.
 * Writes .data/test-results/e2e.json ({ tests, passed, results }) for scripts/test.ts.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { repoRoot } from "../../scripts/paths";
import {
  deadlineS, e2e, holding, live, marketFixture, newPlayer, PHONE, placeOrder, results, SHOTS, showChart, shutdown, signIn, signUp,
  t0, TABLET, test, waitForController, watchConsole,
} from "./harness";
import { chartSuite } from "./chart.e2e";
import { indicatorsSuite } from "./indicators.e2e";
import { historySuite } from "./history.e2e";
import { alertsSuite } from "./alerts.e2e";
import { pushSuite } from "./push.e2e";
import { ticketSuite } from "./ticket.e2e";
import { sessionsSuite } from "./sessions.e2e";
import { dashboardSuite } from "./dashboard.e2e";
import { secondFactorSuite } from "./second-factor.e2e";
import { passkeysSuite } from "./passkeys.e2e";
import { CHROMIUM, CHROMIUM_ARGS, startBrowserStack } from "./stack";

/** Browser suites in files of their own, run after the four above. */
const suites: Array<() => Promise<void>> = [chartSuite, ticketSuite, historySuite, alertsSuite, pushSuite, indicatorsSuite, sessionsSuite, dashboardSuite, secondFactorSuite, passkeysSuite];

const timer = setTimeout(() => {
  console.error(`\ne2e: over the ${deadlineS} s budget; stopping`);
  results.push({
    name: "timeout",
    ok: false,
    ms: deadlineS * 1000,
    error: `the run took longer than ${deadlineS} s`,
  });
  void shutdown(1);
}, deadlineS * 1000);
for (const s of ["SIGINT", "SIGTERM"] as const)
  process.on(s, () => void shutdown(130));

try {
  if (!process.env.CHROME_PATH) {
    const { existsSync } = await import("node:fs");
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium (or set CHROME_PATH)`
      );
  }
  console.log("  starting the stack ...");
  e2e.stack = await startBrowserStack("e2e", {
    web: Number(process.env.E2E_PORT ?? 17871),
    party: Number(process.env.E2E_PARTY_PORT ?? 17872),
    wsProxy: Number(process.env.E2E_WS_PROXY_PORT ?? 17873),
  });
  console.log(
    `  stack up at ${e2e.stack.url} in ${((performance.now() - t0) / 1000).toFixed(
      1
    )} s (log ${path.relative(repoRoot, e2e.stack.log)})`
  );
  e2e.browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
} catch (error) {
  results.push({
    name: "setup",
    ok: false,
    ms: performance.now() - t0,
    error: (error as Error).message,
  });
  await shutdown(1);
}

const suffix = Date.now().toString(36).slice(-5);
const seller = await newPlayer(PHONE);
const buyer = await newPlayer(TABLET);

await test("trade", async () => {
  const a = seller.page;
  await signUp(a, `sel_${suffix}`);
  // The URL changes before a client-side navigation has rendered: wait for the inventory itself.
  await a.locator("main").getByText("Iron Sword").first().waitFor({ timeout: 15_000 });
  const inventory = await a.locator("main").innerText();
  for (const thing of [
    "1,000.00",
    "Health Potion",
    "Copper Ore",
    "Bread",
    "Iron Sword",
  ])
    assert.ok(inventory.includes(thing), `starter kit shows ${thing}`);
  // The e2e stack has MARKET_RELAYS=2 (ADR 045): a signed-in trader's page takes the book from a
  // relay room and trades on the market room's socket opened with feed=0.
  const sockets: string[] = [];
  a.on("websocket", (ws) => sockets.push(ws.url()));
  await a.goto("/markets/health-potion");
  await live(a);
  assert.ok(sockets.some((u) => /\/parties\/relay\/health-potion\.[01](\?|$)/.test(u)), `the book comes from a relay: ${sockets.join(", ")}`);
  assert.ok(sockets.some((u) => /\/parties\/main\/health-potion\?.*feed=0/.test(u) && /token=/.test(u)), `trading on the market room with feed=0: ${sockets.join(", ")}`);
  assert.ok(!sockets.some((u) => /\/parties\/relay\/.*token=/.test(u)), "no token goes to a relay room");
  assert.ok(
    await placeOrder(a, "sell", "1.50", "2"),
    "the seller's order showed as pending until the room answered"
  );
  await a
    .locator(".orders-panel li.order[data-order-id]", { hasText: "1.50" })
    .waitFor();

  const b = buyer.page;
  await signUp(b, `buy_${suffix}`);
  await b.goto("/markets/health-potion");
  await live(b);
  await b.locator(".ladder .asks", { hasText: "1.50" }).waitFor();
  assert.ok(
    await placeOrder(b, "buy", "1.50", "2"),
    "the buyer's order showed as pending until the room answered"
  );

  const fill = "Trade: 2 Health Potion at 1.50 gold";
  await Promise.all([
    a.getByText(fill).first().waitFor({ timeout: 10_000 }),
    b.getByText(fill).first().waitFor({ timeout: 10_000 }),
  ]);
  await Promise.all([
    a.locator(".trades-panel", { hasText: "1.50" }).waitFor(),
    b.locator(".trades-panel", { hasText: "1.50" }).waitFor(),
  ]);
  assert.equal(
    await holding(a, "Health Potion"),
    3,
    "the seller has 5 - 2 potions"
  );
  assert.equal(
    await holding(b, "Health Potion"),
    7,
    "the buyer has 5 + 2 potions"
  );
  const gold = async (p: Page) =>
    (await p.locator(".worth .big").innerText()).replace(/\s+/g, " ");
  assert.match(
    await gold(a),
    /^1,003\.00 gold/,
    "the seller got 3.00 gold (maker fee rounds to 0)"
  );
  assert.match(
    await gold(b),
    /^997\.00 gold/,
    "the buyer paid 3.00 gold (taker fee rounds to 0)"
  );
  assert.deepEqual(
    [...seller.errors, ...buyer.errors],
    [],
    "no console errors"
  );
});

await test("install", async () => {
  // Installability needs a normal (not incognito) profile: a persistent context on a fresh directory.
  const profile = path.join(repoRoot, ".data", "tmp", `e2e-profile-${suffix}`);
  rmSync(profile, { recursive: true, force: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: PHONE,
    baseURL: e2e.stack!.url,
  });
  const errors = watchConsole(context);
  const page = context.pages()[0] ?? (await context.newPage());
  try {
    await signIn(page, "carol");
    await page.goto("/");
    await waitForController(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send(
      "Page.getInstallabilityErrors"
    )) as { installabilityErrors: unknown[] };
    assert.deepEqual(installabilityErrors, [], "Page.getInstallabilityErrors");
    const app = (await cdp.send("Page.getAppManifest")) as {
      url: string;
      errors: unknown[];
      data?: string;
    };
    assert.deepEqual(app.errors, [], "manifest parse errors");
    const manifest = JSON.parse(app.data ?? "{}") as Record<string, unknown> & {
      icons: Array<{ sizes: string; purpose?: string }>;
      shortcuts: Array<{ url: string }>;
    };
    for (const key of [
      "name",
      "short_name",
      "start_url",
      "theme_color",
      "background_color",
    ])
      assert.ok(manifest[key], `manifest has ${key}`);
    assert.equal(manifest.display, "standalone");
    assert.ok(
      manifest.icons.some((i) => i.sizes === "192x192"),
      "a 192px icon"
    );
    assert.ok(
      manifest.icons.some((i) => i.sizes === "512x512"),
      "a 512px icon"
    );
    assert.ok(
      manifest.icons.some((i) => i.purpose === "maskable"),
      "a maskable icon"
    );
    assert.deepEqual(
      manifest.shortcuts.map((s) => new URL(s.url, "http://x").pathname).sort(),
      ["/inventory", "/markets"]
    );
    const scope = await page.evaluate(
      async () => (await navigator.serviceWorker.getRegistration())?.scope
    );
    assert.equal(scope, `${e2e.stack!.url}/`);
    // What installing the app downloaded: the player's pages, never the operator console's chunks.
    const precached = await page.evaluate(async () => {
      const names = await caches.keys();
      const name = names.find((n) => n.includes("precache"));
      if (!name) return { names, urls: [] as string[] };
      const keys = await (await caches.open(name)).keys();
      return { names, urls: keys.map((r) => new URL(r.url).pathname) };
    });
    assert.ok(
      precached.urls.some((u) => /^\/assets\/entry\.client-/.test(u)) &&
        precached.urls.some((u) => /^\/assets\/inventory-/.test(u)),
      `the app's own chunks are precached (caches ${precached.names.join(", ")}; ${precached.urls.length} urls)`
    );
    const operatorOnly = precached.urls.filter((u) => u.startsWith("/assets/console"));
    assert.deepEqual(operatorOnly, [], "no operator console chunk precached");
    await cdp.detach();
    assert.deepEqual(errors, [], "no console errors");
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

await test("offline", async () => {
  const { page, context, errors } = seller;
  await page.goto("/inventory");
  await waitForController(page);
  await page.goto("/markets/health-potion");
  await live(page);
  // The chart fetches its candles when it starts (ADR 053): scrolled to once online, it draws.
  await page.locator(".chart").first().scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector(".chart-canvas")?.hasAttribute("data-drawn-seq"), null, { timeout: 15_000 });
  await page.goto("/inventory");
  const before = errors.length;
  await context.setOffline(true);
  try {
    await page.reload();
    await page.locator(".offline-banner").waitFor({ timeout: 10_000 });
    assert.match(
      await page.locator(".offline-banner").innerText(),
      /Offline, as of \d{4}-\d{2}-\d{2} \d{2}:\d{2}/
    );
    assert.ok(
      (await page.locator("main").innerText()).includes("Health Potion"),
      "the cached inventory shows"
    );
    await page.screenshot({
      path: path.join(SHOTS, "phone-offline-inventory.png"),
    });
    // The ticket explains itself instead of queueing anything.
    await page.getByRole("link", { name: "Markets" }).first().click();
    await page.locator("h1", { hasText: "Markets" }).waitFor();
    await page.goto("/markets/health-potion").catch(() => undefined);
    await page
      .locator(".ticket .notice", { hasText: "needs a connection" })
      .waitFor({ timeout: 10_000 });
    assert.ok(
      await page.locator(".ticket button.submit").isDisabled(),
      "the ticket cannot be submitted offline"
    );
    assert.equal(
      await page.locator('[data-connection="offline"]').count(),
      1,
      "the connection state says offline"
    );
    await page.locator(".ticket .notice").scrollIntoViewIfNeeded();
    await page.screenshot({
      path: path.join(SHOTS, "phone-offline-market.png"),
    });
    // Its chart draws offline too, from the candles the service worker kept.
    await page.locator(".chart").first().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector(".chart-canvas")?.hasAttribute("data-drawn-seq"), null, { timeout: 15_000 });
    assert.equal(await page.locator(".chart-note", { hasText: "could not load" }).count(), 0, "offline, the chart draws from the kept candles");
  } finally {
    await context.setOffline(false);
  }
  // Offline, failed network requests are expected browser noise; nothing else may be logged.
  const unexpected = errors
    .slice(before)
    .filter(
      (e) =>
        !/ERR_INTERNET_DISCONNECTED|Failed to load resource|WebSocket/.test(e)
    );
  assert.deepEqual(unexpected, [], "no console errors offline");
});

await test("screens", async () => {
  await marketFixture(e2e.stack!.url, e2e.stack!.stack.databaseUrl);
  mkdirSync(SHOTS, { recursive: true });
  const screens: Array<[string, string, (p: Page) => Promise<void>]> = [
    ["home", "/", async (p) => void (await p.locator(".worth").waitFor())],
    [
      "markets",
      "/markets?sort=volume",
      async (p) => void (await p.locator(".market-row").first().waitFor()),
    ],
    [
      "market",
      "/markets/iron-ore",
      async (p) => {
        await live(p);
        // The chart starts once near the screen: scrolled to, drawn, and back to the top for the shot.
        await showChart(p);
        await p.waitForTimeout(400);
        await p.evaluate(() => window.scrollTo(0, 0));
      },
    ],
    [
      "inventory",
      "/inventory",
      async (p) => void (await p.locator(".market-row").first().waitFor()),
    ],
    [
      "item",
      "/items/flamebrand",
      async (p) => void (await p.locator(".item-hero").waitFor()),
    ],
    ["orders", "/orders", async (p) => void (await p.locator("h1").waitFor())],
    [
      "settings",
      "/settings",
      async (p) => void (await p.locator("h1").waitFor()),
    ],
  ];
  for (const [label, viewport] of [
    ["phone", PHONE],
    ["tablet", TABLET],
  ] as const) {
    const { context, page, errors } = await newPlayer(viewport);
    try {
      await page.goto("/signin");
      await page.screenshot({ path: path.join(SHOTS, `${label}-signin.png`) });
      await signIn(page, "alice");
      for (const [name, url, ready] of screens) {
        await page.goto(url);
        await ready(page);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth
        );
        assert.ok(
          overflow <= 0,
          `${label} ${name}: no sideways scrolling (${overflow}px too wide)`
        );
        await page.screenshot({
          path: path.join(SHOTS, `${label}-${name}.png`),
        });
      }
      if (label === "phone") {
        // The order review dialog, and the whole market page.
        await page.goto("/markets/iron-ore");
        await live(page);
        // A phone's chart starts once scrolled to (app/components/market/when-near.ts): drawn first.
        await showChart(page);
        await page.waitForTimeout(400);
        await page.evaluate(() => window.scrollTo(0, 0));
        // A full-page capture stretches the viewport: the fixed tab bar would land mid-page.
        // Under the page's CSP a test's style sheet needs the page's nonce, like any other.
        await page.evaluate(() => {
          const style = document.createElement("style");
          style.nonce = document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce ?? "";
          style.textContent = "nav.tabs { display: none !important; }";
          document.head.appendChild(style);
        });
        await page.screenshot({
          path: path.join(SHOTS, "phone-market-full.png"),
          fullPage: true,
        });
        await page.reload();
        await live(page);
        await page
          .locator(".ticket")
          .getByRole("button", { name: "Review buy order" })
          .click();
        await page.getByRole("dialog", { name: "Confirm order" }).waitFor();
        await page.screenshot({ path: path.join(SHOTS, "phone-confirm.png") });
      }
      assert.deepEqual(errors, [], `${label}: no console errors`);
    } finally {
      await context.close();
    }
  }
});

// Suites of their own files, in order (each registers its tests with test()).
for (const suite of suites) await suite();

await test("csp", async () => {
  // Every context of every suite ran under the Content-Security-Policy; the browser reported each
  // violation (pages and the service worker) to /csp-report, which logs it: there must be none.
  const { readFileSync } = await import("node:fs");
  const reported = readFileSync(e2e.stack!.log, "utf8").split("\n").filter((l) => l.includes("csp violation"));
  assert.deepEqual(reported, [], "no CSP violation reported to /csp-report");
  const page = seller.page;
  const response = await page.goto("/markets");
  const csp = response?.headers()["content-security-policy"] ?? "";
  assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/, "pages carry a nonce policy");
  assert.match(csp, /frame-ancestors 'none'/);
});

clearTimeout(timer);
await shutdown(results.every((r) => r.ok) ? 0 : 1);
