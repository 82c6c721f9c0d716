/**
 * The dashboard's panels (app/routes/dashboard.tsx): what each one shows, the same on the phone and
 * in the grid. The chart, book and tape are the market page's own components, fed by its socket hook
 * (useMarketFeed) for the market the player chose.
 */
import { Form, Link } from "@remix-run/react";
import type { ChartPrefs } from "~/utils/indicators/prefs";
import { DepthLadder } from "~/components/market/DepthLadder";
import { PriceChart, type Candle, type SettingsForm } from "~/components/market/PriceChart";
import { TradeTape } from "~/components/market/TradeTape";
import { sortedLevels, type FeedState } from "~/components/market/useMarketFeed";
import type { PanelId } from "~/utils/dashboard/layout";
import { formatCount, formatGold } from "~/utils/money";

export interface LeaderboardPanel {
  top: Array<{ rank: number; playerId: string; username: string; bot: boolean; score: number }>;
  me: { rank: number | null; score: number | null; players: number; hidden: boolean };
}

export interface PanelData {
  holdings: { copper: number; total: number; stacks: Array<{ slug: string | null; name: string; icon: string; quantity: number; last: number | null; value: number }> };
  orders: Array<{ id: string; market: string; side: "buy" | "sell"; price: number | null; remaining: number }>;
  pnl: { profit: Record<"day" | "week" | "all", number>; volume: Record<"day" | "week" | "all", number>; asOf: string | null };
  watched: Array<{ slug: string; name: string; icon: string; last: number | null; open24h: number | null }>;
  names: Record<string, string>;
  /** The market the chart, book and tape show (null: there are no markets). */
  market: { slug: string; name: string; icon: string; candles: Candle[]; prefs: ChartPrefs; form: SettingsForm } | null;
  /** Its live book and trades (the room's snapshot and ticks; the database's until the socket is live). */
  feed: FeedState | null;
  /** My place on the all-time profit board and its top 5, as others see it (null: the boards could not be read). */
  leaderboard: LeaderboardPanel | null;
  /** My latest alerts (the notification center) and how many are unread. */
  alerts: { unread: number; latest: Array<{ id: string; title: string; body: string; url: string; icon: string | null; createdAt: string; unread: boolean }> };
  /** The economy's health over the last 24 hours (the economy page's figures). */
  economy: { moneySupply: number; tradedValue: number; velocity: number; index: number | null; inflation: number | null };
  me: string;
}

export const PANEL_TITLES: Record<PanelId, string> = {
  holdings: "Holdings value",
  pnl: "Profit and loss",
  orders: "Open orders",
  watched: "Watched markets",
  chart: "Chart",
  book: "Order book",
  tape: "Recent trades",
  leaderboard: "Leaderboard",
  alerts: "Alerts",
  economy: "Economy today",
};

/** A market panel's title names the market. */
const titleOf = (id: PanelId, data: PanelData) => (["chart", "book", "tape"].includes(id) && data.market ? `${PANEL_TITLES[id]} · ${data.market.name}` : PANEL_TITLES[id]);

const noop = () => {};

const change = (last: number | null, open: number | null) => (last === null || open === null || open === 0 ? "—" : `${last >= open ? "+" : ""}${(((last - open) * 100) / open).toFixed(2)}%`);

