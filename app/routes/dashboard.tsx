/**
 * /dashboard, "My dashboard": a trader's own panels (holdings value, profit and loss, open orders,
 * watched markets, a chosen market's chart, order book and recent trades, my place on the
 * leaderboard). On a tablet or wider the player drags them by the title and resizes them by the
 * corner (react-grid-layout, loaded lazily on wide screens only); each change is saved on the
 * server (player_dashboards) and comes back on any device, as does the chosen market. On a phone
 * the same panels stack in the layout's order (top to bottom, then left to right).
 *
 * Live: the chosen market's room feeds the chart, book and tape through the market page's socket
 * hook (useMarketFeed, as a watcher); the other watched markets' prices come from useLiveStats. My
 * orders, profit and the leaderboard are read again after a trade in the chosen market where I
 * have an open order, and every 30 seconds while the page is in view.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData, useFetcher, useLoaderData, useRevalidator, useSubmit } from "@remix-run/react";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { holdingsValue, loadDashboardLayout, loadDashboardMarket, marketChoices, myBoardScores, saveDashboardLayout, saveDashboardMarket, watchedMarkets } from "../../db/dashboard";
import { candles, committedBook, getMarket, myOrders, recentTrades } from "../../db/market/read";
import { listAlerts, unreadCount } from "../../db/alerts/read";
import { readEconomyFigures } from "../../db/economy/figures";
import { rankOf, topOf } from "../../edge/leaderboards/boards.server";
import { createRedis } from "../../edge/redis.server";
import { chartPrefsFor, chartSettingsHtml } from "../../edge/web/chart-settings.server";
import { ConnectionPill } from "~/components/ConnectionPill";
import { useMarketFeed } from "~/components/market/useMarketFeed";
import { verifySessionCsrf } from "../../edge/auth/csrf.server";
import { requireWebSession } from "../../edge/auth/web.server";
import { flagOn } from "../../edge/flags/flags.server";
import { readForm } from "../../edge/forms.server";
import { readWatchlist } from "../../edge/web/prefs.server";
import { PanelFrame, type PanelData } from "~/components/dashboard/Panels";
import type { FeedState } from "~/components/market/useMarketFeed";
import { useOffline } from "~/components/Offline";
import { useLiveStats } from "~/components/useLiveStats";
import { useRootData } from "~/utils/root-data";
import { LayoutInput } from "~/utils/dashboard/layout-input.server";
import { addPanel, DEFAULT_LAYOUT, PANELS, removePanel, shown, stackOrder, withRemoved, type PanelId, type PanelPlace } from "~/utils/dashboard/layout";
import { AddPanel } from "~/components/dashboard/AddPanel";

/** The dashboard is rolled out by the "traders-dashboard" feature flag (ADR 026): off is a 404 saying so. */
async function requireDashboard(context: LoaderFunctionArgs["context"], player: { id: string; roles: string[] }) {
  if (!(await flagOn(context, player, "traders-dashboard"))) {
    throw data("My dashboard is not open to your account yet: it is being rolled out to players a few at a time.", { status: 404 });
  }
}

const Grid = lazy(() => import("~/components/dashboard/Grid"));

