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
 *
 * Bounded: the whole run stops (stack stopped by PID) after E2E_TIMEOUT_S (default 300) seconds.
 * Writes .data/test-results/e2e.json ({ tests, passed, results }) for scripts/test.ts.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
} from "playwright-core";
import { DEMO_PASSWORD } from "../../db/seed";
import { openPostgres } from "../../db/open";
import { repoRoot } from "../../scripts/paths";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  startBrowserStack,
  type BrowserStack,
} from "./stack";

const PHONE = { width: 390, height: 844 };
const TABLET = { width: 1024, height: 1366 };
const SHOTS = path.join(repoRoot, "docs", "screenshots");
const RESULTS = path.join(repoRoot, ".data", "test-results", "e2e.json");
const deadlineS = Number(process.env.E2E_TIMEOUT_S ?? 300);

interface Result {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}
const results: Result[] = [];
let stack: BrowserStack | undefined;
let browser: Browser | undefined;
const t0 = performance.now();

async function shutdown(code: number): Promise<never> {
  await browser?.close().catch(() => undefined);
  await stack
    ?.stop()
    .catch((e: Error) => console.error(`stopping the stack: ${e.message}`));
  const passed = results.filter((r) => r.ok).length;
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        tests: results.length,
        passed,
        seconds: (performance.now() - t0) / 1000,
        results,
      },
      null,
      2
    )
  );
  console.log(
    `\n  e2e: ${passed}/${results.length} passed in ${(
      (performance.now() - t0) /
      1000
    ).toFixed(1)} s\n`
  );
  for (const r of results)
    console.log(
      `  ${
        r.ok ? "\x1b[32mPASS\x1b[0m" : "\x1b[31mFAIL\x1b[0m"
      }  ${r.name.padEnd(12)} ${(r.ms / 1000).toFixed(1).padStart(5)} s${
        r.error ? `  ${r.error}` : ""
      }`
    );
  process.exit(code);
}

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

async function test(name: string, fn: () => Promise<void>) {
  const start = performance.now();
  process.stdout.write(`  ${name} ... `);
  try {
    await fn();
    results.push({ name, ok: true, ms: performance.now() - start });
    console.log("ok");
  } catch (error) {
    const message = (error as Error).message
      .split("\n")
      .slice(0, 6)
      .join("\n    ");
    results.push({
      name,
      ok: false,
      ms: performance.now() - start,
      error: message,
    });
    console.log(`FAILED\n    ${message}`);
  }
}

/** Console errors and uncaught exceptions of every page in a context. */
function watchConsole(context: BrowserContext) {
  const errors: string[] = [];
  const attach = (page: Page) => {
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) =>
      errors.push(`${page.url()}: uncaught ${e.message}`)
    );
  };
  context.pages().forEach(attach);
  context.on("page", attach);
  return errors;
}

async function newPlayer(viewport: { width: number; height: number }) {
  const context = await browser!.newContext({
    viewport,
    baseURL: stack!.url,
    deviceScaleFactor: 2,
    colorScheme: "dark",
    hasTouch: true,
  });
  const errors = watchConsole(context);
  const page = await context.newPage();
  return { context, page, errors };
}

async function signUp(page: Page, username: string) {
  await page.goto("/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("correct-horse-9");
  await Promise.all([
    page.waitForURL("**/inventory"),
    page.getByRole("button", { name: "Create my account" }).click(),
  ]);
}

async function signIn(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith("/signin")),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

const live = (page: Page) =>
  page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });

/** Fill and confirm the ticket; true when a pending order was shown before the room answered. */
async function placeOrder(
  page: Page,
  side: "buy" | "sell",
  price: string,
  quantity: string
) {
  const ticket = page.locator(".ticket");
  await ticket
    .getByText(side === "buy" ? "Buy" : "Sell", { exact: true })
    .click();
  await ticket.getByLabel("Price", { exact: true }).fill(price);
  await ticket.getByLabel("Quantity", { exact: true }).fill(quantity);
  await page.evaluate(() => {
    const w = window as unknown as { sawPending: boolean };
    w.sawPending = false;
    new MutationObserver(() => {
      if (document.querySelector("[data-pending]")) w.sawPending = true;
    }).observe(document.body, { subtree: true, childList: true });
  });
  await ticket.getByRole("button", { name: `Review ${side} order` }).click();
  const dialog = page.getByRole("dialog", { name: "Confirm order" });
  await dialog.waitFor();
  await dialog
    .getByRole("button", {
      name: side === "buy" ? "Confirm buy" : "Confirm sell",
    })
    .click();
  await ticket
    .locator(".ok-note, .form-error")
    .first()
    .waitFor({ timeout: 15_000 });
  const note = await ticket
    .locator(".ok-note, .form-error")
    .first()
    .innerText();
  assert.ok(
    await ticket.locator(".ok-note").count(),
    `the order was refused: ${note}`
  );
  return page.evaluate(
    () => (window as unknown as { sawPending: boolean }).sawPending
  );
}

