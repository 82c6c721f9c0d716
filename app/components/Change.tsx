import { formatGold } from "~/utils/money";
import { percent, trend } from "~/utils/price";

/** Last price in gold. */
export function Price({ copper, className }: { copper: number | null | undefined; className?: string }) {
  return <span className={`num ${className ?? ""}`}>{copper === null || copper === undefined ? "–" : formatGold(copper)}</span>;
}

/** 24h change as a coloured percentage; the arrow says it for those who do not see colour. */
export function Change({ change, open }: { change: number | null; open: number | null }) {
  const t = trend(change);
  const arrow = t === "up" ? "▲" : t === "down" ? "▼" : "";
  return (
    <span className={`num change ${t}`}>
      {arrow ? <span aria-hidden="true">{arrow} </span> : null}
      {percent(change, open)}
    </span>
  );
}
