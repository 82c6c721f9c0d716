/**
 * GET /trades.csv: my trade history as CSV, with the same filters as the page (market, side, from,
 * to, tz); newest first, at most EXPORT_MAX_ROWS fills (read in keyset pages).
 */
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { listMarkets, myFillsPage, type MyFill } from "../../db/market/read";
import { requireWebSession } from "../../edge/auth/web.server";
import { filterInstants, readTradeFilters, tradesCsv, tradesFilename } from "~/utils/trades";

export const EXPORT_MAX_ROWS = 10_000;
const PAGE = 500;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const markets = await listMarkets(context.db);
  const filters = readTradeFilters(new URL(request.url).searchParams, new Set(markets.map((m) => m.slug)));
  const query = { playerId: session.player.id, market: filters.market, side: filters.side, ...filterInstants(filters) };
  const fills: MyFill[] = [];
  let before: number | undefined;
  let truncated = false;
  for (;;) {
    const page = await myFillsPage(context.db, { ...query, before, limit: PAGE });
    fills.push(...page.fills);
    if (!page.nextCursor) break;
    if (fills.length >= EXPORT_MAX_ROWS) {
      truncated = true;
      break;
    }
    before = Number(page.nextCursor);
  }
  const names = Object.fromEntries(markets.map((m) => [m.slug, { name: m.name }]));
  return new Response(tradesCsv(fills.slice(0, EXPORT_MAX_ROWS), names), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${tradesFilename(filters, new Date())}"`,
      "Cache-Control": "private, no-store",
      "X-Trades-Rows": String(Math.min(fills.length, EXPORT_MAX_ROWS)),
      ...(truncated ? { "X-Trades-Truncated": "true" } : {}),
    },
  });
}