async function holding(page: Page, name: string): Promise<number> {
  await page.goto("/inventory");
  const row = page.locator(".market-row", { hasText: name }).first();
  const text = await row.locator(".end .num").first().innerText();
  return Number(text.replace(/[^\d]/g, ""));
}

async function waitForController(page: Page) {
  await page.waitForFunction(
    () =>
      navigator.serviceWorker?.controller !== null &&
      navigator.serviceWorker?.controller !== undefined,
    null,
    { timeout: 20_000 }
  );
}

/** Market activity for the screenshots: trades and resting orders through the API, and a price history. */
async function marketFixture(url: string, databaseUrl: string) {
  const api = async (
    p: string,
    init: { method?: string; token?: string; json?: unknown } = {}
  ) => {
    const res = await fetch(`${url}/api/v1${p}`, {
      method: init.method ?? "GET",
      headers: {
        "content-type": "application/json",
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${p}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  const token = async (username: string) =>
    (
      await api("/tokens", {
        method: "POST",
        json: { username, password: DEMO_PASSWORD, label: "e2e fixture" },
      })
    ).token as string;
  const [alice, bob] = [await token("alice"), await token("bob")];
  let n = 0;
  const order = (
    t: string,
    side: "buy" | "sell",
    price: number,
    quantity: number
  ) =>
    api("/markets/iron-ore/orders", {
      method: "POST",
      token: t,
      json: { clientOrderId: `fx-${n++}`, side, price, quantity },
    });
  for (const [i, p] of [
    118, 121, 119, 123, 126, 124, 127, 125, 128, 126, 129, 127,
  ].entries()) {
    await order(alice, "sell", p, 10 * (1 + (i % 3)));
    await order(bob, "buy", p, 10 * (1 + (i % 3)));
  }
  for (const [p, q] of [
    [128, 20],
    [129, 40],
    [131, 30],
    [134, 50],
    [138, 30],
    [142, 60],
  ])
    await order(alice, "sell", p!, q!);
  for (const [p, q] of [
    [125, 30],
    [124, 70],
    [122, 40],
    [119, 90],
    [115, 60],
    [110, 150],
  ])
    await order(bob, "buy", p!, q!);
  await order(alice, "sell", 127, 20);
  // Price history before today's trades (a test database only): 5m candles over the last 16 hours.
  const db = await openPostgres(databaseUrl, 1);
  try {
    const now = Math.floor(Date.now() / 300_000) * 300;
    // A gentle random-looking walk that ends where today's trades start (1.18 gold).
    const closes: number[] = [];
    let price = 0;
    for (let i = 0; i < 190; i++)
      closes.push(
        (price += Math.round(
          Math.sin(i / 9) * 2 +
            Math.cos(i / 3.7) * 1.5 +
            (i % 7 === 0 ? 2 : 0) -
            (i % 5 === 0 ? 2 : 0)
        ))
      );
    const shift = 118 - closes.at(-1)!;
    const values: string[] = [];
    let open = closes[0]! + shift;
    for (const [i, c] of closes.entries()) {
      const close = Math.max(40, c + shift);
      const high = Math.max(open, close) + 1 + (i % 3);
      const low = Math.min(open, close) - 1 - (i % 2);
      const volume = 40 + ((i * 37) % 160);
      values.push(
        `('iron-ore','5m',to_timestamp(${
          now - (191 - i) * 300
        }),${open},${high},${low},${close},${volume},${volume * close},${
          1 + (i % 5)
        })`
      );
      open = close;
    }
    await db.db.execute(
      sql.raw(
        `insert into candles (market_slug, interval, bucket, open, high, low, close, volume, notional, trades) values ${values.join(
          ","
        )} on conflict do nothing`
      )
    );
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------

try {
  if (!process.env.CHROME_PATH) {
    const { existsSync } = await import("node:fs");
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium (or set CHROME_PATH)`
      );
  }
  console.log("  starting the stack ...");
  stack = await startBrowserStack("e2e", {
    web: Number(process.env.E2E_PORT ?? 17871),
    party: Number(process.env.E2E_PARTY_PORT ?? 17872),
    wsProxy: Number(process.env.E2E_WS_PROXY_PORT ?? 17873),
  });
  console.log(
    `  stack up at ${stack.url} in ${((performance.now() - t0) / 1000).toFixed(
      1
    )} s (log ${path.relative(repoRoot, stack.log)})`
  );
  browser = await chromium.launch({
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
  await a.goto("/markets/health-potion");
  await live(a);
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
    baseURL: stack!.url,
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
    assert.equal(scope, `${stack!.url}/`);
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
  await marketFixture(stack!.url, stack!.stack.databaseUrl);
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
        await p.locator(".chart canvas").first().waitFor();
        await p.waitForTimeout(400);
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
        // A full-page capture stretches the viewport: the fixed tab bar would land mid-page.
        await page.addStyleTag({
          content: "nav.tabs { display: none !important; }",
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

clearTimeout(timer);
await shutdown(results.every((r) => r.ok) ? 0 : 1);