export const meta: MetaFunction = () => [{ title: "My dashboard · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  await requireDashboard(context, session.player);
  const playerId = session.player.id;
  const [layout, holdings, orders, pnl, watched, chosen, choices] = await Promise.all([
    loadDashboardLayout(context.db, playerId),
    holdingsValue(context.db, playerId),
    myOrders(context.db, { playerId, status: "open", limit: 50 }),
    myBoardScores(context.db, playerId),
    watchedMarkets(context.db, playerId, readWatchlist(request) ?? []),
    loadDashboardMarket(context.db, playerId),
    marketChoices(context.db),
  ]);
  // The chart, book and tape show the market the player chose, else one they have an order in,
  // else the first they watch that has traded, else the first they watch, else the first market.
  const slug = chosen ?? orders[0]?.market ?? watched.find((m) => m.last !== null)?.slug ?? watched[0]?.slug ?? choices[0]?.slug ?? null;
  const boards = { redis: createRedis(context.env), db: context.db };
  const [market, series, levels, trades, prefs, leaderboard, alerts, economy] = await Promise.all([
    slug ? getMarket(context.db, slug) : undefined,
    slug ? candles(context.db, slug, "5m", 120) : [],
    slug ? committedBook(context.db, slug, 10) : { bids: [], asks: [] },
    slug ? recentTrades(context.db, slug, 30) : [],
    chartPrefsFor(request, context, session),
    // The boards as others see them (players who hid themselves left out), and my place.
    Promise.all([topOf(boards, "profit", "all", 5), rankOf(boards, playerId, "profit", "all")])
      .then(([top, me]) => ({ top: top.entries, me: { rank: me.rank, score: me.score, players: me.players, hidden: me.hidden } }))
      .catch((error: unknown) => {
        console.error(JSON.stringify({ msg: "dashboard: leaderboards unreadable", error: String(error).slice(0, 300) }));
        return null;
      }),
    // My latest alerts (the notification center) and the economy's health over the last 24 hours.
    Promise.all([listAlerts(context.db, { playerId, limit: 5 }), unreadCount(context.db, playerId)]).then(([page, unread]) => ({
      unread,
      latest: page.alerts.map((a) => ({ id: a.id, title: a.title, body: a.body, url: a.url, icon: a.icon, createdAt: a.createdAt, unread: a.readAt === null })),
    })),
    readEconomyFigures(context.db, "24h").then((f) => ({
      moneySupply: f.moneySupply,
      tradedValue: f.tradedValue,
      velocity: f.velocity,
      index: f.priceIndex.points.at(-1)?.index ?? null,
      inflation: f.priceIndex.points.length > 1 ? f.priceIndex.inflation : null,
    })),
  ]);
  const panels: Omit<PanelData, "feed"> = {
    holdings,
    orders: orders.map((o) => ({ id: o.id, market: o.market, side: o.side, price: o.price, remaining: o.remaining })),
    pnl,
    watched,
    names: Object.fromEntries([...choices.map((m) => [m.slug, m.name]), ...watched.map((m) => [m.slug, m.name])]),
    market: market
      ? { slug: market.slug, name: market.name, icon: market.icon, candles: series, prefs, form: { html: chartSettingsHtml(prefs, session.csrfToken ?? "", "/dashboard"), csrf: session.csrfToken ?? "", back: "/dashboard" } }
      : null,
    leaderboard,
    alerts,
    economy,
    me: playerId,
  };
  /** seq -1: the database's book; the room's snapshot replaces it once the socket is live. */
  const book = { seq: -1, bids: levels.bids, asks: levels.asks, trades, stats: null };
  return { layout, panels, book, choices, csrf: session.csrfToken ?? "" };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  await requireDashboard(context, session.player);
  const form = await readForm(request);
  const refused = verifySessionCsrf(request, form, session);
  if (refused) return data({ ok: false as const, error: refused.message }, { status: refused.status });
  const intent = form.get("intent");
  if (intent === "remove" || intent === "add") {
    // Remove a panel (kept in the saved layout, marked off) or show it again below the others.
    const panel = String(form.get("panel") ?? "");
    if (!(PANELS as readonly string[]).includes(panel)) return data({ ok: false as const, error: `panel: there is no panel ${panel.slice(0, 32)}; one of ${PANELS.join(", ")}` }, { status: 400 });
    const layout = await loadDashboardLayout(context.db, session.player.id);
    const next = intent === "remove" ? removePanel(layout, panel as PanelId) : addPanel(layout, panel as PanelId);
    if (next !== layout) await saveDashboardLayout(context.db, session.player.id, next);
    return { ok: true as const, panel, shown: intent === "add" };
  }
  if (intent === "market") {
    const slug = String(form.get("market") ?? "");
    if (!(await saveDashboardMarket(context.db, session.player.id, slug, DEFAULT_LAYOUT))) return data({ ok: false as const, error: `market: there is no market ${slug.slice(0, 64)}` }, { status: 400 });
    return { ok: true as const, market: slug };
  }
  let sent: unknown;
  try {
    sent = JSON.parse(String(form.get("layout") ?? ""));
  } catch {
    return data({ ok: false as const, error: "layout: not JSON" }, { status: 400 });
  }
  const layout = LayoutInput.safeParse(sent);
  if (!layout.success) {
    const issue = layout.error.issues[0]!;
    return data({ ok: false as const, error: `layout${issue.path.length ? `[${issue.path.join("].")}` : ""}: ${issue.message}` }, { status: 400 });
  }
  await saveDashboardLayout(context.db, session.player.id, layout.data);
  return { ok: true as const };
}

/**
 * The panels with live prices: the chosen market's feed (the chart, book and tape, and its price
 * among the watched markets and holdings) and the market rooms' ticks for the other markets (one
 * watcher socket per market, as the home watchlist).
 */
function useLivePanels(loaded: Omit<PanelData, "feed">, feed: FeedState): PanelData {
  const root = useRootData();
  const offline = useOffline();
  const focus = loaded.market?.slug;
  const slugs = [...new Set([...loaded.watched.map((m) => m.slug), ...loaded.holdings.stacks.flatMap((s) => (s.slug ? [s.slug] : []))])].filter((s) => s !== focus).slice(0, 12);
  const others = useLiveStats(root?.ENV.PARTY_HOST, offline ? [] : slugs);
  const live = new Map(others);
  if (focus && feed.stats) live.set(focus, feed.stats);
  const withFeed = { ...loaded, feed: loaded.market ? feed : null };
  if (live.size === 0) return withFeed;
  const stacks = loaded.holdings.stacks.map((s) => {
    const last = (s.slug ? live.get(s.slug)?.last : undefined) ?? s.last;
    return { ...s, last, value: last === null ? 0 : s.quantity * last };
  });
  return {
    ...withFeed,
    holdings: { ...loaded.holdings, stacks, total: loaded.holdings.copper + stacks.reduce((sum, s) => sum + s.value, 0) },
    watched: loaded.watched.map((m) => {
      const l = live.get(m.slug);
      return l ? { ...m, last: l.last ?? m.last, open24h: l.open24h } : m;
    }),
  };
}

/**
 * My orders, profit and the leaderboard read again: soon after a trade in the chosen market while I
 * have an open order there (it may be mine), and every 30 seconds while the page is in view.
 */
function useRefresh(feed: FeedState, mineThere: boolean) {
  const revalidator = useRevalidator();
  const latest = useRef(revalidator);
  latest.current = revalidator;
  const lastSeq = useRef<number | null>(null);
  const newest = feed.trades[0]?.seq ?? null;
  useEffect(() => {
    const seen = lastSeq.current;
    lastSeq.current = newest;
    if (seen === null || newest === null || newest === seen || !mineThere) return;
    const timer = setTimeout(() => latest.current.state === "idle" && latest.current.revalidate(), 400);
    return () => clearTimeout(timer);
  }, [newest, mineThere]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && latest.current.state === "idle") latest.current.revalidate();
    }, 30_000);
    return () => clearInterval(timer);
  }, []);
}

