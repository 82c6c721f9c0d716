/**
 * Screenshots of the review queue (issue 18, ADR 038) at phone (390x844) and tablet (820x1180)
 * size: a seeded stack on the real Postgres, a market of its own where two seeded players trade
 * back and forth (the fraud consumer flags it, with evidence events), a rollback applied and one
 * waiting for a second admin, an admin signed in by a session cookie. /console/flags, and
 * /console/rollbacks showing a plan before anything moves. Run: npm run shots:review.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { chromium } from "playwright-core";
import { openPostgres } from "../../db/open";
import { rows, withTx } from "../../db/db";
import { runConsumer } from "../../db/consumers/run";
import { fraudConsumer } from "../../db/fraud/consumer";
import { defaultFraudConfig } from "../../db/fraud/rules";
import * as ledger from "../../db/ledger";
import { applyRollback, proposeRollback, requestRollback } from "../../db/rollbacks";
import { openSession } from "../../edge/auth/sessions.server";
import { enrolSecondFactor, setSteppedUp } from "../support/second-factor";
import { MarketSession } from "../../party/market/session";
import { addMarket } from "../support/market";
import { SHOTS } from "./harness";
import { CHROMIUM, CHROMIUM_ARGS, startBrowserStack } from "./stack";

const ports = { web: Number(process.env.E2E_PORT ?? 5199), party: Number(process.env.E2E_PARTY_PORT ?? 5198), wsProxy: Number(process.env.E2E_WS_PROXY_PORT ?? 5197) };
const stack = await startBrowserStack("review-shot", ports);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const opened = await openPostgres(stack.databaseUrl, 2);
  const db = opened.db;
  const players = await rows<{ id: string }>(db, sql`select id::text as id from players order by username limit 4`);
  const [admin, a, b] = players.map((p) => p.id) as [string, string, string];
  const c = players[3]?.id ?? b;
  await db.execute(sql`update players set roles = '{player,admin}' where id = ${admin}`);
  // A market of the script's own (no room serves it), traded back and forth by two seeded players.
  const m = await addMarket(db, { makerBps: 0, takerBps: 0 });
  await withTx(db, async (tx) => {
    for (const p of [a, b]) {
      await ledger.mint(tx, { actor: "system:seed" }, { playerId: p, asset: ledger.CURRENCY, amount: 1_000_000 });
      await ledger.mint(tx, { actor: "system:seed" }, { playerId: p, asset: m.itemTypeId, amount: 100 });
    }
  });
  const s = (await MarketSession.open(() => db, m.slug))!;
  const trade = async (seller: string, buyer: string, price: number) => {
    await s.submit({ type: "place", playerId: seller, clientOrderId: crypto.randomUUID(), side: "sell", orderType: "limit", price, quantity: 1 });
    await s.submit({ type: "place", playerId: buyer, clientOrderId: crypto.randomUUID(), side: "buy", orderType: "limit", price, quantity: 1 });
  };
  for (const [seller, buyer] of [[a, b], [a, b], [a, b], [b, a], [b, a], [b, a]] as const) await trade(seller, buyer, 1_000);
  await trade(a, b, 9_000);
  const consumer = fraudConsumer({ ...defaultFraudConfig, velocityMinValue: 1e12 });
  for (let i = 0; i < 50 && (await rows(db, sql`select 1 from fraud_flags`)).length < 2; i++) {
    await runConsumer(db, consumer);
    await new Promise((r) => setTimeout(r, 200));
  }
  // One rollback applied, one waiting for a second admin.
  const mint = async (player: string, amount: number) => {
    await withTx(db, (tx) => ledger.mint(tx, { actor: "system:seed" }, { playerId: player, asset: ledger.CURRENCY, amount, reason: "quest reward" }));
    return (await rows<{ id: string }>(db, sql`
      select event_id::text as id from events where stream = ${`player:${player}`} and type = 'minted' and payload->>'reason' = 'quest reward'
        and (payload->'postings'->0->>'available')::bigint = ${amount} order by created_at desc limit 1`))[0]!.id;
  };
  const small = await requestRollback(db, { kind: "mint", targetId: await mint(c, 25_000), reason: "duplicated quest reward", by: `operator:${admin}`, approveAbove: 1_000_000 });
  const big = await proposeRollback(db, { kind: "mint", targetId: await mint(c, 3_000_000), reason: "leaked server key", by: "operator:00000000-0000-4000-8000-000000000001" });
  const waiting = await applyRollback(db, { id: big.rollback.id, by: "operator:00000000-0000-4000-8000-000000000001", approveAbove: 1_000_000 });
  console.log(JSON.stringify({ small: [small.rollback.state, small.rollback.value, small.created], waiting: [waiting.state, waiting.value, big.created] }));
  const [fill] = await rows<{ id: string }>(db, sql`select id::text as id from fills where market_slug = ${m.slug} order by id desc limit 1`);

  // Staff need two-factor sign-in, and applying asks for a fresh code (ADR 035): enrolled and stepped up.
  await enrolSecondFactor(db, admin);
  const session = await openSession(db, admin, "web");
  await setSteppedUp(db, session.id, 0);
  const cookie = session.token;
  mkdirSync(SHOTS, { recursive: true });
  for (const [size, viewport] of [["phone", { width: 390, height: 844 }], ["tablet", { width: 820, height: 1180 }]] as const) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    await context.addCookies([{ name: "bazaar_session", value: cookie, url: stack.url }]);
    const page = await context.newPage();
    await page.goto(`${stack.url}/console/flags`);
    await page.waitForSelector(".flag");
    await page.screenshot({ path: path.join(SHOTS, `console-flags-${size}.png`), fullPage: true });
    await page.goto(`${stack.url}/console/rollbacks?kind=fill&target=${fill!.id}`);
    await page.waitForSelector("#plan-title");
    await page.screenshot({ path: path.join(SHOTS, `console-rollbacks-${size}.png`), fullPage: true });
    await context.close();
  }
  await opened.close();
  console.log(`screenshots in ${SHOTS}`);
} finally {
  await browser.close();
  await stack.stop();
}
