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
 * and have everyone else's orders refused as busy (ADR 048). A player whose last socket closes keeps
 * a drained bucket until it has refilled: closing and reopening sockets does not reset it.
 */
export class PlayerThrottles {
  private readonly buckets = new Map<string, Throttle>();
  /** Players with no socket left whose bucket had not refilled when they left. */
  private readonly departed = new Set<string>();
  private takes = 0;

  constructor(
    private readonly perSecond = 200,
    private readonly burst = 400,
    /** Every this many takes, departed players' refilled buckets are forgotten. */
    private readonly sweepEvery = 1_024,
  ) {}

  /** Buckets held (the room's memory for throttling). */
  get size(): number {
    return this.buckets.size;
  }

  take(playerId: string, now = Date.now()): boolean {
    if (++this.takes % this.sweepEvery === 0) this.sweep(now);
    this.departed.delete(playerId);
    let bucket = this.buckets.get(playerId);
    if (!bucket) this.buckets.set(playerId, (bucket = new Throttle(this.perSecond, this.burst, now)));
    return bucket.take(now);
  }

  /** The player's last socket closed: forget the bucket once it has refilled. */
  left(playerId: string, now = Date.now()): void {
    this.departed.add(playerId);
    this.sweep(now);
  }

  private sweep(now: number): void {
    for (const id of this.departed) {
      const bucket = this.buckets.get(id);
      if (bucket && !bucket.full(now)) continue;
      this.buckets.delete(id);
      this.departed.delete(id);
    }
  }
}
