import type { Trade } from "../../../party/protocol";
import { formatCount, formatGold } from "~/utils/money";
import { Time } from "~/utils/time";

/** Recent trades, newest first; green when a buyer took the offer, red when a seller hit a bid. */
export function TradeTape({ trades, rows = 14 }: { trades: Trade[]; rows?: number }) {
  if (trades.length === 0) return <p className="muted">No trades yet.</p>;
  return (
    <table className="tape-table">
      <thead>
        <tr>
          <th scope="col">Price</th>
          <th scope="col">Qty</th>
          <th scope="col">Time</th>
        </tr>
      </thead>
      <tbody>
        {trades.slice(0, rows).map((t) => (
          <tr key={t.seq}>
            <td className={`num ${t.takerSide === "buy" ? "up" : "down"}`}>
              <span className="visually-hidden">{t.takerSide === "buy" ? "buy" : "sell"} </span>
              {formatGold(t.price)}
            </td>
            <td className="num">{formatCount(t.quantity)}</td>
            <td className="num muted">
              <Time ms={t.at} seconds />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
