import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { getInventory } from "../../db/inventory";
import { listMarkets, myFills } from "../../db/market/read";
import { getWebSession } from "../../edge/auth/web.server";
import { readWatchlist } from "../../edge/web/prefs.server";
import { MarketRow } from "~/components/MarketRow";
import { mostTraded } from "~/utils/markets";
import { useOffline } from "~/components/Offline";
import { StatusError } from "~/components/StatusError";
import { useLiveStats } from "~/components/useLiveStats";
import { useFlags, useRootData } from "~/utils/root-data";
import { formatCount, formatGold } from "~/utils/money";
import { Time } from "~/utils/time";

export const meta: MetaFunction = () => [{ title: "Bazaar · the game's trading floor" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getWebSession(request, context);
  const markets = await listMarkets(context.db);
  if (!session) {
    const top = [...markets].sort(mostTraded).slice(0, 6);
    return { player: null, top };
  }
  const [inventory, fills] = await Promise.all([getInventory(context.db, session.player.id), myFills(context.db, { playerId: session.player.id, limit: 6 })]);
  const bySlug = new Map(markets.map((m) => [m.slug, m]));
  // Net worth: gold (available + reserved) plus every stack at its market's last price.
  let itemsValue = 0;
  for (const s of inventory.stacks) itemsValue += (s.available + s.reserved) * (bySlug.get(s.slug)?.last ?? 0);
  const gold = inventory.balance.available + inventory.balance.reserved;
  const chosen = readWatchlist(request) ?? inventory.stacks.map((s) => s.slug).filter((s) => bySlug.has(s)).slice(0, 5);
  const watch = chosen.map((s) => bySlug.get(s)).filter((m) => m !== undefined);
  const names = Object.fromEntries(markets.map((m) => [m.slug, { name: m.name, icon: m.icon }]));
  return {
    player: { username: session.player.username, balance: inventory.balance, itemsValue, netWorth: gold + itemsValue },
    watch,
    fills: fills.map((f) => ({ ...f, ...(names[f.market!] ?? { name: f.market!, icon: "•" }) })),
  };
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const root = useRootData();
  const flags = useFlags();
  const offline = useOffline();
  const watchSlugs = data.player ? data.watch.map((m) => m.slug) : [];
  const live = useLiveStats(root?.ENV.PARTY_HOST, offline ? [] : watchSlugs);

  if (!data.player) {
    return (
      <>
        <section className="hero">
          <h1>The trading floor of the realm</h1>
          <p>
            Bazaar is where players buy and sell what they earn in the game: ores, potions, weapons and rare finds. Trade goods on
            live order-book markets, swap one-of-a-kind items directly with other players, and keep an eye on your inventory from
            your phone.
          </p>
          <div className="actions">
            <Link to="/signup" className="button primary">
              Create an account
            </Link>
            <Link to="/signin" className="button ghost">
              Sign in
            </Link>
          </div>
          <p className="muted">New traders start with 1,000 gold and a starter kit.</p>
        </section>
        <section className="card" aria-labelledby="top">
          <div className="card-head">
            <h2 id="top">Most traded today</h2>
            <Link to="/markets">All markets</Link>
          </div>
          <ul className="list">
            {data.top.map((m) => (
              <MarketRow key={m.slug} m={m} />
            ))}
          </ul>
        </section>
      </>
    );
  }

  const { player, watch, fills } = data;
  return (
    <>
      <h1 className="visually-hidden">Welcome back, {player.username}</h1>
      <section className="card worth" aria-labelledby="worth">
        <p className="muted hello">
          Welcome back, {player.username}
          {flags["traders-dashboard"] ? (
            <>
              {" "}
              · <Link to="/dashboard">My dashboard</Link>
            </>
          ) : null}
        </p>
        <h2 id="worth" className="label">
          Net worth
        </h2>
        <p className="big num">
          {formatGold(player.netWorth)} <span className="unit">gold</span>
        </p>
        <dl className="stats-row">
          <div>
            <dt>Balance</dt>
            <dd className="num">{formatGold(player.balance.available)}</dd>
          </div>
          <div>
            <dt>In orders</dt>
            <dd className="num">{formatGold(player.balance.reserved)}</dd>
          </div>
          <div>
            <dt>Goods</dt>
            <dd className="num">{formatGold(player.itemsValue)}</dd>
          </div>
        </dl>
      </section>

      <section className="card" aria-labelledby="watch">
        <div className="card-head">
          <h2 id="watch">Watchlist</h2>
          <Link to="/markets" reloadDocument={offline}>
            Markets
          </Link>
        </div>
        {watch.length === 0 ? <p className="muted">Star a market to follow its price here.</p> : null}
        <ul className="list">
          {watch.map((m) => (
            <MarketRow key={m.slug} m={m} live={live.get(m.slug)} reloadDocument={offline} />
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="fills">
        <div className="card-head">
          <h2 id="fills">Recent fills</h2>
          <Link to="/trades" reloadDocument={offline}>
            Trade history
          </Link>
        </div>
        {fills.length === 0 ? <p className="muted">No trades yet. Open a market and place your first order.</p> : null}
        <ul className="list">
          {fills.map((f) => (
            <li key={`${f.market}-${f.seq}-${f.role}`} className="fill-row">
              <span className="icon" aria-hidden="true">
                {f.icon}
              </span>
              <span className="grow">
                <span className={`side ${f.side}`}>{f.side === "buy" ? "Bought" : "Sold"}</span> {formatCount(f.quantity)} {f.name}
                <small className="muted">
                  <Time ms={Date.parse(f.at!)} date /> · {f.role}
                </small>
              </span>
              <span className="end num">{formatGold(f.price)}</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

export const ErrorBoundary = StatusError;
