/**
 * A market room's own metrics (issue 21, ADR 025), read by Prometheus through the room's
 * service-only `GET ?metrics`. Recording is on the batch's path, so it allocates nothing per
 * command: kinds are a fixed index, results are the answers' `reason` constants (a Map entry made
 * once per distinct reason), histograms are Float64Arrays. Gauges (queue, open orders, sockets,
 * SSE clients) are read at scrape time from the room, never kept up to date on the hot path.
 */
import type { Answer, MarketCommand } from "../settlement/types";
import { family, Histogram, sample, Series } from "../metrics/prom";

export const COMMAND_KINDS = ["place", "cancel", "amend", "cancelAll", "expire"] as const;
const KIND_INDEX: Record<MarketCommand["type"], number> = { place: 0, cancel: 1, amend: 2, cancelAll: 3, expire: 4 };

/** Batch sizes (commands) and seconds: wide enough for a quiet market and a storm. */
export const SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000] as const;
export const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface RoomGauges {
  queued: number;
  openOrders: number;
  sockets: number;
  sseClients: number;
}

export class RoomMetrics {
  /** result (answer reason, "OK" when ok) -> counts by kind index. */
  private readonly commands = new Map<string, Float64Array>();
  readonly batchSize = new Histogram(SIZE_BUCKETS);
  /** From the transaction's start to COMMIT's answer (begin + read + plan + write + commit). */
  readonly commitSeconds = new Histogram(SECONDS_BUCKETS);
  /** From the oldest command's arrival to its answers (the profile's total). */
  readonly batchSeconds = new Histogram(SECONDS_BUCKETS);
  readonly batches = new Series("outcome");
  readonly retries = new Series("code");
  ticksSent = 0;
  ticksDropped = 0;

  command(type: MarketCommand["type"], answer: Answer): void {
    const reason = answer.ok ? "OK" : answer.reason;
    let row = this.commands.get(reason);
    if (!row) this.commands.set(reason, (row = new Float64Array(COMMAND_KINDS.length)));
    row[KIND_INDEX[type]]!++;
  }

  commandCount(type: MarketCommand["type"], result: string): number {
    return this.commands.get(result)?.[KIND_INDEX[type]] ?? 0;
  }

  render(market: string, g: RoomGauges): string {
    const m = { market };
    const commandLines: string[] = [];
    for (const [result, row] of this.commands) {
      COMMAND_KINDS.forEach((kind, i) => {
        if (row[i]! > 0) commandLines.push(sample("bazaar_market_commands_total", { market, kind, result }, row[i]!));
      });
    }
    const hist = (h: Histogram, name: string) => {
      const out: string[] = [];
      h.lines(name, m, out);
      return out;
    };
    const series = (s: Series, name: string) => [...s.entries()].map((e) => sample(name, { market, ...e.labels }, e.value));
    return [
      family("bazaar_market_commands_total", "counter", "Commands answered by the room, by kind and result (the answer's reason).", commandLines),
      family("bazaar_market_batches_total", "counter", "Batches run, by outcome (committed, failed).", series(this.batches, "bazaar_market_batches_total")),
      family("bazaar_market_batch_size", "histogram", "Commands per committed batch.", hist(this.batchSize, "bazaar_market_batch_size")),
      family("bazaar_market_commit_seconds", "histogram", "A committed batch's transaction, from BEGIN to COMMIT's answer.", hist(this.commitSeconds, "bazaar_market_commit_seconds")),
      family("bazaar_market_batch_seconds", "histogram", "A committed batch from its oldest command's arrival to the answers.", hist(this.batchSeconds, "bazaar_market_batch_seconds")),
      family("bazaar_market_retries_total", "counter", "Batch retries, by Postgres error code; guess:<code> is a batch planned on remembered wallets planned again on a read (ADR 042).", series(this.retries, "bazaar_market_retries_total")),
      family("bazaar_market_queue_depth", "gauge", "Commands waiting for the next batch.", [sample("bazaar_market_queue_depth", m, g.queued)]),
      family("bazaar_market_open_orders", "gauge", "Committed open orders in the book.", [sample("bazaar_market_open_orders", m, g.openOrders)]),
      family("bazaar_market_sockets", "gauge", "Open WebSocket connections.", [sample("bazaar_market_sockets", m, g.sockets)]),
      family("bazaar_market_sse_clients", "gauge", "Open server-sent-event streams.", [sample("bazaar_market_sse_clients", m, g.sseClients)]),
      family("bazaar_market_ticks_sent_total", "counter", "Market-data updates broadcast (one per coalesced flush).", [sample("bazaar_market_ticks_sent_total", m, this.ticksSent)]),
      family("bazaar_market_ticks_dropped_total", "counter", "Updates a watcher did not get (a send or SSE write that failed).", [sample("bazaar_market_ticks_dropped_total", m, this.ticksDropped)]),
    ].join("");
  }
}
