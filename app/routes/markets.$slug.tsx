import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useRevalidator, useSearchParams } from "@remix-run/react";
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { getInventory } from "../../db/inventory";
import { activePriceAlertCount } from "../../db/alerts/price-alerts";
import { INTERVALS, type Interval } from "../../db/market/intervals";
import { committedBook, getMarket, myOrders, recentTrades } from "../../db/market/read";
import { getWebSession, requireWebSession } from "../../edge/auth/web.server";
import { readForm, field } from "../../edge/forms.server";
import { connectToken } from "../../edge/market/room.server";
import { marketAction, type TicketResult } from "../../edge/web/market.server";
import { readWatchlist, watchCookie } from "../../edge/web/prefs.server";
import { chartPrefsFor, chartSettingsHtml, windowStatsHtml } from "../../edge/web/chart-settings.server";
import { marketStats } from "../../db/market/stats";
import { Change, Price } from "~/components/Change";
import { ConnectionPill } from "~/components/ConnectionPill";
import { DayStats } from "~/components/market/DayStats";
import { DepthLadder } from "~/components/market/DepthLadder";
import { OpenOrders } from "~/components/market/OpenOrders";
import { OrderTicket, type Pending } from "~/components/market/OrderTicket";
import { PriceAlertBox } from "~/components/market/PriceAlertBox";
import { ChartTabs } from "~/components/market/ChartTabs";
import { PriceChart } from "~/components/market/PriceChart";
import { TradeTape } from "~/components/market/TradeTape";
import { sortedLevels, useMarketFeed, type PrivateMessage } from "~/components/market/useMarketFeed";
import { useOffline } from "~/components/Offline";
import { StatusError } from "~/components/StatusError";
import { formatCount, formatGold } from "~/utils/money";
import { useRootData } from "~/utils/root-data";

/** The depth chart is drawn only when its tab is chosen: its code loads then, not with the page. */
const DepthChart = lazy(() => import("~/components/market/DepthChart").then((m) => ({ default: m.DepthChart })));

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: d ? `${d.market.name} market · Bazaar` : "Market · Bazaar" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const slug = params.slug ?? "";
  const market = await getMarket(context.db, slug);
  if (!market) throw data("No such market.", { status: 404 });
  const url = new URL(request.url);
  const asked = url.searchParams.get("interval");
  const interval: Interval = (INTERVALS as readonly string[]).includes(asked ?? "") ? (asked as Interval) : "5m";
  const session = await getWebSession(request, context);
  // Everything here comes from the database: the first paint never waits for the room. The book is
  // the last committed one; the room's live snapshot (useMarketFeed's socket) replaces it at once,
  // and when the room is down the page still renders it, with the pill saying "Connecting".
  // The candles are not here: the chart fetches them when it starts (markets.$slug_.candles.ts).
  const [levels, trades, inventory, orders, token, priceAlerts, chart, windows] = await Promise.all([
    committedBook(context.db, slug, 20),
    recentTrades(context.db, slug, 30),
    session ? getInventory(context.db, session.player.id) : undefined,
    session ? myOrders(context.db, { playerId: session.player.id, status: "open", market: slug, limit: 50 }) : [],
    session ? connectToken(context.env, session.player.id) : undefined,
    session ? activePriceAlertCount(context.db, session.player.id, slug) : 0,
    chartPrefsFor(request, context, session),
    marketStats(context.db, slug),
  ]);
  const watch = readWatchlist(request) ?? [];
  const back = url.pathname + url.search;
  return {
    market,
    interval,
    chart,
    statsHtml: windowStatsHtml(windows),
    chartForm: { html: chartSettingsHtml(chart, session?.csrfToken ?? "", back), csrf: session?.csrfToken ?? "", back },
    /** seq -1: not the room's; the feed takes the room's snapshot over it when the socket is live. */
    book: { seq: -1, bids: levels.bids, asks: levels.asks, trades, stats: null },
    watched: watch.includes(slug),
    me: session
      ? {
          csrf: session.csrfToken ?? "",
          token: token!,
          gold: inventory!.balance.available,
          items: inventory!.stacks.find((s) => s.slug === slug)?.available ?? 0,
          orders: orders.map((o) => ({ id: o.id, side: o.side, kind: o.kind, price: o.price, quantity: o.quantity, remaining: o.remaining, filled: o.filled })),
          clientOrderId: `f${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`,
          priceAlerts,
        }
      : null,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const slug = params.slug ?? "";
  const market = await getMarket(context.db, slug);
  if (!market) throw data("No such market.", { status: 404 });
  const form = await readForm(request);
  if (field(form, "intent") === "watch" || field(form, "intent") === "unwatch") {
    const current = readWatchlist(request) ?? [];
    const next = field(form, "intent") === "watch" ? [slug, ...current.filter((s) => s !== slug)] : current.filter((s) => s !== slug);
    return data<TicketResult>({ intent: "watch", answer: { ok: true, reason: "OK", message: "" } }, { headers: { "Set-Cookie": watchCookie(request, next) } });
  }
  const session = await requireWebSession(request, context);
  return marketAction(request, context, session, market, form);
}

