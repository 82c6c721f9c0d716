import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { listMarkets, type MarketSummary } from "../../db/market/read";
import { MarketRow } from "~/components/MarketRow";
import { useOffline } from "~/components/Offline";
import { StatusError } from "~/components/StatusError";
import { mostTraded } from "~/utils/markets";

export const meta: MetaFunction = () => [{ title: "Markets · Bazaar" }];

export async function loader({ context }: LoaderFunctionArgs) {
  return { markets: await listMarkets(context.db) };
}

const SORTS = { volume: "Most traded", change: "24h change", name: "Name" } as const;
type Sort = keyof typeof SORTS;

/** Change in hundredths of a percent, for sorting (integers; no market -> bottom). */
const changeBp = (m: MarketSummary) => (m.last === null || !m.open24h ? -Infinity : Math.trunc(((m.last - m.open24h) * 10_000) / m.open24h));

function arrange(markets: MarketSummary[], q: string, sort: Sort) {
  const needle = q.trim().toLowerCase();
  const found = markets.filter((m) => !needle || `${m.name} ${m.category} ${m.slug}`.toLowerCase().includes(needle));
  const by: Record<Sort, (a: MarketSummary, b: MarketSummary) => number> = {
    volume: mostTraded,
    change: (a, b) => changeBp(b) - changeBp(a) || a.name.localeCompare(b.name),
    name: (a, b) => a.name.localeCompare(b.name),
  };
  return found.sort(by[sort]);
}

export default function Markets() {
  const { markets } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get("q") ?? "");
  const initialSort = params.get("sort");
  const [sort, setSort] = useState<Sort>(initialSort && initialSort in SORTS ? (initialSort as Sort) : "volume");
  const offline = useOffline();
  const shown = arrange([...markets], q, sort);
  return (
    <>
      <h1>Markets</h1>
      <Form method="get" className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="mq" className="visually-hidden">
          Search markets
        </label>
        <input id="mq" type="search" name="q" placeholder="Search markets" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" />
        <label htmlFor="msort" className="visually-hidden">
          Sort by
        </label>
        <select id="msort" name="sort" value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
          {Object.entries(SORTS).map(([k, label]) => (
            <option key={k} value={k}>
              Sort: {label}
            </option>
          ))}
        </select>
        <noscript>
          <button type="submit">Apply</button>
        </noscript>
      </Form>
      <section className="card flush" aria-label="Market list">
        {shown.length === 0 ? <p className="muted pad">No market matches “{q}”.</p> : null}
        <ul className="list">
          {shown.map((m) => (
            <MarketRow key={m.slug} m={m} reloadDocument={offline} />
          ))}
        </ul>
      </section>
    </>
  );
}

export const ErrorBoundary = StatusError;
