/**
 * The e2e harness: the running stack and browser, the test() runner and the helpers every browser
 * suite uses (players in their own contexts, sign-up/in, the ticket, the market fixture). Suites
 * live in their own files (tests/e2e/*.e2e.ts) and are run in order by tests/e2e/run.ts.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { DEMO_PASSWORD } from "../../db/seed";
import { openPostgres } from "../../db/open";
import { repoRoot } from "../../scripts/paths";
import type { BrowserStack } from "./stack";

export interface ApiInit {
  method?: string;
  token?: string;
  json?: unknown;
}

/** /api/v1 of a stack as JSON; a non-2xx answer throws with its status and body. */
export async function apiAt(baseUrl: string, p: string, init: ApiInit = {}): Promise<Record<string, any>> {
  const res = await fetch(`${baseUrl}/api/v1${p}`, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json", ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const body = (await res.json()) as Record<string, any>;
  if (!res.ok) throw new Error(`${p}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** The same, on this run's stack. */
export const api = (p: string, init: ApiInit = {}) => apiAt(e2e.stack!.url, p, init);

/** The stack and browser of this run (set by run.ts before any suite runs). */
export const e2e: { stack?: BrowserStack; browser?: Browser } = {};

export const PHONE = { width: 390, height: 844 };
export const TABLET = { width: 1024, height: 1366 };
export const SHOTS = path.join(repoRoot, "docs", "screenshots");
export const RESULTS = path.join(repoRoot, ".data", "test-results", "e2e.json");
/**
 * The whole run's bound (E2E_TIMEOUT_S). 26 tests take about 165 s on a quiet 2-core machine and
 * 570 s on a loaded one (CI, 2026-12-04): the bound stops a hung run, it is not a speed check.
 */
export const deadlineS = Number(process.env.E2E_TIMEOUT_S ?? 900);

export interface Result {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}
export const results: Result[] = [];
export const t0 = performance.now();

export async function shutdown(code: number): Promise<never> {
  await e2e.browser?.close().catch(() => undefined);
  await e2e.stack
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

/** E2E_ONLY=name,name runs only those tests (by name; a partial run while working on one suite). */
const only = process.env.E2E_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);

export async function test(name: string, fn: () => Promise<void>) {
  if (only && !only.includes(name)) return;
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
export function watchConsole(context: BrowserContext) {
  const errors: string[] = [];
  // The pages run under the real Content-Security-Policy (ADR 021): any violation is an error here.
  void context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
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

export async function newPlayer(viewport: { width: number; height: number }) {
  const context = await e2e.browser!.newContext({
    viewport,
    baseURL: e2e.stack!.url,
    deviceScaleFactor: 2,
    colorScheme: "dark",
    hasTouch: true,
  });
  const errors = watchConsole(context);
  const page = await context.newPage();
  return { context, page, errors };
}

export async function signUp(page: Page, username: string) {
  await page.goto("/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("correct-horse-9");
  await Promise.all([
    page.waitForURL("**/inventory"),
    page.getByRole("button", { name: "Create my account" }).click(),
  ]);
}

export async function signIn(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith("/signin")),
    page.getByRole("button", { name: "Sign in", exact: true }).click(),
  ]);
}

export const live = (page: Page) =>
  page.locator('[data-connection="live"]').waitFor({ timeout: 15_000 });

/** Fill and confirm the ticket; true when a pending order was shown before the room answered. */
export async function placeOrder(
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

export async function holding(page: Page, name: string): Promise<number> {
  await page.goto("/inventory");
  const row = page.locator(".market-row", { hasText: name }).first();
  const text = await row.locator(".end .num").first().innerText();
  return Number(text.replace(/[^\d]/g, ""));
}

/** Scroll to the price chart and wait for its canvas: it starts only once near the screen (ADR 051). */
export async function showChart(page: Page) {
  await page.locator(".chart").first().scrollIntoViewIfNeeded();
  await page.locator(".chart canvas").first().waitFor();
}

export async function waitForController(page: Page) {
  await page.waitForFunction(
    () =>
      navigator.serviceWorker?.controller !== null &&
      navigator.serviceWorker?.controller !== undefined,
    null,
    { timeout: 20_000 }
  );
}

/** Market activity for the screenshots: trades and resting orders through the API, and a price history. */
export async function marketFixture(url: string, databaseUrl: string) {
  const api = (p: string, init: ApiInit = {}) => apiAt(url, p, init);
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

