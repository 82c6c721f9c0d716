/**
 * /trades, "Trade history": every fill of mine, newest first, filtered by market, side and days,
 * paged by an "Older" cursor, with totals of the filtered set and a CSV export (/trades.csv).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { listMarkets, myFillsPage, myFillsTotals } from "../../db/market/read";
import { requireWebSession } from "../../edge/auth/web.server";
import { useOffline } from "~/components/Offline";
import { StatusError } from "~/components/StatusError";
import { formatCount, formatGold } from "~/utils/money";
import { useHydrated, Time } from "~/utils/time";
import { fillTotal, filterInstants, filterSearch, isFiltered, readTradeFilters, type TradeFilters } from "~/utils/trades";

export const meta: MetaFunction = () => [{ title: "Trade history · Bazaar" }];

const PAGE_SIZE = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const markets = await listMarkets(context.db);
  const filters = readTradeFilters(new URL(request.url).searchParams, new Set(markets.map((m) => m.slug)));
  const query = {
    playerId: session.player.id,
    market: filters.market,
    side: filters.side,
    ...filterInstants(filters),
  };
  const [page, totals] = await Promise.all([
    myFillsPage(context.db, {
      ...query,
      before: filters.before,
      limit: PAGE_SIZE,
    }),
    myFillsTotals(context.db, query),
  ]);
  return {
    filters,
    fills: page.fills,
    nextCursor: page.nextCursor,
    totals,
    markets: markets.map((m) => ({ slug: m.slug, name: m.name, icon: m.icon })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export default function Trades() {
  const { filters, fills, nextCursor, totals, markets } = useLoaderData<typeof loader>();
  const offline = useOffline();
  const hydrated = useHydrated();
  const names = Object.fromEntries(markets.map((m) => [m.slug, m]));
  const filtered = isFiltered(filters);
  const safe = (n: number) => (Number.isSafeInteger(n) ? formatGold(n) : "—");
  return (
    <>
      <div className="page-head">
        <h1>Trade history</h1>
        <Link to="/orders" reloadDocument={offline}>
          Orders
        </Link>
      </div>

      <details className="card filter-box" open={filtered || undefined}>
        <summary>
          <span className="strong">Filters</span> <span className="muted">{filterWords(filters, names) || "none"}</span>
        </summary>
        <Form method="get" className="trade-filters" aria-label="Filter trades" reloadDocument={offline}>
          <div className="field market-field">
            <label htmlFor="tf-market">Market</label>
            <select id="tf-market" name="market" defaultValue={filters.market ?? ""}>
              <option value="">All markets</option>
              {markets.map((m) => (
                <option key={m.slug} value={m.slug}>
                  {m.name}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="segmented side-filter">
            <legend className="visually-hidden">Side</legend>
            {[
              ["", "All"],
              ["buy", "Bought"],
              ["sell", "Sold"],
            ].map(([value, label]) => (
              <label key={value} className="seg">
                <input type="radio" name="side" value={value} defaultChecked={(filters.side ?? "") === value} />
                {label}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor="tf-from">From</label>
            <input id="tf-from" type="date" name="from" defaultValue={filters.from ?? ""} />
          </div>
          <div className="field">
            <label htmlFor="tf-to">To</label>
            <input id="tf-to" type="date" name="to" defaultValue={filters.to ?? ""} />
          </div>
          {/* Days are the player's days: the browser's offset from UTC (0 without JavaScript). */}
          <input type="hidden" name="tz" value={hydrated ? String(new Date().getTimezoneOffset()) : String(filters.tz)} />
          <div className="filter-actions">
            <button type="submit">Show trades</button>
            {filtered ? (
              <Link to="/trades" className="button ghost" reloadDocument={offline}>
                Clear filters
              </Link>
            ) : null}
          </div>
        </Form>
      </details>

      <section className="card trade-totals" aria-labelledby="tt-head">
        <div className="card-head">
          <h2 id="tt-head">{filtered ? "Matching trades" : "All your trades"}</h2>
          {offline ? (
            <span className="muted small-text">Download needs a connection</span>
          ) : (
            <a href={`/trades.csv${filterSearch(filters)}`} download className="button ghost small csv-link">
              Download CSV
            </a>
          )}
        </div>
        <dl className="stats-row compact-4">
          <div>
            <dt>Trades</dt>
            <dd className="num">{formatCount(totals.count)}</dd>
          </div>
          <div>
            <dt>Paid</dt>
            <dd className="num">{safe(totals.paid)}</dd>
          </div>
          <div>
            <dt>Received</dt>
            <dd className="num">{safe(totals.received)}</dd>
          </div>
          <div>
            <dt>Fees</dt>
            <dd className="num">{safe(totals.fees)}</dd>
          </div>
        </dl>
      </section>

      <section className="card flush" aria-label="Trades">
        {fills.length === 0 ? (
          <p className="muted pad">{filtered ? "No trades match these filters." : "No trades yet. Open a market and place your first order."}</p>
        ) : (
          <table className="history trades-table">
            <thead>
              <tr>
                <th scope="col">Trade</th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  Fee
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {fills.map((f) => (
                <tr key={f.id} data-fill-id={f.id}>
                  <td className="what">
                    <span className={`side ${f.side}`}>{f.side === "buy" ? "Bought" : "Sold"}</span> {formatCount(f.quantity)}{" "}
                    <Link to={`/markets/${f.market}`} reloadDocument={offline}>
                      {names[f.market]?.name ?? f.market}
                    </Link>
                  </td>
                  <td className="num price">
                    <span className="cell-label">at </span>
                    {formatGold(f.price)}
                  </td>
                  <td className="num fee">
                    <span className="cell-label">fee </span>
                    {formatGold(f.fee)}
                  </td>
                  <td className="num total">
                    <strong>{formatGold(fillTotal(f))}</strong>
                    <small className="muted block">{f.side === "buy" ? "paid" : "received"}</small>
                  </td>
                  <td className="when muted">
                    <Time ms={Date.parse(f.at)} date /> · {f.role}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <nav className="pager" aria-label="Pages">
        {filters.before !== undefined ? (
          <Link to={`/trades${filterSearch(filters)}`} className="button ghost" reloadDocument={offline}>
            Newest
          </Link>
        ) : null}
        {nextCursor ? (
          <Link to={`/trades${filterSearch(filters, { before: nextCursor })}`} className="button ghost" rel="next" reloadDocument={offline}>
            Older trades
          </Link>
        ) : null}
      </nav>
    </>
  );
}

/** "Iron Ore · sold · 2026-04-01 to 2026-04-30": the filters that apply, in words. */
function filterWords(f: TradeFilters, names: Record<string, { name: string }>): string {
  const days = f.from && f.to ? `${f.from} to ${f.to}` : f.from ? `from ${f.from}` : f.to ? `until ${f.to}` : "";
  return [f.market ? names[f.market]?.name ?? f.market : "", f.side === "buy" ? "bought" : f.side === "sell" ? "sold" : "", days].filter(Boolean).join(" · ");
}

export const ErrorBoundary = StatusError;
