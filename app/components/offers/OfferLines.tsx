/** The lines of one side of an offer, in words: "12.50 gold", "Iron Ore × 20", "Iron Sword (damage 9)". */
import type { OfferLine } from "../../../db/offers";
import { formatCount, formatGold } from "~/utils/money";

export function ItemMetadata({ metadata }: { metadata: Record<string, unknown> | null | undefined }) {
  const entries = Object.entries(metadata ?? {}).filter(([, v]) => ["string", "number", "boolean"].includes(typeof v));
  if (entries.length === 0) return null;
  return (
    <dl className="meta">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt> <dd>{String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function OfferLines({ lines, empty = "Nothing" }: { lines: OfferLine[]; empty?: string }) {
  if (lines.length === 0) return <p className="muted offer-nothing">{empty}</p>;
  return (
    <ul className="items offer-lines">
      {lines.map((l, i) => (
        <li key={`${l.kind}-${l.itemId ?? l.itemTypeId ?? "c"}-${i}`}>
          <span className="icon" aria-hidden="true">
            {l.icon ?? (l.kind === "currency" ? "🪙" : "📦")}
          </span>
          {l.kind === "currency" ? (
            <span className="offer-amount">{formatGold(l.quantity)} gold</span>
          ) : (
            <span>
              {l.name ?? `item type ${l.itemTypeId}`}
              {l.kind === "unique" ? <small className="muted"> (unique)</small> : null}
              {l.kind === "unique" ? <ItemMetadata metadata={l.metadata} /> : null}
            </span>
          )}
          {l.kind === "stack" ? <span className="qty offer-amount">× {formatCount(l.quantity)}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** One-line summary for lists: "12.50 gold, Iron Ore × 20, Iron Sword". */
export function summarize(lines: OfferLine[]): string {
  if (lines.length === 0) return "nothing";
  return lines
    .map((l) => (l.kind === "currency" ? `${formatGold(l.quantity)} gold` : l.kind === "stack" ? `${l.name ?? "item"} × ${formatCount(l.quantity)}` : (l.name ?? "item")))
    .join(", ");
}