type Toast = { id: number; ok: boolean; text: string };

export default function Market() {
  const { market, interval, book, me, watched, chart: savedChart, chartForm, statsHtml } = useLoaderData<typeof loader>();
  const [chart, setChart] = useState(savedChart);
  const actionData = useActionData<typeof action>();
  const root = useRootData();
  const offline = useOffline();
  const revalidator = useRevalidator();
  const [params] = useSearchParams();
  const [pending, setPending] = useState<Pending | null>(null);
  const [picked, setPicked] = useState<{ price: number; side?: "buy" | "sell"; n: number } | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const toastId = useRef(0);
  const revalidateSoon = useRef<ReturnType<typeof setTimeout>>();

  const toast = useCallback((ok: boolean, text: string) => {
    const t = { id: ++toastId.current, ok, text };
    setToasts((all) => [...all.slice(-2), t]);
    setTimeout(() => setToasts((all) => all.filter((x) => x.id !== t.id)), 6_000);
  }, []);
  const refresh = useCallback(() => {
    clearTimeout(revalidateSoon.current);
    revalidateSoon.current = setTimeout(() => revalidator.revalidate(), 120);
  }, [revalidator]);

  // Connection tokens last an hour: the first comes with the page, reconnects ask for a fresh one.
  const firstToken = useRef(me?.token);
  const getToken = useMemo(
    () =>
      me
        ? async () => {
            if (firstToken.current) {
              const t = firstToken.current;
              firstToken.current = undefined;
              return t;
            }
            const r = await fetch(`/markets/${market.slug}/token`, { headers: { accept: "application/json" } });
            return r.ok ? ((await r.json()) as { token: string }).token : undefined;
          }
        : undefined,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [Boolean(me), market.slug],
  );

  const onPrivate = useCallback(
    (m: PrivateMessage) => {
      if (m.type === "fill") {
        const f = m.fill;
        toast(true, `Trade: ${formatCount(f.quantity)} ${market.name} at ${formatGold(f.price)} gold`);
      }
      refresh();
    },
    [market.name, refresh, toast],
  );

  const feed = useMarketFeed({ slug: market.slug, host: root?.ENV.PARTY_HOST ?? null, getToken, relays: root?.ENV.MARKET_RELAYS ?? 0, initial: book, onPrivate, paused: offline });
  const { bids, asks } = sortedLevels(feed, 10);
  const stats = feed.stats;
  const last = stats?.last ?? market.last;
  const open24 = stats ? stats.open24h : market.open24h;
  const change = last !== null && open24 !== null ? last - open24 : null;
  const defaultPrice = asks[0]?.[0] ?? bids[0]?.[0] ?? last ?? market.tickSize * 100;
  const connection = offline ? "offline" : feed.connection;
  const day = { high: stats?.high ?? market.high24h, low: stats?.low ?? market.low24h, volume: stats?.volume ?? market.volume24h, tickSize: market.tickSize, lotSize: market.lotSize };

  useEffect(() => () => clearTimeout(revalidateSoon.current), []);

  const ticketResult =
    actionData?.answer && actionData.intent === "place"
      ? { ok: actionData.answer.ok, message: actionData.answer.message }
      : actionData?.formError && ["review", "place"].includes(actionData.intent)
        ? { ok: false, message: actionData.formError }
        : undefined;
  const review = actionData?.review;

  return (
    <div className="market">
      <header className="market-head">
        <span className="icon lg" aria-hidden="true">
          {market.icon}
        </span>
        <div className="grow">
          <h1>{market.name}</h1>
          {last === null ? (
            <p className="muted">No trades yet</p>
          ) : (
            <p className="price-line">
              <Price copper={last} className="big" /> <span className="muted">gold</span> <Change change={change} open={open24} />
            </p>
          )}
        </div>
        <div className="head-end">
          <ConnectionPill state={connection} />
          <Form method="post" className="inline" replace preventScrollReset>
            <button type="submit" name="intent" value={watched ? "unwatch" : "watch"} className="icon-button star" aria-pressed={watched} aria-label={watched ? "Remove from watchlist" : "Add to watchlist"}>
              <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                <path
                  d="M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z"
                  fill={watched ? "currentColor" : "none"}
                  stroke="currentColor"
                  strokeWidth="1.6"
                  strokeLinejoin="round"
                />
              </svg>
            </button>
          </Form>
        </div>
      </header>
      <DayStats where="top" {...day} />

      <div className="market-grid">
        {/* In the phone's visual order (ticket, book, chart, stats, orders, trades): a page painted
            before it is all parsed shows each panel where it stays. From 60rem the grid's areas place them. */}
        <section className="panel ticket-panel" aria-labelledby="ticket-h">
          <div className="panel-head">
            <h2 id="ticket-h">Trade</h2>
            {me ? (
              <span className="muted small-text">
                {formatGold(me.gold)} gold · {formatCount(me.items)} held
              </span>
            ) : null}
          </div>
          {me ? (
            <OrderTicket
              market={market}
              csrf={me.csrf}
              clientOrderId={me.clientOrderId}
              available={{ gold: me.gold, items: me.items }}
              defaultPrice={defaultPrice}
              best={{ bid: bids[0]?.[0], ask: asks[0]?.[0] }}
              picked={picked}
              connection={feed.connection}
              offline={offline}
              command={feed.command}
              review={review}
              serverResult={ticketResult}
              onPending={setPending}
              onAnswer={(r) => {
                toast(r.ok, r.message);
                refresh();
              }}
            />
          ) : (
            <div className="signin-cta">
              <p>Sign in to trade {market.name}.</p>
              <Link to={`/signin?redirectTo=/markets/${market.slug}`} className="button primary">
                Sign in
              </Link>
            </div>
          )}
        </section>

        <section className="panel book-panel" aria-labelledby="book-h">
          <div className="panel-head">
            <h2 id="book-h">Order book</h2>
          </div>
          <DepthLadder bids={bids} asks={asks} onPick={me ? (price, side) => setPicked({ price, side, n: Date.now() }) : undefined} />
        </section>

        <section className="panel chart-panel" aria-labelledby="chart-h">
          <div className="panel-head">
            <h2 id="chart-h">Chart</h2>
            <nav className="segmented small intervals" aria-label="Candle interval">
              {INTERVALS.map((i) => {
                const next = new URLSearchParams(params);
                next.set("interval", i);
                return (
                  <Link key={i} to={`?${next}`} replace preventScrollReset className={`seg ${i === interval ? "on" : ""}`} aria-current={i === interval ? "true" : undefined}>
                    {i}
                  </Link>
                );
              })}
            </nav>
          </div>
          <ChartTabs price={<PriceChart key={interval} candles={`/markets/${market.slug}/candles?interval=${interval}`} interval={interval} trades={feed.trades} prefs={chart} onPrefs={setChart} form={chartForm} />} depth={() => (
              <Suspense fallback={<p className="chart-note muted">Loading depth…</p>}>
                <DepthChart book={feed} />
              </Suspense>
            )} />
        </section>

        <section className="panel stats-panel" aria-labelledby="stats-h">
          <div className="panel-head">
            <h2 id="stats-h">Price history</h2>
          </div>
          <div dangerouslySetInnerHTML={{ __html: statsHtml }} />
        </section>

        {me ? (
          <section className="panel orders-panel" aria-labelledby="orders-h">
            <div className="panel-head">
              <h2 id="orders-h">My open orders</h2>
              <Link to="/orders">History</Link>
            </div>
            <OpenOrders orders={me.orders} pending={pending} csrf={me.csrf} offline={offline} />
          </section>
        ) : null}

        <section className="panel trades-panel" aria-labelledby="trades-h">
          <div className="panel-head">
            <h2 id="trades-h">Recent trades</h2>
          </div>
          <TradeTape trades={feed.trades} />
        </section>
      </div>

      {me ? <PriceAlertBox slug={market.slug} name={market.name} csrf={me.csrf} price={last === null ? "" : `${Math.floor(last / 100)}.${String(last % 100).padStart(2, "0")}`} active={me.priceAlerts} /> : null}

      <DayStats where="end" {...day} />

      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <p key={t.id} className={`toast ${t.ok ? "ok" : "bad"}`} role={t.ok ? "status" : "alert"}>
            {t.text}
          </p>
        ))}
      </div>
    </div>
  );
}

export const ErrorBoundary = StatusError;
