/**
 * Screenshots of /security/password (issue 20) at phone (390x844) and tablet (820x1180) size on a
 * seeded stack (Postgres): the form, a refusal (the confirmation differs), and a change that signs
 * out the other sessions. Run: npm run shots:password (E2E_PORT/E2E_PARTY_PORT/E2E_WS_PROXY_PORT).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { chromium } from "playwright-core";
import { openPostgres } from "../../db/open";
import { rows } from "../../db/db";
import { openSession } from "../../edge/auth/sessions.server";
import { hashPassword } from "../../edge/auth/password.server";
import { SHOTS } from "./harness";
import { CHROMIUM, CHROMIUM_ARGS, startBrowserStack } from "./stack";

const ports = { web: Number(process.env.E2E_PORT ?? 5199), party: Number(process.env.E2E_PARTY_PORT ?? 5198), wsProxy: Number(process.env.E2E_WS_PROXY_PORT ?? 5197) };
const stack = await startBrowserStack("password-shot", ports);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const opened = await openPostgres(stack.databaseUrl, 2);
  const db = opened.db;
  const [me] = await rows<{ id: string }>(db, sql`select id::text as id from players order by username limit 1`);
  mkdirSync(SHOTS, { recursive: true });
  for (const [size, viewport] of [["phone", { width: 390, height: 844 }], ["tablet", { width: 820, height: 1180 }]] as const) {
    const old = `old-password-${size}`;
    await db.execute(sql`update players set password_hash = ${await hashPassword(old)} where id = ${me!.id}`);
    await openSession(db, me!.id, "api", "old laptop script"); // another session the change signs out
    const cookie = (await openSession(db, me!.id, "web")).token;
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    await context.addCookies([{ name: "bazaar_session", value: cookie, url: stack.url }]);
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await page.goto(`${stack.url}/security/password`);
    await page.screenshot({ path: path.join(SHOTS, `password-form-${size}.png`), fullPage: true });
    await page.fill("input[name=current]", old);
    await page.fill("input[name=password]", "a-new-password-1");
    await page.fill("input[name=confirm]", "a-new-password-2");
    await Promise.all([page.waitForLoadState("networkidle"), page.click("button:has-text('Change password')")]);
    await page.waitForSelector("text=differ");
    await page.screenshot({ path: path.join(SHOTS, `password-refused-${size}.png`), fullPage: true });
    await page.fill("input[name=current]", old);
    await page.fill("input[name=password]", `a-new-password-${size}`);
    await page.fill("input[name=confirm]", `a-new-password-${size}`);
    await Promise.all([page.waitForLoadState("networkidle"), page.click("button:has-text('Change password')")]);
    await page.waitForSelector("text=Password changed.");
    await page.screenshot({ path: path.join(SHOTS, `password-changed-${size}.png`), fullPage: true });
    if (violations.length) throw new Error(`CSP violations: ${violations.join("; ")}`);
    await context.close();
  }
  await opened.close();
  console.log(`screenshots in ${SHOTS}`);
} finally {
  await browser.close();
  await stack.stop();
}
