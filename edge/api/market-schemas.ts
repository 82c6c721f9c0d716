/** Schemas of the market endpoints (validation and OpenAPI share them). Money: integer copper. */
import { z } from "zod";
import { expiryProblem, MAX_BUDGET, MAX_ORDER_QUANTITY, MAX_PRICE } from "../../party/bounds";
import { MAX_INDICATORS, MAX_PERIOD, MAX_WIDTH, MIN_PERIOD, MIN_WIDTH, parseIndicators } from "../../app/utils/indicators/spec";
import { positiveSafeInt, queryPositiveInt, text } from "../validation";

export const MarketParams = z.strictObject({ slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "slug must be lowercase letters, digits and -") });
export const OrderParams = MarketParams.extend({ id: z.uuid("order id must be a uuid") });

export const MarketsQuery = z.strictObject({
  q: text("q", 100).optional(),
  category: z.string().regex(/^[a-z0-9-]{1,32}$/, "category must be 1-32 lowercase letters, digits or -").optional(),
});

const nullableInt = z.int().nullable();
export const Market = z.object({
  slug: z.string(), itemTypeId: z.int(), name: z.string(), icon: z.string(), category: z.string(), description: z.string(),
  tickSize: z.int(), lotSize: z.int(), makerFeeBps: z.int(), takerFeeBps: z.int(), status: z.string(),
  last: nullableInt, open24h: nullableInt, high24h: nullableInt, low24h: nullableInt, volume24h: z.int(), trades24h: z.int(),
});
export const MarketList = z.object({ markets: z.array(Market) });

export const BookQuery = z.strictObject({ depth: queryPositiveInt("depth", 500).optional() });
const Level = z.tuple([z.int(), z.int()]);
const Trade = z.object({ seq: z.int(), price: z.int(), quantity: z.int(), takerSide: z.enum(["buy", "sell"]), at: z.int() });
export const Book = z.object({ seq: z.int(), bids: z.array(Level), asks: z.array(Level), trades: z.array(Trade), stats: z.record(z.string(), z.unknown()) });

export const TradesQuery = z.strictObject({ limit: queryPositiveInt("limit", 500).optional() });
export const TradeList = z.object({ trades: z.array(Trade) });

export const CandlesQuery = z.strictObject({
  interval: z.enum(["1m", "5m", "1h", "1d"], "interval must be one of 1m, 5m, 1h, 1d").default("5m"),
  limit: queryPositiveInt("limit", 1000).optional(),
  indicators: z.string().max(200, "indicators: at most 200 characters").optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const specs = parseIndicators(v);
      if (typeof specs === "string") {
        ctx.addIssue({ code: "custom", message: `indicators: ${specs}` });
        return z.NEVER;
      }
      return specs;
    })
    .meta({
      description: `comma-separated: sma:<period>, ema:<period>, vwap, bb:<period>[:<width>] (e.g. sma:20,ema:50,vwap,bb:20:2); periods ${MIN_PERIOD}-${MAX_PERIOD} candles, width ${MIN_WIDTH}-${MAX_WIDTH} standard deviations in tenths, default 2; at most ${MAX_INDICATORS}`,
    }),
});
const Point = z.object({ time: z.int(), value: z.int() });
const BandPoint = z.object({ time: z.int(), middle: z.int(), upper: z.int(), lower: z.int() });
export const CandleList = z.object({
  candles: z.array(z.object({ time: z.int(), open: z.int(), high: z.int(), low: z.int(), close: z.int(), volume: z.int(), notional: z.int().meta({ description: "copper traded in the bucket (sum of price x quantity)" }) })),
  indicators: z.record(z.string(), z.array(z.union([Point, BandPoint]))).optional().meta({
    description:
      "only with ?indicators=: each one's series keyed as asked in canonical form (sma:20, ema:50, vwap, bb:20:2), oldest first, integer copper rounded half up. " +
      "Computed on the interval's full time grid: a bucket without trades carries the last close (volume 0). A point exists only where the whole window lies within the market's history " +
      "(earlier candles than those returned are read for it): never null. vwap resets at 00:00 UTC. bb points are {time, middle, upper, lower}; lower may be below 0.",
  }),
});

const WindowStats = z.object({
  open: nullableInt, close: nullableInt, high: nullableInt, low: nullableInt,
  average: nullableInt.meta({ description: "volume-weighted average price, copper, rounded half up" }),
  change: nullableInt.meta({ description: "close - open, copper" }),
  changeBps: nullableInt.meta({ description: "change / open in basis points (100 = 1%), rounded half away from zero" }),
  volume: z.int(), notional: z.int().meta({ description: "copper traded" }), trades: z.int(),
});
export const MarketStats = z.object({
  market: z.string(),
  windows: z.object({ "24h": WindowStats, "7d": WindowStats, "30d": WindowStats }).meta({
    description: "candles whose bucket starts in the last 24 hours (5-minute candles), 7 or 30 days (hourly candles); prices null when nothing traded",
  }),
});

