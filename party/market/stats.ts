/** Rolling 24h statistics from per-minute buckets: last, change, high, low, volume. */
export interface MarketStats {
  last: number | null;
  open24h: number | null;
  /** last - open24h, in copper (integers; clients compute percentages for display). */
  change: number | null;
  high: number | null;
  low: number | null;
  volume: number;
  trades: number;
}

interface Bucket {
  minute: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

const DAY_MINUTES = 24 * 60;

export class RollingStats {
  private readonly buckets: Bucket[] = [];
  private last: number | null = null;

  /** Seed from stored 1m candles (oldest first) and the last trade price ever. */
  load(candles: Array<Omit<Bucket, "minute"> & { bucket: Date }>, lastPrice: number | null): void {
    this.buckets.length = 0;
    for (const c of candles) this.buckets.push({ ...c, minute: Math.floor(c.bucket.getTime() / 60_000) });
    this.last = lastPrice;
  }

  add(at: number, fills: Array<{ price: number; quantity: number }>): void {
    const minute = Math.floor(at / 60_000);
    for (const f of fills) {
      let b = this.buckets.at(-1);
      if (!b || b.minute !== minute) {
        b = { minute, open: f.price, high: f.price, low: f.price, close: f.price, volume: 0, trades: 0 };
        this.buckets.push(b);
      }
      b.high = Math.max(b.high, f.price);
      b.low = Math.min(b.low, f.price);
      b.close = f.price;
      b.volume += f.quantity;
      b.trades++;
      this.last = f.price;
    }
  }

  snapshot(now: number): MarketStats {
    const from = Math.floor(now / 60_000) - DAY_MINUTES;
    while (this.buckets.length > 0 && this.buckets[0]!.minute <= from) this.buckets.shift();
    const b = this.buckets;
    if (b.length === 0) return { last: this.last, open24h: null, change: null, high: null, low: null, volume: 0, trades: 0 };
    const open24h = b[0]!.open;
    return {
      last: this.last,
      open24h,
      change: this.last === null ? null : this.last - open24h,
      high: b.reduce((m, x) => Math.max(m, x.high), b[0]!.high),
      low: b.reduce((m, x) => Math.min(m, x.low), b[0]!.low),
      volume: b.reduce((s, x) => s + x.volume, 0),
      trades: b.reduce((s, x) => s + x.trades, 0),
    };
  }
}
