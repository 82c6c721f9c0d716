/** /api/v1 market stats and candles with indicators through the built worker, on the real Postgres. */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { addMarket } from "../support/market";
import { api, baseUrl, openDb } from "./client";

let slug = "";
const HOUR = 3_600;
/** An hour bucket `n` hours before this hour (epoch seconds). */
const hourAgo = (n: number) => (Math.floor(Date.now() / 1000 / HOUR) - n) * HOUR;

beforeAll(async () => {
  const { db } = await openDb();
  slug = (await addMarket(db)).slug;
  // Hourly closes 100, 110, (gap), 130, 140 in the last hours; the same as 5m candles for the 24 h figures.
  for (const [ago, close] of [[5, 100], [4, 110], [2, 130], [1, 140]] as const) {
    for (const iv of ["1h", "5m"]) {
      await db.execute(sql`insert into candles (market_slug, interval, bucket, open, high, low, close, volume, notional, trades)
        values (${slug}, ${iv}, to_timestamp(${hourAgo(ago)}), ${close}, ${close}, ${close}, ${close}, 1, ${close}, 1)`);
    }
  }
});

describe("market stats and indicators API", () => {
  it("GET /markets/{slug}/stats: 24 h, 7 d, 30 d", async () => {
    const r = await api(`/markets/${slug}/stats`);
    expect(r.status).toBe(200);
    const day = { open: 100, close: 140, high: 140, low: 100, average: 120, change: 40, changeBps: 4_000, volume: 4, notional: 480, trades: 4 };
    expect(r.body).toEqual({ market: slug, windows: { "24h": day, "7d": day, "30d": day } });
    const missing = await api("/markets/no-such-market/stats");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("unknown_market");
  });

  it("GET /markets/{slug}/candles?indicators=: series at the candles' times, gaps carried", async () => {
    const r = await api(`/markets/${slug}/candles?interval=1h&indicators=sma:2,ema:2,vwap,bb:2:2,sma:50`);
    expect(r.status).toBe(200);
    expect(r.body.candles.map((c: { close: number }) => c.close)).toEqual([100, 110, 130, 140]);
    expect(r.body.candles[0]).toMatchObject({ notional: 100, volume: 1 });
    // buckets 100, 110, 110 (carried), 130, 140: SMA 2 = 105 at 110; (110+130)/2 = 120; 135
    expect(r.body.indicators["sma:2"]).toEqual([
      { time: hourAgo(4), value: 105 },
      { time: hourAgo(2), value: 120 },
      { time: hourAgo(1), value: 135 },
    ]);
    expect(r.body.indicators["bb:2:2"][0]).toEqual({ time: hourAgo(4), middle: 105, upper: 115, lower: 95 });
    expect(r.body.indicators["sma:50"]).toEqual([]);
    expect(Object.keys(r.body.indicators)).toEqual(["sma:2", "ema:2", "vwap", "bb:2:2", "sma:50"]);
    // without the parameter: candles only, as before
    expect((await api(`/markets/${slug}/candles?interval=1h`)).body.indicators).toBeUndefined();
  });

  it("a bad indicator list is a 400 naming the problem", async () => {
    for (const [q, words] of [["sma:1", "from 2 to 200"], ["macd:9", 'unknown indicator "macd:9"'], ["bb:20:7", "bb width"]] as const) {
      const r = await api(`/markets/${slug}/candles?interval=1h&indicators=${q}`);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain(words);
    }
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await api("/openapi.json")).body;
    expect(doc.paths["/api/v1/markets/{slug}/stats"].get.operationId).toBe("getMarketStats");
    const candles = doc.paths["/api/v1/markets/{slug}/candles"].get;
    expect(candles.parameters.find((p: { name: string }) => p.name === "indicators").description).toContain("bb:<period>");
  });
});

describe("the market page's chart candles (/markets/{slug}/candles, not in the page's HTML)", () => {
  const page = (path: string) => fetch(baseUrl() + path);

  it("the interval's candles, oldest first, for a guest too", async () => {
    const r = await page(`/markets/${slug}/candles?interval=1h`);
    expect(r.status).toBe(200);
    const candles = (await r.json()) as Array<{ time: number; close: number; volume: number; notional: number }>;
    expect(candles.map((c) => [c.time, c.close])).toEqual([[hourAgo(5), 100], [hourAgo(4), 110], [hourAgo(2), 130], [hourAgo(1), 140]]);
    expect(candles[0]).toMatchObject({ volume: 1, notional: 100 });
    // no interval: the page's default, 5m
    expect(((await (await page(`/markets/${slug}/candles`)).json()) as unknown[]).length).toBe(4);
  });

  it("a bad interval is a 400 naming the intervals; an unknown market a 404", async () => {
    const bad = await page(`/markets/${slug}/candles?interval=2h`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("interval must be one of 1m, 5m, 1h, 1d");
    const missing = await page("/markets/no-such-market/candles?interval=1h");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("no market no-such-market");
  });

  it("the market page's HTML no longer carries them", async () => {
    const html = await (await page(`/markets/${slug}?interval=1h`)).text();
    expect(html).toContain("Price chart, 1h candles");
    expect(html).not.toContain(String(hourAgo(5)));
  });
});

