/**
 * The edge's outcome counters (issue 21, ADR 040): sign-in results, rate-limit refusals by door,
 * push deliveries by result and feature-flag decisions by arm, in the isolate like the request
 * metrics (ADR 029); plus the push outbox's depth and lag, read from Postgres at scrape time (one
 * query on the partial index of due alerts), so that gauge is the database's, not the isolate's.
 * Every label value is from a closed set (codes, door names, flag keys), never a player.
 */
import { family, sample, Series } from "../../party/metrics/prom";

export interface OutboxState {
  /** Alerts waiting for a push (push_state due). */
  due: number;
  /** How long the most overdue one has been due, seconds (0 when none is). */
  lagSeconds: number;
}

export class EdgeOutcomes {
  /** result: ok, or the refusal's code (invalid_credentials, too_many_attempts, account_frozen...). */
  readonly signIns = new Series("result");
  readonly rateLimited = new Series("door");
  /** result: delivered, sent, retried, dead, gone, rejected (edge/push/sender.server.ts DrainReport). */
  readonly push = new Series("result");
  /** `${flag}\u0000${arm}`: decisions by flag and A/B arm (ADR 026). */
  private readonly flags = new Map<string, { flag: string; arm: string; n: number }>();

  flagDecision(flag: string, arm: "on" | "off"): void {
    const key = `${flag}\u0000${arm}`;
    const s = this.flags.get(key);
    if (s) s.n++;
    else this.flags.set(key, { flag, arm, n: 1 });
  }

  flagCount(flag: string, arm: "on" | "off"): number {
    return this.flags.get(`${flag}\u0000${arm}`)?.n ?? 0;
  }

  render(outbox?: OutboxState): string {
    const lines = (name: string, series: Series) => [...series.entries()].map((e) => sample(name, e.labels, e.value));
    let text =
      family("bazaar_edge_sign_ins_total", "counter", "Password sign-ins (web and API) by result.", lines("bazaar_edge_sign_ins_total", this.signIns)) +
      family("bazaar_edge_rate_limited_total", "counter", "Requests refused with 429 by a door's rate limit (ADR 022), by door.", lines("bazaar_edge_rate_limited_total", this.rateLimited)) +
      family("bazaar_edge_push_total", "counter", "Web Push drain outcomes (ADR 014) by result.", lines("bazaar_edge_push_total", this.push)) +
      family("bazaar_flag_decisions_total", "counter", "Feature-flag decisions by flag and A/B arm (ADR 026).", [...this.flags.values()].map((f) => sample("bazaar_flag_decisions_total", { flag: f.flag, arm: f.arm }, f.n)));
    if (outbox) {
      text +=
        family("bazaar_edge_push_outbox_due", "gauge", "Alerts waiting for a push (the outbox's depth, from Postgres at scrape time).", [sample("bazaar_edge_push_outbox_due", {}, outbox.due)]) +
        family("bazaar_edge_push_outbox_lag_seconds", "gauge", "How long the most overdue alert has waited for its push, seconds.", [sample("bazaar_edge_push_outbox_lag_seconds", {}, outbox.lagSeconds)]);
    }
    return text;
  }
}

/** The isolate's one instance. */
export const edgeOutcomes = new EdgeOutcomes();
