/** A token bucket: a flood of commands is refused with a clear message. */
export class Throttle {
  private tokens: number;
  private last: number;

  constructor(private readonly perSecond = 200, private readonly burst = 400, now = Date.now()) {
    this.tokens = burst;
    this.last = now;
  }

  take(now = Date.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** The bucket has refilled: forgetting it now gives its player nothing they would not have. */
  full(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.perSecond);
    this.last = Math.max(this.last, now);
  }
}

/**
 * One bucket per player in a room, shared by all of that player's sockets (ADR 049): a player who
 * opens ten sockets gets one socket's rate, not ten, so no single player can fill the room's queue
 * and have everyone else's orders refused as busy (ADR 048). Buckets live while they are short of
 * full, whether or not their player is still connected, so closing and reopening sockets does not
 * refill one. A full bucket is the same as none, so full ones are forgotten in sweeps, run once as
 * many takes have passed as there are buckets (at least `sweepEvery`): amortized, a few checks a take.
 */
export class PlayerThrottles {
  private readonly buckets = new Map<string, Throttle>();
  private takesSinceSweep = 0;

  constructor(
    private readonly perSecond = 200,
    private readonly burst = 400,
    /** The fewest takes between two sweeps. */
    private readonly sweepEvery = 1_024,
  ) {}

  /** Buckets held (the room's memory for throttling). */
  get size(): number {
    return this.buckets.size;
  }

  take(playerId: string, now = Date.now()): boolean {
    if (++this.takesSinceSweep >= Math.max(this.sweepEvery, this.buckets.size)) this.sweep(now);
    let bucket = this.buckets.get(playerId);
    if (!bucket) this.buckets.set(playerId, (bucket = new Throttle(this.perSecond, this.burst, now)));
    return bucket.take(now);
  }

  private sweep(now: number): void {
    this.takesSinceSweep = 0;
    for (const [id, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(id);
  }
}
