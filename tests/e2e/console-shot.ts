/**
 * Screenshots of the operators' console (issue 18) at phone (390x844) and tablet (820x1180) size:
 * a seeded stack on the real Postgres, an admin signed in by a session cookie, the console refused
 * until two-factor sign-in is on (enrolled through /security like a person), the find page, the
 * step-up page a freeze asks for (ADR 035), a frozen player's page, the audit search for that
 * player (after the audit index ran), one event's story, the player's timeline, and the feature
 * flags page with a rollout and an override changed through its forms.
 * Run: npm run shots:console (E2E_PORT/E2E_PARTY_PORT/E2E_WS_PROXY_PORT).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { chromium, type Page } from "playwright-core";
import { totp } from "../../db/security/second-factor";
import { openPostgres } from "../../db/open";
import { rows } from "../../db/db";
import { openSession } from "../../edge/auth/sessions.server";
import { auditIndexConsumer } from "../../db/audit-search/index";
import { runConsumer } from "../../db/consumers/run";
import { SHOTS } from "./harness";
import { CHROMIUM, CHROMIUM_ARGS, startBrowserStack } from "./stack";

/** Turn on two-factor sign-in through /security as a person would; returns a function for current codes. */
async function enrolThroughPage(page: Page, url: string): Promise<(at?: number) => string> {
  await page.goto(`${url}/security`);
  await Promise.all([page.waitForSelector("code.secret"), page.click("button:has-text('Set up two-factor sign-in')")]);
  const secret = (await page.textContent("code.secret"))!.replace(/\s/g, "");
  const code = (at = Date.now()) => totp(secret, "x").generate({ timestamp: at });
  await page.fill("input[name=code]", code(Date.now() - 30_000));
  await Promise.all([page.waitForSelector("text=Save your recovery codes"), page.click("button:has-text('Turn on')")]);
  return code;
}