export const PlaceOrder = z.strictObject({
  clientOrderId: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, "clientOrderId: letters, digits and _.:- only (max 64)"),
  side: z.enum(["buy", "sell"], "side must be buy or sell"),
  orderType: z.enum(["limit", "market"], "orderType must be limit or market").default("limit"),
  price: positiveSafeInt("price", MAX_PRICE).optional().meta({ description: `copper per item, 1 to ${MAX_PRICE}; a multiple of the market's tick; required for limit orders` }),
  quantity: positiveSafeInt("quantity", MAX_ORDER_QUANTITY).meta({ description: `items, 1 to ${MAX_ORDER_QUANTITY}; a multiple of the market's lot` }),
  timeInForce: z.enum(["GTC", "IOC", "FOK", "POST_ONLY"], "timeInForce must be one of GTC, IOC, FOK, POST_ONLY").optional(),
  stp: z.enum(["none", "cancel_taker", "cancel_maker", "cancel_both"], "stp must be one of none, cancel_taker, cancel_maker, cancel_both").optional(),
  expiresAt: positiveSafeInt("expiresAt")
    .superRefine((v, ctx) => {
      const problem = expiryProblem(v, Date.now());
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional()
    .meta({ description: "epoch milliseconds, between now and 365 days from now (checked again by the market when it plans the batch); resting limit orders (GTC, POST_ONLY) only" }),
  budget: positiveSafeInt("budget", MAX_BUDGET).optional().meta({ description: `market buys: most copper to spend before fees, 1 to ${MAX_BUDGET}` }),
  priceLimit: positiveSafeInt("priceLimit", MAX_PRICE).optional().meta({ description: `market orders: worst price to trade at, 1 to ${MAX_PRICE}` }),
}).refine((o) => o.orderType === "market" || o.price !== undefined, { message: "price is required for limit orders", path: ["price"] });

export const AmendOrder = z.strictObject({
  price: positiveSafeInt("price", MAX_PRICE).optional().meta({ description: `new copper per item, 1 to ${MAX_PRICE}; a multiple of the market's tick` }),
  quantity: positiveSafeInt("quantity", MAX_ORDER_QUANTITY).optional().meta({ description: `new open quantity, 1 to ${MAX_ORDER_QUANTITY}; a multiple of the market's lot; refused when the order's filled plus this would pass 2^53 - 1` }),
})
  .refine((a) => a.price !== undefined || a.quantity !== undefined, { message: "give a new price or quantity" });

const OrderRow = z.object({
  id: z.uuid(), playerId: z.uuid(), clientOrderId: z.string(), side: z.enum(["buy", "sell"]), kind: z.enum(["limit", "market"]),
  timeInForce: z.string(), stp: z.string(), code: z.int(), price: nullableInt, quantity: z.int(), remaining: z.int(), filled: z.int(),
  reserved: z.int(), status: z.enum(["open", "filled", "canceled", "expired", "rejected"]), seq: z.int(), expiresAt: nullableInt,
});
const Fill = z.object({
  seq: z.int(), makerOrderId: z.uuid(), takerOrderId: z.uuid(), makerPlayerId: z.uuid(), takerPlayerId: z.uuid(),
  takerSide: z.enum(["buy", "sell"]), price: z.int(), quantity: z.int(), makerFee: z.int(), takerFee: z.int(),
});
export const OrderAnswer = z.object({
  ok: z.literal(true), code: z.int(), reason: z.string(), message: z.string(), order: OrderRow.optional(), fills: z.array(Fill).optional(),
  canceled: z.array(z.uuid()).optional(), replayed: z.boolean().optional(),
});

export const MyOrdersQuery = z.strictObject({
  status: z.enum(["open", "history"]).default("open"),
  market: MarketParams.shape.slug.optional(),
  limit: queryPositiveInt("limit", 500).optional(),
});
export const MyOrders = z.object({ orders: z.array(OrderRow.extend({ market: z.string(), createdAt: z.string() })) });
const instant = (field: string) =>
  z.iso.datetime({ offset: true, message: `${field} must be an ISO 8601 date-time, e.g. 2026-04-01T00:00:00Z` });
export const MyFillsQuery = z.strictObject({
  market: MarketParams.shape.slug.optional(),
  side: z.enum(["buy", "sell"], "side must be buy or sell").optional().meta({ description: "my side of the fill" }),
  from: instant("from").optional().meta({ description: "fills at or after this ISO 8601 date-time" }),
  to: instant("to").optional().meta({ description: "fills before this ISO 8601 date-time" }),
  cursor: z.string().regex(/^[1-9][0-9]{0,15}$/, "cursor must be a value returned as nextCursor").optional()
    .meta({ description: "the nextCursor of the previous page: fills older than its last one (same filters)" }),
  limit: queryPositiveInt("limit", 500).optional().meta({ description: "1-500, default 100" }),
});
export const MyFills = z.object({
  fills: z.array(z.object({
    market: z.string(), seq: z.int(), price: z.int(), quantity: z.int(), side: z.enum(["buy", "sell"]), role: z.enum(["maker", "taker"]),
    fee: z.int().meta({ description: "copper I paid in fees" }), orderId: z.string(), at: z.string().meta({ description: "ISO 8601, UTC" }),
  })).meta({ description: "newest first" }),
  nextCursor: z.string().nullable().meta({ description: "pass as cursor for the next (older) page; null on the last page" }),
});
export const ConnectToken = z.object({ token: z.string(), host: z.string(), room: z.string(), expiresInSeconds: z.int() });
