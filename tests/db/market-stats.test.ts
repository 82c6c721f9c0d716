/** An item's 24 h / 7 d / 30 d stats and candles with indicators, read from the candles table. */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/db";
import { candlesWithIndicators, marketStats } from "../../db/market/stats";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket } from "../support/market";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 4 });
});
afterAll(async () => t?.close());

const NOW = new Date("2026-03-31T12:00:00Z");
const H = 3_600_000;

/** One candle: [interval, ms before NOW, open, high, low, close, volume, notional]. */
async function put(db: Db, slug: string, ...cs: Array<[string, number, number, number, number, number, number, number]>) {
  for (const [iv, ago, o, h, l, c, v, n] of cs) {
    await db.execute(sql`insert into candles (market_slug, interval, bucket, open, high, low, close, volume, notional, trades)
      values (${slug}, ${iv}, ${new Date(NOW.getTime() - ago).toISOString()}::timestamptz, ${o}, ${h}, ${l}, ${c}, ${v}, ${n}, 1)`);
  }
}

describe(`market stats on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("24 h from 5-minute candles, 7 and 30 days from hourly ones: open, close, high, low, VWAP, change", async () => {
    const m = await addMarket(t.db);
    await put(t.db, m.slug,
      // 5m: two in the last day, one just outside it
      ["5m", 25 * H, 900, 900, 900, 900, 5, 4_500],
      ["5m", 3 * H, 1_000, 1_100, 950, 1_050, 2, 2_100],
      ["5m", 1 * H, 1_050, 1_200, 1_000, 1_150, 1, 1_150],
      // 1h: the same two hours, a day 3 days back, one 20 days back, one 40 days back
      ["1h", 3 * H, 1_000, 1_100, 950, 1_050, 2, 2_100],
      ["1h", 1 * H, 1_050, 1_200, 1_000, 1_150, 1, 1_150],
      ["1h", 72 * H, 800, 820, 700, 810, 4, 3_000],
      ["1h", 480 * H, 600, 650, 500, 640, 10, 6_001],
      ["1h", 960 * H, 1, 99_999, 1, 1, 99, 99],
    );
    const s = await marketStats(t.db, m.slug, NOW);
    // 24h: notional 3,250 / volume 3 = 1,083.33 -> 1,083; change 1,150 - 1,000 = 150 = 15.00%
    expect(s["24h"]).toEqual({ open: 1_000, close: 1_150, high: 1_200, low: 950, average: 1_083, change: 150, changeBps: 1_500, volume: 3, notional: 3_250, trades: 2 });
    // 7d adds the day 3 days back: 6,250 / 7 = 892.86 -> 893; 1,150 - 800 = 350 = 43.75%
    expect(s["7d"]).toEqual({ open: 800, close: 1_150, high: 1_200, low: 700, average: 893, change: 350, changeBps: 4_375, volume: 7, notional: 6_250, trades: 3 });
    // 30d adds 20 days back (not 40): 12,251 / 17 = 720.65 -> 721; 1,150 - 600 = 550 = 91.67% -> 9,167 bps
    expect(s["30d"]).toEqual({ open: 600, close: 1_150, high: 1_200, low: 500, average: 721, change: 550, changeBps: 9_167, volume: 17, notional: 12_251, trades: 4 });
  });

  it("a falling window has a negative change; a market with no trades has nulls and zeros", async () => {
    const m = await addMarket(t.db);
    await put(t.db, m.slug, ["5m", 2 * H, 1_000, 1_000, 1_000, 1_000, 1, 1_000], ["5m", 1 * H, 995, 995, 995, 995, 1, 995]);
    expect((await marketStats(t.db, m.slug, NOW))["24h"]).toMatchObject({ change: -5, changeBps: -50, average: 998 }); // 1,995 / 2 = 997.5 -> 998
    const quiet = await addMarket(t.db);
    const none = { open: null, close: null, high: null, low: null, average: null, change: null, changeBps: null, volume: 0, notional: 0, trades: 0 };
    expect(await marketStats(t.db, quiet.slug, NOW)).toEqual({ "24h": none, "7d": none, "30d": none });
  });

  it("candles with indicators: warm-up candles are read so lines start at the first shown; gaps carry the close", async () => {
    const m = await addMarket(t.db);
    // hourly closes 10, 20, 30, (gap), 50, 60 at hours 0..5 before NOW's hour
    const base = 10 * H;
    await put(t.db, m.slug,
      ["1h", base, 10, 10, 10, 10, 1, 10],
      ["1h", base - H, 20, 20, 20, 20, 1, 20],
      ["1h", base - 2 * H, 30, 30, 30, 30, 1, 30],
      ["1h", base - 4 * H, 50, 50, 50, 50, 2, 100],
      ["1h", base - 5 * H, 60, 60, 60, 60, 1, 60],
    );
    const got = await candlesWithIndicators(t.db, m.slug, "1h", 2, [{ kind: "sma", period: 3 }, { kind: "vwap" }, { kind: "bb", period: 40, width: 2 }]);
    expect(got.candles.map((c) => c.close)).toEqual([50, 60]);
    expect(got.candles[0]).toMatchObject({ volume: 2, notional: 100 });
    // buckets 20, 30, 30 (carried), 50, 60: SMA 3 at 50 = (30+30+50)/3 = 36.67 -> 37; at 60 = (30+50+60)/3 = 46.67 -> 47
    expect(got.indicators["sma:3"]).toEqual([{ time: got.candles[0]!.time, value: 37 }, { time: got.candles[1]!.time, value: 47 }]);
    // all on 2026-03-31 UTC (02:00..07:00): VWAP so far (10+20+30+100)/5 = 32, then 220/6 = 36.67 -> 37
    expect(got.indicators.vwap).toEqual([{ time: got.candles[0]!.time, value: 32 }, { time: got.candles[1]!.time, value: 37 }]);
    // 40 hours of history do not exist: no points, not NaN
    expect(got.indicators["bb:40:2"]).toEqual([]);
  });
});
