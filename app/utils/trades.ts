/**
 * The trade history's filters (read from the URL, shared by the page and its CSV export) and the
 * CSV itself. Dates are the player's calendar days: the form sends the browser's offset from UTC
 * (`tz`, minutes as Date.getTimezoneOffset gives them; 0 without JavaScript).
 */
import type { MyFill } from "../../db/market/read";
import { goldDecimal, toCsv } from "./csv";

export interface TradeFilters {
  market?: string;
  side?: "buy" | "sell";
  /** First day, YYYY-MM-DD (inclusive). */
  from?: string;
  /** Last day, YYYY-MM-DD (inclusive). */
  to?: string;
  /** Minutes to add to local time to get UTC (Date.getTimezoneOffset). */
  tz: number;
  /** Older than this fill (the "Older" link's cursor). */
  before?: number;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight UTC of a YYYY-MM-DD day, or undefined when it is not a real day. */
function dayStart(day: string | null): number | undefined {
  const m = day ? DAY.exec(day) : null;
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!);
  return new Date(ms).toISOString().slice(0, 10) === day ? ms : undefined;
}

/** The filters in a URL; anything malformed or unknown is dropped (the form shows what applies). */
export function readTradeFilters(params: URLSearchParams, markets: ReadonlySet<string>): TradeFilters {
  const market = params.get("market") ?? "";
  const side = params.get("side");
  const tz = Number(params.get("tz") ?? "0");
  const before = params.get("before") ?? "";
  const from = params.get("from");
  const to = params.get("to");
  return {
    ...(markets.has(market) ? { market } : {}),
    ...(side === "buy" || side === "sell" ? { side } : {}),
    ...(dayStart(from) !== undefined ? { from: from! } : {}),
    ...(dayStart(to) !== undefined ? { to: to! } : {}),
    tz: Number.isInteger(tz) && Math.abs(tz) <= 16 * 60 ? tz : 0,
    ...(/^[1-9][0-9]{0,15}$/.test(before) ? { before: Number(before) } : {}),
  };
}

/** The instants the days mean: from the first day's local midnight to the midnight after the last. */
export function filterInstants(f: TradeFilters): { from?: Date; to?: Date } {
  const shift = f.tz * 60_000;
  const from = dayStart(f.from ?? null);
  const to = dayStart(f.to ?? null);
  return {
    ...(from !== undefined ? { from: new Date(from + shift) } : {}),
    ...(to !== undefined ? { to: new Date(to + 86_400_000 + shift) } : {}),
  };
}

/** The query string of these filters (never the cursor), with extra parameters appended. */
export function filterSearch(f: TradeFilters, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (f.market) p.set("market", f.market);
  if (f.side) p.set("side", f.side);
  if (f.from) p.set("from", f.from);
  if (f.to) p.set("to", f.to);
  if ((f.from || f.to) && f.tz) p.set("tz", String(f.tz));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

export const isFiltered = (f: TradeFilters) => Boolean(f.market || f.side || f.from || f.to);

/** Copper that changed hands for me: a buy paid price x quantity plus its fee, a sell got it minus its fee. */
export function fillTotal(f: Pick<MyFill, "side" | "price" | "quantity" | "fee">): number {
  const notional = f.price * f.quantity;
  return f.side === "buy" ? notional + f.fee : notional - f.fee;
}

export const TRADE_CSV_HEADER = [
  "time_utc", "market", "item", "side", "role", "quantity",
  "price_gold", "price_copper", "fee_gold", "fee_copper", "total_gold", "total_copper", "order_id", "fill_seq",
] as const;

/** My fills as CSV: money both as gold with 2 decimals and as integer copper; total = paid (buy) or received (sell). */
export function tradesCsv(fills: ReadonlyArray<Omit<MyFill, "id">>, names: Readonly<Record<string, { name: string }>>): string {
  return toCsv(
    TRADE_CSV_HEADER,
    fills.map((f) => {
      const total = fillTotal(f);
      return [
        f.at, f.market, names[f.market]?.name ?? f.market, f.side, f.role, f.quantity,
        goldDecimal(f.price), f.price, goldDecimal(f.fee), f.fee, goldDecimal(total), total, f.orderId, f.seq,
      ];
    }),
  );
}

/** bazaar-trades-2026-05-01.csv (today), or bazaar-trades-iron-ore-buy-from-2026-04-01-to-2026-04-30.csv when filtered. */
export function tradesFilename(f: TradeFilters, today: Date): string {
  const parts = ["bazaar-trades", f.market, f.side, f.from ? `from-${f.from}` : undefined, f.to ? `to-${f.to}` : undefined];
  if (!f.from && !f.to) parts.push(today.toISOString().slice(0, 10));
  return `${parts.filter(Boolean).join("-")}.csv`;
}
