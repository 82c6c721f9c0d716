/**
 * The market's last 24 hours in one compact row: high, low, volume, and the tick and lot sizes.
 *
 * The market page renders it twice, at the place each layout shows it: above the panels from 48rem,
 * and after everything on phones (CSS shows one). A streamed page can be painted before it is all
 * parsed; with each copy where it is drawn, nothing already painted moves when the rest arrives.
 */
import { formatCount, formatGold } from "~/utils/money";

type Props = {
  high: number | null;
  low: number | null;
  volume: number;
  tickSize: number;
  lotSize: number;
  where: "top" | "end";
};

export function DayStats({ high, low, volume, tickSize, lotSize, where }: Props) {
  return (
    <dl className={`stats-row compact day-stats-${where}`}>
      <div>
        <dt>24h high</dt>
        <dd className="num">{high ? formatGold(high) : "–"}</dd>
      </div>
      <div>
        <dt>24h low</dt>
        <dd className="num">{low ? formatGold(low) : "–"}</dd>
      </div>
      <div>
        <dt>24h vol</dt>
        <dd className="num">{formatCount(volume)}</dd>
      </div>
      <div>
        <dt>Tick · lot</dt>
        <dd className="num">
          {formatGold(tickSize)} · {formatCount(lotSize)}
        </dd>
      </div>
    </dl>
  );
}
