/**
 * /economy, "Economy": the economy's health for everyone (money supply, faucets and sinks, price
 * index and inflation, inequality, velocity, volumes and movers) per period, read from the feed's
 * projections (db/economy, ADR 023). Operators (policy: economy:read-detail) also see every source
 * by name, the price index's basket and the supply of each item.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { readEconomyFigures } from "../../db/economy/figures";
import { PERIODS, readEconomyFlows, type Period } from "../../db/economy/read";
import { listMarkets } from "../../db/market/read";
import { getWebSession } from "../../edge/auth/web.server";
import { can } from "../../edge/policy/policy";
import { formatCount, formatGold } from "~/utils/money";

export const meta: MetaFunction = () => [{ title: "Economy · Bazaar" }];

const PERIOD_NAMES: Record<Period, string> = { "24h": "24 h", "7d": "7 d", "30d": "30 d", all: "All" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const asked = new URL(request.url).searchParams.get("period") ?? "7d";
  const period: Period = asked in PERIODS ? (asked as Period) : "7d";
  const session = await getWebSession(request, context);
  const detail = can(session?.player, "economy:read-detail");
  const [flows, figures, markets] = await Promise.all([readEconomyFlows(context.db, period), readEconomyFigures(context.db, period), listMarkets(context.db)]);
  const names = Object.fromEntries(markets.map((m) => [m.itemTypeId, `${m.icon} ${m.name}`]));
  // Players see sources grouped by kind; operators see each one by name.
  const kind = (s: string) => (s.startsWith("server:") ? "game servers" : s.startsWith("fees:") ? "market fees" : s);
  const grouped = new Map<string, { source: string; minted: number; burned: number; sunk: number }>();
  for (const s of flows.sources.filter((x) => x.asset === 0)) {
    const key = detail ? s.source : kind(s.source);
    const g = grouped.get(key) ?? { source: key, minted: 0, burned: 0, sunk: 0 };
    grouped.set(key, { source: key, minted: g.minted + s.minted, burned: g.burned + s.burned, sunk: g.sunk + s.sunk });
  }
  return {
    period,
    detail,
    asOf: flows.asOf,
    days: flows.days,
    sources: [...grouped.values()].sort((a, b) => b.minted + b.burned + b.sunk - (a.minted + a.burned + a.sunk)),
    figures: { ...figures, supply: detail ? figures.supply : [], priceIndex: { ...figures.priceIndex, basket: detail ? figures.priceIndex.basket : [] } },
    names,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const bps = (b: number | null) => (b === null ? "—" : `${b > 0 ? "+" : ""}${(b / 100).toFixed(2)}%`);

export default function Economy() {
  const { period, detail, asOf, days, sources, figures, names } = useLoaderData<typeof loader>();
  const index = figures.priceIndex;
  const lastIndex = index.points.at(-1);
  const movers = [...figures.markets].filter((m) => m.changeBps !== null).sort((a, b) => Math.abs(b.changeBps!) - Math.abs(a.changeBps!)).slice(0, 5);
  const name = (item: number) => names[item] ?? `item ${item}`;
  return (
    <>
      <div className="page-head">
        <h1>Economy</h1>
        <span className="muted small-text">
          {asOf ? `as of ${asOf.replace("T", " ").replace("Z", " UTC")}` : "not computed yet"} · <Link to="/leaderboards">Leaderboards</Link>
        </span>
      </div>
      <nav className="segmented" aria-label="Period">
        {(Object.keys(PERIODS) as Period[]).map((p) => (
          <Link key={p} to={`/economy?period=${p}`} className={p === period ? "seg on" : "seg"} aria-current={p === period ? "page" : undefined}>
            {PERIOD_NAMES[p]}
          </Link>
        ))}
      </nav>

      <section className="card" aria-labelledby="eh-head">
        <h2 id="eh-head">Health</h2>
        <dl className="stats-row compact-4">
          <div>
            <dt>Money supply</dt>
            <dd className="num">{formatGold(figures.moneySupply)}</dd>
          </div>
          <div>
            <dt>Price index</dt>
            <dd className="num">{lastIndex ? lastIndex.index.toFixed(2) : "—"}</dd>
          </div>
          <div>
            <dt>Inflation</dt>
            <dd className="num">{index.points.length > 1 ? `${index.inflation.toFixed(2)}%` : "—"}</dd>
          </div>
          <div>
            <dt>Velocity</dt>
            <dd className="num">{figures.velocity.toFixed(4)}</dd>
          </div>
          <div>
            <dt>Traded</dt>
            <dd className="num">{formatGold(figures.tradedValue)}</dd>
          </div>
          <div>
            <dt>Gini</dt>
            <dd className="num">{figures.wealth.gini.toFixed(3)}</dd>
          </div>
          <div>
            <dt>Top 1% hold</dt>
            <dd className="num">{pct(figures.wealth.top1)}</dd>
          </div>
          <div>
            <dt>Top 10% hold</dt>
            <dd className="num">{pct(figures.wealth.top10)}</dd>
          </div>
        </dl>
        <p className="muted small-text">
          Price index: Laspeyres over the items traded on the period's first {period === "24h" ? "hour" : "day"}, weighted by their traded value, base = 100;
          {lastIndex ? ` coverage now ${pct(lastIndex.coverage)} of the basket's value.` : " no trades yet."} Wealth: gold plus stackable items at their last traded price, over{" "}
          {formatCount(figures.wealth.players)} players. Velocity: traded value over money supply.
        </p>
      </section>

      <section className="card flush" aria-labelledby="ms-head">
        <h2 id="ms-head" className="pad">Money supply by day</h2>
        <table className="history">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" className="num">Minted</th>
              <th scope="col" className="num">Burned + fees</th>
              <th scope="col" className="num">Supply</th>
            </tr>
          </thead>
          <tbody>
            {days.slice(-10).reverse().map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td className="num">{formatGold(d.minted)}</td>
                <td className="num">{formatGold(d.burned + d.sunk)}</td>
                <td className="num">{formatGold(d.moneySupply)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card flush" aria-labelledby="fs-head">
        <h2 id="fs-head" className="pad">Faucets and sinks{detail ? " (every source, operators)" : ""}</h2>
        <table className="history">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col" className="num">In</th>
              <th scope="col" className="num">Out</th>
            </tr>
          </thead>
          <tbody>
            {sources.slice(0, detail ? 50 : 8).map((s) => (
              <tr key={s.source}>
                <td>{s.source}</td>
                <td className="num">{formatGold(s.minted)}</td>
                <td className="num">{formatGold(s.burned + s.sunk)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card flush" aria-labelledby="mv-head">
        <h2 id="mv-head" className="pad">Markets: volume and movers</h2>
        <table className="history">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">Traded</th>
              <th scope="col" className="num">Last</th>
              <th scope="col" className="num">Change</th>
            </tr>
          </thead>
          <tbody>
            {(movers.length ? [...new Set([...movers, ...figures.markets])] : figures.markets).slice(0, 12).map((m) => (
              <tr key={m.item}>
                <td>{name(m.item)}</td>
                <td className="num">{formatGold(m.notional)}</td>
                <td className="num">{formatGold(m.close)}</td>
                <td className="num">{bps(m.changeBps)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {detail ? (
        <section className="card flush" aria-labelledby="op-head">
          <h2 id="op-head" className="pad">Operators: basket and supply</h2>
          <table className="history">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" className="num">Weight</th>
                <th scope="col" className="num">Supply</th>
              </tr>
            </thead>
            <tbody>
              {figures.supply.filter((s) => s.asset !== 0).map((s) => (
                <tr key={s.asset}>
                  <td>{name(s.asset)}</td>
                  <td className="num">{pct(index.basket.find((b) => b.item === s.asset)?.weight ?? 0)}</td>
                  <td className="num">{formatCount(s.supply)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  );
}
