import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { getInventory } from "../../db/inventory";
import { recentTrades } from "../../db/market/read";
import { marketStats } from "../../db/market/stats";
import { WindowStats } from "~/components/WindowStats";
import { getWebSession } from "../../edge/auth/web.server";
import { getCatalogItem } from "../../edge/web/catalog.server";
import { Change, Price } from "~/components/Change";
import { Metadata } from "~/components/Metadata";
import { useOffline } from "~/components/Offline";
import { StatusError } from "~/components/StatusError";
import { formatCount, formatGold } from "~/utils/money";
import { Time } from "~/utils/time";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: `${d?.item.name ?? "Item"} · Bazaar` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const item = await getCatalogItem(context.db, params.slug ?? "");
  if (!item) throw data("No such item in the catalog.", { status: 404 });
  const session = await getWebSession(request, context);
  const [inventory, trades, windows] = await Promise.all([
    session ? getInventory(context.db, session.player.id) : undefined,
    item.market ? recentTrades(context.db, item.slug, 8) : [],
    item.market ? marketStats(context.db, item.market.slug) : null,
  ]);
  return {
    item,
    signedIn: Boolean(session),
    stack: inventory?.stacks.find((s) => s.slug === item.slug) ?? null,
    uniques: inventory?.uniques.filter((u) => u.slug === item.slug) ?? [],
    trades,
    windows,
  };
}

export default function Item() {
  const { item, signedIn, stack, uniques, trades, windows } = useLoaderData<typeof loader>();
  const offline = useOffline();
  const m = item.market;
  return (
    <>
      <p className="crumbs">
        <Link to="/items" reloadDocument={offline}>
          Catalog
        </Link>{" "}
        / <span className="cap">{item.category}</span>
      </p>
      <section className="card item-hero">
        <span className="icon xl" aria-hidden="true">
          {item.icon}
        </span>
        <div>
          <h1>{item.name}</h1>
          <p>{item.description}</p>
        </div>
      </section>

      {signedIn ? (
        <section className="card" aria-labelledby="yours">
          <h2 id="yours">You hold</h2>
          {item.stackable ? (
            <p className="big num">
              ×{formatCount(stack?.available ?? 0)}
              {stack && stack.reserved > 0 ? <small className="muted"> +{formatCount(stack.reserved)} reserved</small> : null}
            </p>
          ) : uniques.length === 0 ? (
            <p className="muted">None of these.</p>
          ) : (
            <ul className="list">
              {uniques.map((u) => (
                <li key={u.id} id={u.id} className="fill-row">
                  <span className="icon" aria-hidden="true">
                    {u.icon}
                  </span>
                  <span className="grow">
                    {u.name} {u.state !== "held" ? <small className="tag">{u.state}</small> : null}
                    <Metadata metadata={u.metadata} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}

      {m ? (
        <section className="card" aria-labelledby="mkt">
          <div className="card-head">
            <h2 id="mkt">Market</h2>
            <Link to={`/markets/${m.slug}`} className="button primary small">
              Trade
            </Link>
          </div>
          <p className="price-line">
            <Price copper={m.last} className="big" /> <span className="muted">gold</span>{" "}
            <Change change={m.last !== null && m.open24h !== null ? m.last - m.open24h : null} open={m.open24h} />
          </p>
          <dl className="stats-row">
            <div>
              <dt>24h high</dt>
              <dd className="num">{m.high24h === null ? "–" : formatGold(m.high24h)}</dd>
            </div>
            <div>
              <dt>24h low</dt>
              <dd className="num">{m.low24h === null ? "–" : formatGold(m.low24h)}</dd>
            </div>
            <div>
              <dt>24h volume</dt>
              <dd className="num">{formatCount(m.volume24h)}</dd>
            </div>
          </dl>
          {windows ? (
            <>
              <h3>Price history</h3>
              <WindowStats windows={windows} />
            </>
          ) : null}
          <p className="muted">
            Tick {formatGold(m.tickSize)} gold · lot {formatCount(m.lotSize)} · fees {m.makerFeeBps / 100}% maker, {m.takerFeeBps / 100}% taker
          </p>
          {trades.length ? (
            <>
              <h3>Last trades</h3>
              <ul className="tape">
                {trades.map((t) => (
                  <li key={t.seq}>
                    <span className={`num ${t.takerSide === "buy" ? "up" : "down"}`}>{formatGold(t.price)}</span>
                    <span className="num">{formatCount(t.quantity)}</span>
                    <span className="muted">
                      <Time ms={t.at} />
                    </span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ) : (
        <p className="muted">Unique items have no market: they trade directly between players through offers.</p>
      )}
    </>
  );
}

export const ErrorBoundary = StatusError;
