/**
 * The room's nudge to the push sender (ADR 014): after a batch that wrote alerts commits, the room
 * POSTs PUSH_DRAIN_URL (the edge's /__push/drain) with a service token, so the alerts leave about a
 * second after the commit instead of at the next cron minute. Off the batch's path: never awaited
 * by the batch, at most one request in flight per room and at most one more queued behind it (any
 * number of commits meanwhile are covered by that one drain). A lost nudge costs only latency: the
 * cron drain picks the alerts up.
 *
 * Wiring (the lead, at merge): `const nudge = new PushNudge({ url: env(room, "PUSH_DRAIN_URL"),
 * secret: env(room, "ROOM_SECRET") })` once per room, and `nudge.poke()` after the COMMIT of a batch
 * whose alert step inserted rows.
 */
import { issueToken } from "./tokens";

export interface PushNudgeOptions {
  url?: string;
  secret?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  log?: (line: Record<string, unknown>) => void;
}

export class PushNudge {
  private running: Promise<void> | undefined;
  private again = false;
  /** Requests made so far (for tests and the room's profile). */
  sent = 0;

  constructor(private readonly options: PushNudgeOptions) {}

  /** Ask for a drain; returns the in-flight work (for waitUntil), or undefined when off. */
  poke(): Promise<void> | undefined {
    const { url, secret } = this.options;
    if (!url || !secret) return undefined;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          this.sent++;
          const token = await issueToken(secret, "service", "room", 60);
          const res = await (this.options.fetch ?? fetch)(url, {
            method: "POST",
            headers: { Authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (!res.ok) this.options.log?.({ msg: "push nudge refused", status: res.status });
        } while (this.again);
      } catch (error) {
        this.options.log?.({ msg: "push nudge failed", error: String(error) });
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
