import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { listCatalog } from "../../edge/web/catalog.server";
import { Change, Price } from "~/components/Change";
import { useOffline } from "~/components/Offline";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Item catalog · Bazaar" }];

export async function loader({ context }: LoaderFunctionArgs) {
  return { items: await listCatalog(context.db) };
}

export default function Catalog() {
  const { items } = useLoaderData<typeof loader>();
  const offline = useOffline();
  const categories = [...new Set(items.map((i) => i.category))];
  return (
    <>
      <h1>Item catalog</h1>
      <p className="muted">Everything that exists in the realm. Goods trade on markets; unique items change hands through offers.</p>
      {categories.map((c) => (
        <section key={c} className="card" aria-labelledby={`cat-${c}`}>
          <h2 id={`cat-${c}`} className="cap">
            {c}
          </h2>
          <ul className="list">
            {items
              .filter((i) => i.category === c)
              .map((i) => (
                <li key={i.slug}>
                  <Link to={`/items/${i.slug}`} className="market-row" reloadDocument={offline}>
                    <span className="icon" aria-hidden="true">
                      {i.icon}
                    </span>
                    <span className="grow">
                      <span className="name">{i.name}</span>
                      <small className="muted">{i.stackable ? "Goods · market" : "Unique"}</small>
                    </span>
                    {i.market ? (
                      <span className="end">
                        <Price copper={i.market.last} className="strong" />
                        <Change change={i.market.last !== null && i.market.open24h !== null ? i.market.last - i.market.open24h : null} open={i.market.open24h} />
                      </span>
                    ) : null}
                  </Link>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </>
  );
}

export const ErrorBoundary = StatusError;
