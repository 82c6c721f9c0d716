/**
 * The proxy's view of each database round trip (WS_PROXY_TIMING_FILE, off by default): from the
 * last WebSocket frame of a request to the first bytes of the database's answer, and how many frames
 * the request took, and how many requests were in flight (sent, not yet answered) over all
 * connections as each one started. Every 5 s one line is appended to the file: the time spent beyond
 * the proxy (PgBouncer and Postgres) against what the room measures for the whole write, the rest of
 * which is spent on the room's side of the proxy (bench:markets, docs/PERFORMANCE.md).
 */
import { appendFileSync } from "node:fs";

const quantiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(2);
  return `p50=${at(0.5)} p90=${at(0.9)} p99=${at(0.99)}`;
};

export class RoundTripLog {
  private upstream: number[] = [];
  private frames: number[] = [];
  /** Requests in flight now (sent, not yet answered), and that count as each request started. */
  private inFlight = 0;
  private concurrent: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly file: string, everyMs = 5_000) {
    this.timer = setInterval(() => this.flush(), everyMs);
    this.timer.unref();
  }

  /** One connection's clock: frames out since its last answer, and when the last one left. */
  pipe(): { sent(): void; answered(): void; closed(): void } {
    let frames = 0;
    let last = 0;
    return {
      sent: () => {
        if (frames === 0) this.concurrent.push(++this.inFlight);
        frames++;
        last = performance.now();
      },
      answered: () => {
        if (frames === 0) return;
        this.inFlight--;
        this.upstream.push(performance.now() - last);
        this.frames.push(frames);
        frames = 0;
      },
      closed: () => {
        if (frames > 0) this.inFlight--;
        frames = 0;
      },
    };
  }

  flush(): void {
    if (this.upstream.length === 0) return;
    appendFileSync(this.file, `${new Date().toISOString()} round trips=${this.upstream.length} beyond the proxy ms ${quantiles(this.upstream)} frames per request ${quantiles(this.frames)} in flight as one starts ${quantiles(this.concurrent)}\n`);
    this.upstream = [];
    this.frames = [];
    this.concurrent = [];
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