export function PanelBody({ id, data }: { id: PanelId; data: PanelData }) {
  switch (id) {
    case "holdings":
      return (
        <>
          <p className="panel-figure num">
            {formatGold(data.holdings.total)} <span className="muted small-text">gold</span>
          </p>
          <p className="muted small-text">
            {formatGold(data.holdings.copper)} gold in coin, the rest in stacks at each market's last price.
          </p>
          <ul className="panel-list">
            {data.holdings.stacks.slice(0, 6).map((s) => (
              <li key={s.name}>
                <span>
                  {s.icon} {s.slug ? <Link to={`/markets/${s.slug}`}>{s.name}</Link> : s.name} × {formatCount(s.quantity)}
                </span>
                <span className="num">{s.last === null ? "—" : formatGold(s.value)}</span>
              </li>
            ))}
          </ul>
        </>
      );
    case "pnl":
      return (
        <>
          <dl className="stats-row compact-3">
            {(["day", "week", "all"] as const).map((w) => (
              <div key={w}>
                <dt>{w === "day" ? "Today" : w === "week" ? "This week" : "All time"}</dt>
                <dd className={`num ${data.pnl.profit[w] < 0 ? "down" : data.pnl.profit[w] > 0 ? "up" : ""}`}>{formatGold(data.pnl.profit[w])}</dd>
              </div>
            ))}
          </dl>
          <p className="muted small-text">
            Realised on market trades (first in, first out, fees included); traded {formatGold(data.pnl.volume.all)} in all. <Link to="/leaderboards">Leaderboards</Link>
          </p>
        </>
      );
    case "orders":
      return data.orders.length === 0 ? (
        <p className="muted">No open orders.</p>
      ) : (
        <ul className="panel-list">
          {data.orders.slice(0, 8).map((o) => (
            <li key={o.id}>
              <span>
                <span className={`side ${o.side}`}>{o.side}</span> <Link to={`/markets/${o.market}`}>{data.names[o.market] ?? o.market}</Link>
              </span>
              <span className="num">
                {formatCount(o.remaining)} @ {o.price === null ? "market" : formatGold(o.price)}
              </span>
            </li>
          ))}
        </ul>
      );
    case "watched":
      return data.watched.length === 0 ? (
        <p className="muted">Markets you hold, trade or set alerts on appear here.</p>
      ) : (
        <ul className="panel-list">
          {data.watched.slice(0, 8).map((m) => (
            <li key={m.slug} data-market={m.slug}>
              <span>
                {m.icon} <Link to={`/markets/${m.slug}`}>{m.name}</Link>
              </span>
              <span className="num">
                <span data-last>{m.last === null ? "—" : formatGold(m.last)}</span> <small className="muted">{change(m.last, m.open24h)}</small>
              </span>
            </li>
          ))}
        </ul>
      );
    case "chart":
      return data.market && data.feed ? (
        <PriceChart candles={data.market.candles} interval="5m" trades={data.feed.trades} prefs={data.market.prefs} onPrefs={noop} form={data.market.form} settings={false} onlyNear={false} />
      ) : (
        <p className="muted">No markets yet.</p>
      );
    case "book": {
      if (!data.market || !data.feed) return <p className="muted">No markets yet.</p>;
      const { bids, asks } = sortedLevels(data.feed, 6);
      return <DepthLadder bids={bids} asks={asks} rows={6} />;
    }
    case "tape":
      return data.market && data.feed ? <TradeTape trades={data.feed.trades} rows={10} /> : <p className="muted">No markets yet.</p>;
    case "alerts":
      return data.alerts.latest.length === 0 ? (
        <p className="muted">
          No alerts yet: fills, offers and price alerts land here. <Link to="/settings#alerts">Alert settings</Link>
        </p>
      ) : (
        <>
          <ul className="panel-list">
            {data.alerts.latest.map((a) => (
              <li key={a.id} className={a.unread ? "unread" : undefined}>
                <span>
                  {a.icon ?? ""} <Link to={a.url}>{a.title}</Link> <small className="muted">{a.body}</small>
                </span>
                <time className="muted small-text" dateTime={a.createdAt}>
                  {a.createdAt.slice(11, 16)}
                </time>
              </li>
            ))}
          </ul>
          <p className="muted small-text">
            {data.alerts.unread > 0 ? `${formatCount(data.alerts.unread)} unread. ` : ""}
            <Link to="/alerts">All alerts</Link>
          </p>
        </>
      );
    case "economy": {
      const e = data.economy;
      return (
        <>
          <dl className="stats-row compact-3">
            <div>
              <dt>Money supply</dt>
              <dd className="num">{formatGold(e.moneySupply)}</dd>
            </div>
            <div>
              <dt>Price index</dt>
              <dd className="num">{e.index === null ? "—" : e.index.toFixed(2)}</dd>
            </div>
            <div>
              <dt>Inflation</dt>
              <dd className={`num ${e.inflation !== null && e.inflation > 0 ? "up" : e.inflation !== null && e.inflation < 0 ? "down" : ""}`}>{e.inflation === null ? "—" : `${e.inflation.toFixed(2)}%`}</dd>
            </div>
          </dl>
          <p className="muted small-text">
            Last 24 hours: {formatGold(e.tradedValue)} traded, velocity {e.velocity.toFixed(4)}. <Link to="/economy?period=24h">Economy</Link>
          </p>
        </>
      );
    }
    case "leaderboard": {
      const lb = data.leaderboard;
      if (!lb) return <p className="muted">The leaderboards cannot be read just now.</p>;
      const me = lb.me;
      return (
        <>
          <p className="num" data-testid="panel-my-rank">
            {me.rank === null ? "Not on the profit board yet." : `You: #${formatCount(me.rank)} of ${formatCount(me.players)} · ${formatGold(me.score ?? 0)}`}
            {me.hidden ? (
              <>
                {" "}
                <span className="tag">Hidden</span> <span className="muted small-text">only you see this</span>
              </>
            ) : null}
          </p>
          <ol className="panel-list">
            {lb.top.map((e) => (
              <li key={e.playerId} className={e.playerId === data.me ? "mine" : undefined}>
                <span>
                  #{e.rank} {e.username}
                  {e.bot ? <span className="muted small-text"> · NPC</span> : null}
                </span>
                <span className="num">{formatGold(e.score)}</span>
              </li>
            ))}
          </ol>
          <p className="muted small-text">
            Realised profit, all time. <Link to="/leaderboards">All boards</Link>
          </p>
        </>
      );
    }
  }
}

/** A panel's frame: the title is the drag handle in the grid; the cross beside it removes the panel. */
export function PanelFrame({ id, data, handle, csrf }: { id: PanelId; data: PanelData; handle: boolean; csrf: string }) {
  return (
    <section className="card panel" aria-labelledby={`panel-${id}`} data-panel={id}>
      <div className="panel-head dash-head">
        <h2 id={`panel-${id}`} className={handle ? "panel-handle" : undefined} title={handle ? "Drag to move; drag the corner to resize" : undefined}>
          {titleOf(id, data)}
        </h2>
        <Form method="post" action="/dashboard" className="panel-remove" preventScrollReset>
          <input type="hidden" name="csrf" value={csrf} />
          <input type="hidden" name="intent" value="remove" />
          <input type="hidden" name="panel" value={id} />
          <button type="submit" className="icon-button" aria-label={`Remove ${PANEL_TITLES[id]}`} title={`Remove ${PANEL_TITLES[id]}`}>
            ×
          </button>
        </Form>
      </div>
      <div className="panel-body">
        <PanelBody id={id} data={data} />
      </div>
    </section>
  );
}
