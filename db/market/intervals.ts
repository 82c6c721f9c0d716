/**
 * The candle intervals the pages and the API offer. A module of its own, free of drizzle: the
 * market page's browser code imports it, and importing it from read.ts pulled drizzle's SQL
 * builder and the market reads into the page's first-load JavaScript.
 */
export const INTERVALS = ["1m", "5m", "1h", "1d"] as const;
export type Interval = (typeof INTERVALS)[number];