/** Wide enough for the grid (a tablet or more); the phone gets the stacked panels. */
function useWide(): boolean {
  const [wide, setWide] = useState(false);
  useEffect(() => {
    const query = window.matchMedia("(min-width: 700px)");
    const update = () => setWide(query.matches);
    update();
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, []);
  return wide;
}

export default function Dashboard() {
  const { panels } = useLoaderData<typeof loader>();
  // A new market: a new feed (its own socket and book), the rest as it was.
  return <DashboardView key={panels.market?.slug ?? "none"} />;
}

function DashboardView() {
  const { layout, panels: loaded, book, choices, csrf } = useLoaderData<typeof loader>();
  const wide = useWide();
  const root = useRootData();
  const offline = useOffline();
  const feed = useMarketFeed({ slug: loaded.market?.slug ?? "", host: loaded.market ? (root?.ENV.PARTY_HOST ?? null) : null, relays: root?.ENV.MARKET_RELAYS ?? 0, initial: book, paused: offline });
  const panels = useLivePanels(loaded, feed);
  useRefresh(feed, loaded.orders.some((o) => o.market === loaded.market?.slug));
  const fetcher = useFetcher<typeof action>();
  const submit = useSubmit();
  // A plain form post (no JavaScript, or a tool) gets its answer on the page.
  const posted = useActionData<typeof action>();
  const answer = fetcher.data ?? posted;
  // The grid knows the panels shown; the removed ones go back with every save, as they were.
  const save = (next: PanelPlace[]) => fetcher.submit({ csrf, layout: JSON.stringify(withRemoved(next, layout)) }, { method: "post" });
  const visible = shown(layout);
  const stacked = (
    <div className="dashboard-stack">
      {stackOrder(layout).map((id) => (
        <PanelFrame key={id} id={id} data={panels} handle={false} csrf={csrf} />
      ))}
    </div>
  );
  const status = fetcher.state !== "idle" ? "Saving layout…" : answer ? (answer.ok ? ("market" in answer || "panel" in answer ? "" : "Layout saved") : `Not saved: ${answer.error}`) : "";
  return (
    <>
      <div className="page-head">
        <h1>My dashboard</h1>
        <span className="muted small-text" role="status" data-testid="layout-status">
          {status || (wide ? "Drag a panel by its title; resize it by its corner." : "")}
        </span>
      </div>
      {loaded.market ? (
        <Form method="post" className="dashboard-market" onChange={(e) => submit(e.currentTarget, { preventScrollReset: true })}>
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="intent" value="market" />
          <label htmlFor="dashboard-market">Chart, book and tape of</label>
          <select id="dashboard-market" name="market" defaultValue={loaded.market.slug}>
            {choices.map((m) => (
              <option key={m.slug} value={m.slug}>
                {m.name}
              </option>
            ))}
          </select>
          <noscript>
            <button type="submit">Show</button>
          </noscript>
          <ConnectionPill state={offline ? "offline" : feed.connection} />
        </Form>
      ) : null}
      {wide ? (
        <Suspense fallback={stacked}>
          {/* A panel added or removed: a new grid with the panels shown. */}
          <Grid key={visible.map((p) => p.i).join(",")} layout={visible} data={panels} onSave={save} csrf={csrf} />
        </Suspense>
      ) : (
        stacked
      )}
      <AddPanel removed={layout.filter((p) => p.off).map((p) => p.i)} csrf={csrf} />
    </>
  );
}
