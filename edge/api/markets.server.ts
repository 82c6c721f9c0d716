/** /api/v1 market endpoints: thin adapters over db/market/read and the room (edge/market/room). */
import { candles, getMarket, listMarkets, myFillsPage, myOrders, recentTrades } from "../../db/market/read";
import { candlesWithIndicators, marketStats } from "../../db/market/stats";
import { connectToken, fetchRoom, sendCommand, throwIfRejected } from "../market/room.server";
import { ApiError } from "./http.server";
import * as s from "./market-schemas";
import { route, type ApiRoute } from "./router.server";

const P = "/api/v1";

async function requireMarket(db: Parameters<typeof getMarket>[0], slug: string) {
  const market = await getMarket(db, slug);
  if (!market) throw new ApiError(404, "unknown_market", `no market ${slug}`);
  return market;
}

export const marketRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${P}/markets`, operationId: "listMarkets", summary: "Markets with 24h stats (search, category)",
    auth: "none", query: s.MarketsQuery, status: 200, response: s.MarketList,
    async handler({ context, query }) {
      return { markets: await listMarkets(context.db, { search: query.q, category: query.category }) };
    },
  }),
  route({
    method: "GET", path: `${P}/markets/:slug`, operationId: "getMarket", summary: "One market with its 24h stats",
    auth: "none", params: s.MarketParams, status: 200, response: s.Market, errors: [404],
    async handler({ context, params }) {
      return requireMarket(context.db, params.slug);
    },
  }),
  route({
    method: "GET", path: `${P}/markets/:slug/book`, operationId: "getBook", summary: "Order book levels as of the last commit, with recent trades and stats",
    auth: "none", params: s.MarketParams, query: s.BookQuery, status: 200, response: s.Book, errors: [404, 503],
    async handler({ context, params, query }) {
      const response = await fetchRoom(context.env, params.slug, { query: `?depth=${query.depth ?? 50}` });
      if (!response.ok) throw new ApiError(503, "market_unreachable", `the market answered ${response.status}`);
      const { type: _t, market: _m, ...book } = (await response.json()) as Record<string, unknown>;
      return book;
    },
  }),
  route({
    method: "GET", path: `${P}/markets/:slug/trades`, operationId: "listTrades", summary: "Recent trades, newest first",
    auth: "none", params: s.MarketParams, query: s.TradesQuery, status: 200, response: s.TradeList, errors: [404],
    async handler({ context, params, query }) {
      await requireMarket(context.db, params.slug);
      return { trades: await recentTrades(context.db, params.slug, query.limit ?? 50) };
    },
  }),
  route({
    method: "GET", path: `${P}/markets/:slug/candles`, operationId: "listCandles",
    summary: "OHLCV candles (1m, 5m, 1h, 1d), oldest first; time in epoch seconds; with indicators (SMA, EMA, VWAP, Bollinger) on request",
    auth: "none", params: s.MarketParams, query: s.CandlesQuery, status: 200, response: s.CandleList, errors: [404],
    async handler({ context, params, query }) {
      await requireMarket(context.db, params.slug);
      if (!query.indicators) return { candles: await candles(context.db, params.slug, query.interval, query.limit ?? 300) };
      return candlesWithIndicators(context.db, params.slug, query.interval, query.limit ?? 300, query.indicators);
    },
  }),
  route({
    method: "GET", path: `${P}/markets/:slug/stats`, operationId: "getMarketStats",
    summary: "The market over 24 hours, 7 and 30 days: open, close, high, low, volume-weighted average, change, volume, trades",
    auth: "none", params: s.MarketParams, status: 200, response: s.MarketStats, errors: [404],
    async handler({ context, params }) {
      await requireMarket(context.db, params.slug);
      return { market: params.slug, windows: await marketStats(context.db, params.slug) };
    },
  }),
  route({
    method: "GET", path: `${P}/markets/:slug/stream`, operationId: "streamMarket",
    summary: "Server-sent events: a snapshot, then coalesced updates (book levels, trades, stats) with gap-checkable seq",
    auth: "none", params: s.MarketParams, status: 200, errors: [404, 503],
    async handler({ context, params }) {
      const upstream = await fetchRoom(context.env, params.slug, { headers: { accept: "text/event-stream" } });
      if (!upstream.ok || !upstream.body) throw new ApiError(503, "market_unreachable", "the market stream is not available");
      return new Response(upstream.body, { headers: { "content-type": "text/event-stream", "cache-control": "no-store" } });
    },
  }),
  route({
    method: "POST", path: `${P}/markets/:slug/orders`, operationId: "placeOrder",
    summary: "Place an order; idempotent by clientOrderId (a retry returns the first answer)",
    auth: "bearer", params: s.MarketParams, body: s.PlaceOrder, status: 200, response: s.OrderAnswer, errors: [403, 404, 409, 429, 503],
    async handler({ context, params, body, session }) {
      return throwIfRejected(await sendCommand(context.env, params.slug, session.player.id, { type: "place", ...body }, context.trace));
    },
  }),
  route({
    method: "DELETE", path: `${P}/markets/:slug/orders/:id`, operationId: "cancelOrder", summary: "Cancel one of my open orders",
    auth: "bearer", params: s.OrderParams, status: 200, response: s.OrderAnswer, errors: [403, 404, 503],
    async handler({ context, params, session }) {
      return throwIfRejected(await sendCommand(context.env, params.slug, session.player.id, { type: "cancel", orderId: params.id }, context.trace));
    },
  }),
  route({
    method: "POST", path: `${P}/markets/:slug/orders/:id/amend`, operationId: "amendOrder",
    summary: "Amend price and/or open quantity (a reduction keeps priority; a price change or an increase loses it)",
    auth: "bearer", params: s.OrderParams, body: s.AmendOrder, status: 200, response: s.OrderAnswer, errors: [403, 404, 409, 429, 503],
    async handler({ context, params, body, session }) {
      return throwIfRejected(await sendCommand(context.env, params.slug, session.player.id, { type: "amend", orderId: params.id, ...body }, context.trace));
    },
  }),
  route({
    method: "POST", path: `${P}/markets/:slug/cancel-all`, operationId: "cancelAllOrders", summary: "Cancel all my open orders in this market",
    auth: "bearer", params: s.MarketParams, status: 200, response: s.OrderAnswer, errors: [404, 503],
    async handler({ context, params, session }) {
      return throwIfRejected(await sendCommand(context.env, params.slug, session.player.id, { type: "cancelAll" }, context.trace));
    },
  }),
  route({
    method: "POST", path: `${P}/markets/:slug/connect-token`, operationId: "createConnectToken",
    summary: "A one-hour token to open a trading WebSocket to the market's room (wss://host/parties/main/<slug>?token=)",
    auth: "bearer", params: s.MarketParams, status: 201, response: s.ConnectToken, errors: [404],
    async handler({ context, params, session }) {
      await requireMarket(context.db, params.slug);
      return { token: await connectToken(context.env, session.player.id), host: context.env.PARTY_HOST ?? "", room: params.slug, expiresInSeconds: 3600 };
    },
  }),
  route({
    method: "GET", path: `${P}/orders`, operationId: "listMyOrders", summary: "My open orders or order history, in one market or all",
    auth: "bearer", query: s.MyOrdersQuery, status: 200, response: s.MyOrders,
    async handler({ context, query, session }) {
      return { orders: await myOrders(context.db, { playerId: session.player.id, status: query.status, market: query.market, limit: query.limit }) };
    },
  }),
  route({
    method: "GET", path: `${P}/fills`, operationId: "listMyFills",
    summary: "My fills (as maker or taker) with my side and fee, newest first; filters (market, side, from, to) and paging by cursor",
    auth: "bearer", query: s.MyFillsQuery, status: 200, response: s.MyFills,
    async handler({ context, query, session }) {
      const page = await myFillsPage(context.db, {
        playerId: session.player.id, market: query.market, side: query.side, limit: query.limit ?? 100,
        from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined,
        before: query.cursor ? Number(query.cursor) : undefined,
      });
      // The row id is the cursor's business: the fill is named by market and seq.
      return { fills: page.fills.map(({ id: _id, ...f }) => f), nextCursor: page.nextCursor };
    },
  }),
];
