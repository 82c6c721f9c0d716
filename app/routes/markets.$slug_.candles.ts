/**
 * GET ?interval=1m|5m|1h|1d: the market's last 200 candles of that interval, oldest first. The
 * market page's chart asks for them when it starts (PriceChart), so they are not in the page's
 * HTML: a phone player who never scrolls to the chart never downloads them (ADR 053).
 */
import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { INTERVALS, type Interval } from "../../db/market/intervals";
import { candles, getMarket } from "../../db/market/read";

const CANDLES_PER_CHART = 200;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const slug = params.slug ?? "";
  const interval = new URL(request.url).searchParams.get("interval") ?? "5m";
  // A resource route answers its errors itself: a thrown data() keeps its status but its body becomes "Unexpected Server Error".
  if (!(INTERVALS as readonly string[]).includes(interval)) return Response.json({ error: `interval must be one of ${INTERVALS.join(", ")}` }, { status: 400 });
  if (!(await getMarket(context.db, slug))) return Response.json({ error: `no market ${slug}` }, { status: 404 });
  const series = await candles(context.db, slug, interval as Interval, CANDLES_PER_CHART);
  // Public market data; the page's live trades move the last candle from here on.
  return Response.json(series, { headers: { "Cache-Control": "no-store" } });
}