const ports = { web: Number(process.env.E2E_PORT ?? 5199), party: Number(process.env.E2E_PARTY_PORT ?? 5198), wsProxy: Number(process.env.E2E_WS_PROXY_PORT ?? 5197) };
const stack = await startBrowserStack("console-shot", ports);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const opened = await openPostgres(stack.databaseUrl, 2);
  const db = opened.db;
  const [admin] = await rows<{ id: string }>(db, sql`select id::text as id from players order by username limit 1`);
  // The player with the most fills (the timeline has something to show), else the last by name.
  const [target] = await rows<{ id: string; username: string }>(db, sql`
    select p.id::text as id, p.username from players p
    left join fills f on f.maker_player_id = p.id or f.taker_player_id = p.id
    group by p.id, p.username order by count(f.id) desc, p.username desc limit 1`);
  await db.execute(sql`update players set roles = '{player,admin}' where id = ${admin!.id}`);
  const cookie = (await openSession(db, admin!.id, "web")).token;
  mkdirSync(SHOTS, { recursive: true });
  const sizes = [["phone", { width: 390, height: 844 }], ["tablet", { width: 820, height: 1180 }]] as const;
  {
    // Staff without a second factor: the console says why and links /security; then enrol.
    const context = await browser.newContext({ viewport: sizes[0][1], deviceScaleFactor: 1 });
    await context.addCookies([{ name: "bazaar_session", value: cookie, url: stack.url }]);
    const page = await context.newPage();
    await page.goto(`${stack.url}/console`);
    await page.waitForSelector("a[href='/security']");
    await page.screenshot({ path: path.join(SHOTS, "console-no-2fa-phone.png"), fullPage: true });
    const code = await enrolThroughPage(page, stack.url);
    // A freeze asks for a fresh code: the step-up page says why, at both sizes.
    await page.goto(`${stack.url}/console/players/${target!.id}`);
    await page.fill("#freeze-reason", "stolen account reported by the game's support");
    await Promise.all([page.waitForURL(/\/step-up\?/), page.click("button:has-text('Freeze')")]);
    await page.waitForSelector("text=Confirm it's you to freeze a player");
    const stepUpUrl = page.url();
    await page.screenshot({ path: path.join(SHOTS, "step-up-phone.png"), fullPage: true });
    const tablet = await browser.newContext({ viewport: sizes[1][1], deviceScaleFactor: 1 });
    await tablet.addCookies([{ name: "bazaar_session", value: cookie, url: stack.url }]);
    const tabletPage = await tablet.newPage();
    await tabletPage.goto(stepUpUrl);
    await tabletPage.screenshot({ path: path.join(SHOTS, "step-up-tablet.png"), fullPage: true });
    await tabletPage.fill("input[name=code]", "000000" === code() ? "111111" : "000000");
    await Promise.all([tabletPage.waitForSelector("[role=alert]"), tabletPage.click("button:has-text('Confirm and go back')")]);
    await tabletPage.screenshot({ path: path.join(SHOTS, "step-up-wrong-code-tablet.png"), fullPage: true });
    await tablet.close();
    await page.fill("input[name=code]", code());
    await Promise.all([page.waitForURL(new RegExp(`/console/players/${target!.id}$`)), page.click("button:has-text('Confirm and go back')")]);
    await context.close();
  }
  for (const [size, viewport] of sizes) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    await context.addCookies([{ name: "bazaar_session", value: cookie, url: stack.url }]);
    const page = await context.newPage();
    await page.goto(`${stack.url}/console?q=${encodeURIComponent(target!.username.slice(0, 2))}`);
    await page.screenshot({ path: path.join(SHOTS, `console-find-${size}.png`), fullPage: true });
    await page.goto(`${stack.url}/console/players/${target!.id}`);
    if (size === "phone") {
      await page.fill("#freeze-reason", "stolen account reported by the game's support");
      await Promise.all([page.waitForLoadState("networkidle"), page.click("button:has-text('Freeze')")]);
      await page.waitForSelector("text=Frozen.");
    }
    await page.screenshot({ path: path.join(SHOTS, `console-player-${size}.png`), fullPage: true });
    await runConsumer(db, auditIndexConsumer, 1_000, 1_000);
    await page.goto(`${stack.url}/console/audit?player=${target!.id}`);
    await page.waitForSelector(".audit-results li");
    await page.screenshot({ path: path.join(SHOTS, `console-audit-${size}.png`), fullPage: true });
    await page.goto(`${stack.url}/console/players/${target!.id}/timeline`);
    await page.waitForSelector("text=Balances over time");
    await page.screenshot({ path: path.join(SHOTS, `console-timeline-${size}.png`), fullPage: true });
    await page.goto(`${stack.url}/console/audit?player=${target!.id}`);
    await page.click(".audit-results li a");
    await page.waitForSelector("text=Its story");
    await page.screenshot({ path: path.join(SHOTS, `console-event-${size}.png`), fullPage: true });
    // Feature flags (issue 21): the dashboard's flag, changed through the form on the phone.
    await page.goto(`${stack.url}/console/features`);
    await page.waitForSelector("#feature-traders-dashboard");
    if (size === "phone") {
      await page.fill("#pct-traders-dashboard", "50");
      await page.fill("#reason-traders-dashboard", "half the players while we watch the load");
      await Promise.all([page.waitForSelector("text=traders-dashboard changed"), page.click("button:has-text('Save the rollout')")]);
      await page.fill("#user-traders-dashboard", target!.username);
      await page.selectOption("#value-traders-dashboard", "on");
      await page.fill("#oreason-traders-dashboard", "tester asked for it early");
      await Promise.all([page.waitForSelector(`text=${target!.username}: on`), page.click("button:has-text('Save the override')")]);
    }
    await page.screenshot({ path: path.join(SHOTS, `console-features-${size}.png`), fullPage: true });
    await context.close();
  }
  await opened.close();
  console.log(`screenshots in ${SHOTS}`);
} finally {
  await browser.close();
  await stack.stop();
}
