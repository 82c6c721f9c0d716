/** Seconds per candle of each interval (db/market/intervals.ts names them). */
export const INTERVAL_STEP = { "1m": 60, "5m": 300, "1h": 3_600, "1d": 86_400 } as const;
