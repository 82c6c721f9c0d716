import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { listMarkets, myFills, myOrders } from "../../db/market/read";
import { requireWebSession } from "../../edge/auth/web.server";
import { OpenOrders } from "~/components/market/OpenOrders";
import { useOffline } from "~/components/Offline";
import { StatusError } from "~/components/StatusError";
import { formatCount, formatGold } from "~/utils/money";
import { Time } from "~/utils/time";

export const meta: MetaFunction = () => [{ title: "Orders and fills · Bazaar" }];

const TABS = { open: "Open", history: "History", fills: "Fills" } as const;
type Tab = keyof typeof TABS;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const asked = new URL(request.url).searchParams.get("tab");
  const tab: Tab = asked && asked in TABS ? (asked as Tab) : "open";
  const playerId = session.player.id;
  const [markets, orders, fills] = await Promise.all([
    listMarkets(context.db),
    tab === "fills" ? [] : myOrders(context.db, { playerId, status: tab === "open" ? "open" : "history", limit: 100 }),
    tab === "fills" ? myFills(context.db, { playerId, limit: 100 }) : [],
  ]);
  const names = Object.fromEntries(markets.map((m) => [m.slug, { name: m.name, icon: m.icon }]));
  return { tab, names, orders, fills, csrf: session.csrfToken ?? "" };
}

export default function Orders() {
  const { tab, names, orders, fills, csrf } = useLoaderData<typeof loader>();
  const offline = useOffline();
  const markets = [...new Set(orders.map((o) => o.market))];
  return (
    <>
      <div className="page-head">
        <h1>Orders</h1>
        <Link to="/trades" reloadDocument={offline}>
          Trade history
        </Link>
      </div>
      <nav className="segmented tabs-inline" aria-label="Order views">
        {(Object.keys(TABS) as Tab[]).map((t) => (
          <Link key={t} to={`?tab=${t}`} className={`seg ${t === tab ? "on" : ""}`} aria-current={t === tab ? "page" : undefined} reloadDocument={offline}>
            {TABS[t]}
          </Link>
        ))}
      </nav>
      {tab === "open" ? (
        <>
          {orders.length === 0 ? <p className="muted card">No open orders. Place one from any market.</p> : null}
          {markets.map((slug) => (
            <section key={slug} className="card" aria-labelledby={`m-${slug}`}>
              <div className="card-head">
                <h2 id={`m-${slug}`}>
                  <span aria-hidden="true">{names[slug]?.icon}</span> {names[slug]?.name ?? slug}
                </h2>
                <Link to={`/markets/${slug}`}>Market</Link>
              </div>
              {/* Cancel and amend post to the market page's action. */}
              <OpenOrders orders={orders.filter((o) => o.market === slug)} pending={null} csrf={csrf} offline={offline} action={`/markets/${slug}`} />
            </section>
          ))}
        </>
      ) : null}
      {tab === "history" ? (
        <HistoryTable label="Order history" empty={orders.length === 0 ? "No finished orders yet." : null} columns={["Market", "Side", "Price", "Filled", "Status"]}>
          {orders.map((o) => (
            <tr key={o.id}>
              <td>
                <Link to={`/markets/${o.market}`}>{names[o.market]?.name ?? o.market}</Link>
                <small className="muted block">
                  <Time ms={Date.parse(o.createdAt)} date />
                </small>
              </td>
              <td>
                <span className={`side ${o.side}`}>{o.side}</span>
              </td>
              <td className="num">{o.price === null ? "market" : formatGold(o.price)}</td>
              <td className="num">
                {formatCount(o.filled)}/{formatCount(o.quantity)}
              </td>
              <td>
                <span className={`tag status-${o.status}`}>{o.status}</span>
              </td>
            </tr>
          ))}
        </HistoryTable>
      ) : null}
      {tab === "fills" ? (
        <p className="muted small-text">
          Your last 100 fills. <Link to="/trades" reloadDocument={offline}>Trade history</Link> has all of them, with filters, totals and a CSV download.
        </p>
      ) : null}
      {tab === "fills" ? (
        <HistoryTable label="Fills" empty={fills.length === 0 ? "No fills yet." : null} columns={["Market", "Side", "Price", "Qty", "Fee"]}>
          {fills.map((f) => (
            <tr key={`${f.market}-${f.seq}-${f.role}`}>
              <td>
                <Link to={`/markets/${f.market}`}>{names[f.market!]?.name ?? f.market}</Link>
                <small className="muted block">
                  <Time ms={Date.parse(f.at!)} date /> · {f.role}
                </small>
              </td>
              <td>
                <span className={`side ${f.side}`}>{f.side}</span>
              </td>
              <td className="num">{formatGold(f.price)}</td>
              <td className="num">{formatCount(f.quantity)}</td>
              <td className="num">{formatGold(f.fee)}</td>
            </tr>
          ))}
        </HistoryTable>
      ) : null}
    </>
  );
}

/** A history table: caption-less, one header row, an empty-state line above it. */
function HistoryTable({ label, empty, columns, children }: { label: string; empty: string | null; columns: string[]; children: ReactNode }) {
  return (
    <section className="card flush" aria-label={label}>
      {empty ? <p className="muted pad">{empty}</p> : null}
      <table className="history">
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </section>
  );
}

export const ErrorBoundary = StatusError;
