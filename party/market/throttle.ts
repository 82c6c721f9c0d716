/** A token bucket per connection: a flood of commands is refused with a clear message. */
export class Throttle {
  private tokens: number;
  private last: number;

  constructor(private readonly perSecond = 200, private readonly burst = 400, now = Date.now()) {
    this.tokens = burst;
    this.last = now;
  }

  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
