import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { getInventory } from "../../db/inventory";
import { listMarkets } from "../../db/market/read";
import { requireWebSession } from "../../edge/auth/web.server";
import { Metadata } from "~/components/Metadata";
import { useOffline } from "~/components/Offline";
import { StatusError } from "~/components/StatusError";
import { formatCount, formatGold } from "~/utils/money";

export const meta: MetaFunction = () => [{ title: "Inventory · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const [inventory, markets] = await Promise.all([getInventory(context.db, session.player.id), listMarkets(context.db)]);
  const last = Object.fromEntries(markets.map((m) => [m.slug, m.last]));
  return { ...inventory, last };
}

const matches = (q: string, ...texts: string[]) => !q || texts.some((t) => t.toLowerCase().includes(q.toLowerCase()));

export default function Inventory() {
  const { balance, stacks, uniques, last } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  // Filtering happens here, in the page, so that it also works offline; the GET form is the
  // same filter for browsers without JavaScript.
  const [q, setQ] = useState(params.get("q") ?? "");
  const [category, setCategory] = useState(params.get("category") ?? "");
  const offline = useOffline();
  const categories = [...new Set([...stacks, ...uniques].map((i) => i.category))].sort();
  const shownStacks = stacks.filter((s) => (!category || s.category === category) && matches(q, s.name, s.category));
  const shownUniques = uniques.filter((u) => (!category || u.category === category) && matches(q, u.name, u.category, JSON.stringify(u.metadata)));

  return (
    <>
      <h1>Inventory</h1>
      <section className="card worth" aria-labelledby="gold">
        <h2 id="gold" className="label">
          Gold
        </h2>
        <p className="big num">
          {formatGold(balance.available)} <span className="unit">gold</span>
        </p>
        {balance.reserved > 0 ? <p className="muted">{formatGold(balance.reserved)} gold reserved for open orders</p> : null}
      </section>

      <Form method="get" className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="inv-q" className="visually-hidden">
          Search your items
        </label>
        <input id="inv-q" type="search" name="q" placeholder="Search items" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" />
        <label htmlFor="inv-cat" className="visually-hidden">
          Category
        </label>
        <select id="inv-cat" name="category" value={category} onChange={(e) => setCategory(e.target.value)}>
          <option value="">All categories</option>
          {categories.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </Form>

      <section className="card" aria-labelledby="goods">
        <h2 id="goods">Goods</h2>
        {shownStacks.length === 0 ? <p className="muted">{stacks.length ? "Nothing matches." : "No goods yet."}</p> : null}
        <ul className="list">
          {shownStacks.map((s) => (
            <li key={s.itemTypeId}>
              <Link to={`/items/${s.slug}`} className="market-row" reloadDocument={offline}>
                <span className="icon" aria-hidden="true">
                  {s.icon}
                </span>
                <span className="grow">
                  <span className="name">{s.name}</span>
                  <small className="muted">
                    {s.category}
                    {last[s.slug] ? ` · ${formatGold(last[s.slug]!)} each` : ""}
                  </small>
                </span>
                <span className="end">
                  <span className="num strong">×{formatCount(s.available)}</span>
                  {s.reserved > 0 ? <small className="muted">+{formatCount(s.reserved)} reserved</small> : null}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="uniques">
        <h2 id="uniques">Unique items</h2>
        {shownUniques.length === 0 ? <p className="muted">{uniques.length ? "Nothing matches." : "No unique items yet."}</p> : null}
        <ul className="list">
          {shownUniques.map((u) => (
            <li key={u.id}>
              <Link to={`/items/${u.slug}#${u.id}`} className="market-row" reloadDocument={offline}>
                <span className="icon" aria-hidden="true">
                  {u.icon}
                </span>
                <span className="grow">
                  <span className="name">
                    {u.name} {u.state !== "held" ? <small className="tag">{u.state}</small> : null}
                  </span>
                  <Metadata metadata={u.metadata} />
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <p className="muted center">
        <Link to="/items" reloadDocument={offline}>
          Browse the whole item catalog
        </Link>
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
