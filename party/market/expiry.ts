/**
 * The room's expiry alarm: one Durable Object alarm, kept at the earliest expiry among the market's
 * committed open orders. No PartyKit import (party/market.ts hands it the room's storage).
 *
 *  - arm(next) after every committed batch that added or removed a timed order, after the room
 *    opens, and after each alarm: a later or no expiry moves or deletes the alarm;
 *  - the alarm itself submits an "expire" command to the session, so it queues behind any running
 *    batch and commits through the same group commit (an expiry never fails a batch);
 *  - a failed alarm (database down, market not loaded) is logged and re-armed with a backoff of
 *    1 s, 2 s, 4 s ... up to 30 s, instead of being lost or spinning.
 *
 * The platform deletes an alarm once its handler returns unless it was set again meanwhile, so the
 * handler calls fired() first: the next arm() always writes, even for the same time.
 */

/** The part of Durable Object storage the alarm uses. */
export interface AlarmStore {
  setAlarm(at: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}

/** An alarm is never set closer than this to now (a past expiry fires almost at once). */
export const MIN_LEAD_MS = 50;
export const RETRY_MAX_MS = 30_000;

/** 1 s after the first failure, doubling, at most 30 s. */
export function retryDelay(failures: number): number {
  return Math.min(RETRY_MAX_MS, 1_000 * 2 ** Math.min(Math.max(failures, 0), 15));
}

/** The earliest expiry among orders (committed open orders: the session's openOrders). */
export function earliestExpiry(orders: Iterable<{ expiresAt: number | null }>): number | undefined {
  let min: number | undefined;
  for (const o of orders) if (o.expiresAt !== null && (min === undefined || o.expiresAt < min)) min = o.expiresAt;
  return min;
}

export class ExpiryAlarm {
  /** What the stored alarm is known to be: a time, null for none, undefined when not known. */
  private armedFor: number | null | undefined;
  private failures = 0;

  constructor(
    private readonly store: AlarmStore,
    private readonly market: () => string | null,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Keep the alarm at `next` (no alarm when undefined). Never throws: a failure is logged, and the
   * next batch with a timed order, the next alarm or the cron sweep (edge/market/wake.server.ts)
   * sets it again.
   */
  async arm(next: number | undefined): Promise<void> {
    const at = next === undefined ? null : Math.max(next, this.now() + MIN_LEAD_MS);
    if (at === this.armedFor) return;
    // Written before the await so that calls made one after another keep their order.
    this.armedFor = at;
    try {
      if (at === null) await this.store.deleteAlarm();
      else await this.store.setAlarm(at);
    } catch (error) {
      this.armedFor = undefined;
      console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "could not set the expiry alarm", market: this.market(), error: String(error).slice(0, 300) }));
    }
  }

  /** The alarm is running: the platform forgets it when the handler returns unless it is set again. */
  fired(): void {
    this.armedFor = undefined;
  }

  succeeded(): void {
    this.failures = 0;
  }

  /** Log the failure and re-arm after a backoff. Throws only if the alarm cannot be set (the platform then retries the alarm). */
  async failed(error: unknown): Promise<number> {
    const delay = retryDelay(this.failures++);
    console.error(JSON.stringify({ ts: new Date().toISOString(), level: "warn", msg: `market expiry alarm failed; retrying in ${delay} ms`, market: this.market(), failures: this.failures, error: String(error).slice(0, 300) }));
    const at = this.now() + delay;
    this.armedFor = at;
    try {
      await this.store.setAlarm(at);
    } catch (setError) {
      this.armedFor = undefined;
      throw setError;
    }
    return delay;
  }
}
