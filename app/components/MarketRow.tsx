import { Link } from "@remix-run/react";
import type { MarketStats } from "../../party/market/stats";
import { formatCount } from "~/utils/money";
import { Change, Price } from "./Change";

export interface MarketRowData {
  slug: string;
  name: string;
  icon: string;
  category: string;
  last: number | null;
  open24h: number | null;
  volume24h: number;
}

/** One market in a list: icon, name, last price, 24h change; live stats override the loader's. */
export function MarketRow({ m, live, reloadDocument }: { m: MarketRowData; live?: MarketStats; reloadDocument?: boolean }) {
  const last = live?.last ?? m.last;
  const open = live ? live.open24h : m.open24h;
  const change = last !== null && open !== null ? last - open : null;
  const volume = live?.volume ?? m.volume24h;
  return (
    <li>
      <Link to={`/markets/${m.slug}`} className="market-row" reloadDocument={reloadDocument}>
        <span className="icon" aria-hidden="true">
          {m.icon}
        </span>
        <span className="grow">
          <span className="name">{m.name}</span>
          <small className="muted">
            {m.category} · vol {formatCount(volume)}
          </small>
        </span>
        <span className="end">
          <Price copper={last} className="strong" />
          <Change change={change} open={open} />
        </span>
      </Link>
    </li>
  );
}
