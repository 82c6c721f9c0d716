/** An item's market over 24 h, 7 d and 30 d (db/market/stats.ts): a small table, copper shown as gold. */
import { formatCount, formatGold } from "~/utils/money";

type W = { high: number | null; low: number | null; average: number | null; volume: number; change: number | null; changeBps: number | null };

const gold = (v: number | null) => (v === null ? "–" : formatGold(v));
/** Change as a percentage (basis points shown with formatGold's two decimals); the gold change in its title. */
const pct = (w: W) => (w.changeBps === null ? "–" : `${w.changeBps > 0 ? "+" : ""}${formatGold(w.changeBps)}%`);
const gold1 = (w: W) => (w.change === null ? undefined : `${w.change > 0 ? "+" : ""}${formatGold(w.change)} gold`);

export function WindowStats({ windows }: { windows: Record<"24h" | "7d" | "30d", W> }) {
  return (
    <div className="window-stats-wrap">
      <table className="window-stats num">
        <caption className="visually-hidden">Prices in gold over the last 24 hours, 7 days and 30 days</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Period</span>
            </th>
            <th scope="col">High</th>
            <th scope="col">Low</th>
            <th scope="col">
              <abbr title="volume-weighted average price">Avg</abbr>
            </th>
            <th scope="col">Vol</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {(["24h", "7d", "30d"] as const).map((k) => {
            const w = windows[k];
            return (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{gold(w.high)}</td>
                <td>{gold(w.low)}</td>
                <td>{gold(w.average)}</td>
                <td>{formatCount(w.volume)}</td>
                <td className={w.change === null || w.change === 0 ? "" : w.change > 0 ? "up" : "down"} title={gold1(w)}>
                  {pct(w)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
