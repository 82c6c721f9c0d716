/**
 * Live trades that reach a price chart while it is off screen. The chart is not drawn then (a phone
 * player trading from the ticket does not pay for a chart scrolled away: bench:live), so the
 * trades wait here, by seq, and are drawn together when the chart comes back. The page's feed keeps
 * only its last trades; this keeps every one the chart has not drawn, so a candle that moved while
 * off screen comes back with all of its volume. `full` bounds it: past that many, draw anyway.
 */
import type { Trade } from "../../../party/protocol";

export class UnseenTrades {
  private readonly bySeq = new Map<number, Trade>();
  constructor(readonly limit = 2_000) {}

  get size(): number {
    return this.bySeq.size;
  }

  /** The chart has reached `limit` trades behind: time to draw, on screen or not. */
  get full(): boolean {
    return this.bySeq.size >= this.limit;
  }

  /** Keeps the trades after `drawnSeq` (the last one on the chart); a trade seen twice is kept once. */
  add(trades: readonly Trade[], drawnSeq: number): void {
    for (const t of trades) if (t.seq > drawnSeq) this.bySeq.set(t.seq, t);
  }

  /** What to draw now: the kept trades and `latest` (the feed's), each once, oldest first; empties the keep. */
  take(latest: readonly Trade[]): Trade[] {
    if (this.bySeq.size === 0) return [...latest];
    for (const t of latest) this.bySeq.set(t.seq, t);
    const all = [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    this.bySeq.clear();
    return all;
  }
}
