/**
 * Screenshots of the economy page at phone and tablet size (docs/screenshots/economy-*.png): the e2e
 * stack on a seeded database, a randomized afternoon of trades in three seeded markets, the economy
 * consumers run once, then Debian's chromium. `node --import tsx tests/e2e/economy-shot.ts`
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { runConsumer } from "../../db/consumers/run";
import { ECONOMY_CONSUMERS } from "../../db/economy/consumers";
import { listMarkets } from "../../db/market/read";
import { MarketSession } from "../../party/market/session";
import { repoRoot } from "../../scripts/paths";
import { fundedTrader } from "../support/market";
import { prng } from "../support/world";
import { CHROMIUM_ARGS, startBrowserStack } from "./stack";

const SIZES = [
  { name: "phone", width: 390, height: 844 },
  { name: "tablet", width: 820, height: 1180 },
];
const out = path.join(repoRoot, "docs", "screenshots");
mkdirSync(out, { recursive: true });

const stack = await startBrowserStack("economy-shot", { web: Number(process.env.E2E_PORT ?? 17871), party: Number(process.env.E2E_PARTY_PORT ?? 17872), wsProxy: Number(process.env.E2E_WS_PROXY_PORT ?? 17873) }, async (db) => {
  const rand = prng(7);
  const markets = (await listMarkets(db)).slice(0, 3);
  const traders: string[] = [];
  for (let i = 0; i < 6; i++) traders.push(await fundedTrader(db, markets.map((m) => m.itemTypeId), 20_000 + i * i * 30_000, 100));
  for (const [k, m] of markets.entries()) {
    const s = (await MarketSession.open(() => db, m.slug))!;
    for (let i = 0; i < 12; i++) {
      const [a, b] = [traders[Math.floor(rand() * 6)]!, traders[Math.floor(rand() * 6)]!];
      if (a === b) continue;
      const price = 100 + k * 150 + Math.floor(rand() * 30);
      const quantity = 1 + Math.floor(rand() * 5);
      await s.submit({ type: "place", playerId: a, clientOrderId: crypto.randomUUID(), side: "sell", orderType: "limit", price, quantity });
      await s.submit({ type: "place", playerId: b, clientOrderId: crypto.randomUUID(), side: "buy", orderType: "limit", price, quantity });
    }
  }
  for (const c of ECONOMY_CONSUMERS) await runConsumer(db, c);
});
let code = 0;
try {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    for (const size of SIZES) {
      const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, baseURL: stack.url, colorScheme: "dark" });
      const page = await context.newPage();
      const response = await page.goto("/economy?period=all");
      if (response?.status() !== 200) throw new Error(`/economy answered ${response?.status()}`);
      await page.screenshot({ path: path.join(out, `economy-${size.name}.png`), fullPage: true });
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots in ${out}`);
} catch (error) {
  console.error(error);
  code = 1;
} finally {
  await stack.stop();
}
process.exit(code);
