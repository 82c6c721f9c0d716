import { formatCount, formatGold } from "~/utils/money";

type Level = [number, number];

/**
 * The depth ladder: asks above (lowest nearest the middle), the spread, bids below. Each row's bar
 * shows the cumulative quantity; a row is a button that puts its price into the ticket, with the side
 * that takes it: tapping an ask sets up a buy at that price, tapping a bid a sell.
 * Each side always takes `rows` rows: missing levels are blank rows on the far side, so the ladder
 * keeps its height as levels come and go, and on a phone the chart and stats below it stay put.
 */
export function DepthLadder({ bids, asks, onPick, rows = 8 }: { bids: Level[]; asks: Level[]; onPick?: (price: number, side: "buy" | "sell") => void; rows?: number }) {
  const a = asks.slice(0, rows);
  const b = bids.slice(0, rows);
  const cum = (levels: Level[]) => levels.reduce<number[]>((acc, [, q]) => [...acc, (acc.at(-1) ?? 0) + q], []);
  const ca = cum(a);
  const cb = cum(b);
  const max = Math.max(ca.at(-1) ?? 0, cb.at(-1) ?? 0, 1);
  const spread = a[0] && b[0] ? a[0][0] - b[0][0] : null;
  const row = (side: "ask" | "bid", [price, qty]: Level, total: number) => {
    const content = (
      <>
        <span className="bar" style={{ width: `${Math.round((total * 100) / max)}%` }} aria-hidden="true" />
        <span className="num price">{formatGold(price)}</span>
        <span className="num">{formatCount(qty)}</span>
        <span className="num muted">{formatCount(total)}</span>
      </>
    );
    return (
      <li key={`${side}${price}`} className={side}>
        {onPick ? (
          <button
            type="button"
            onClick={() => onPick(price, side === "ask" ? "buy" : "sell")}
            aria-label={`${side === "ask" ? "Ask" : "Bid"} ${formatGold(price)} gold, ${formatCount(qty)} items: ${side === "ask" ? "buy" : "sell"} at this price`}
          >
            {content}
          </button>
        ) : (
          <div className="ladder-row">{content}</div>
        )}
      </li>
    );
  };
  // Blank rows for the levels a side lacks (its "No sellers" line takes one): the far side's end.
  const blanks = (n: number, side: string) =>
    Array.from({ length: Math.max(0, rows - Math.max(n, 1)) }, (_, i) => (
      <li key={`${side}-blank${i}`} className="blank" aria-hidden="true">
        <div className="ladder-row" />
      </li>
    ));
  return (
    <div className="ladder">
      <div className="ladder-head" aria-hidden="true">
        <span>Price</span>
        <span>Qty</span>
        <span>Total</span>
      </div>
      <ol className="asks" aria-label="Asks (sell orders)">
        {blanks(a.length, "ask")}
        {a.length === 0 ? <li className="empty muted"><div className="ladder-row">No sellers</div></li> : null}
        {a.map((l, i) => row("ask", l, ca[i]!)).reverse()}
      </ol>
      <p className="spread">{spread === null ? "No spread yet" : <>Spread {formatGold(spread)}</>}</p>
      <ol className="bids" aria-label="Bids (buy orders)">
        {b.length === 0 ? <li className="empty muted"><div className="ladder-row">No buyers</div></li> : null}
        {b.map((l, i) => row("bid", l, cb[i]!))}
        {blanks(b.length, "bid")}
      </ol>
    </div>
  );
}
