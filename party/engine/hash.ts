import type { BookSnapshot, OrderId, OrderView } from "./types";

/**
 * A 64-bit hash (two 32-bit murmur3-style lanes) over a snapshot's canonical content: the config,
 * the sequence counter and every open order, in priority order. Two books with the same hash hold
 * the same orders in the same priority (up to hash collisions); the tests also compare snapshots.
 */
export function stateHash(s: BookSnapshot<OrderId>): string {
  const h = new Hasher();
  h.num(s.version).num(s.tickSize).num(s.lotSize).num(s.nextSeq);
  h.num(s.bids.length);
  for (const o of s.bids) hashOrder(h, o);
  h.num(s.asks.length);
  for (const o of s.asks) hashOrder(h, o);
  return h.hex();
}

function hashOrder(h: Hasher, o: OrderView<OrderId>): void {
  h.id(o.orderId).str(o.playerId).str(o.clientOrderId ?? "\u0000").str(o.side);
  h.num(o.price).num(o.remaining).num(o.filled).num(o.seq);
  h.str(o.timeInForce).str(o.stp).num(o.expiresAt ?? -1);
}

class Hasher {
  private a = 0x811c9dc5;
  private b = 0x2f7a1c3d;

  /** murmur3-style mixing of one 32-bit word into two lanes with different constants. */
  private word(w: number): void {
    let k = Math.imul(w, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    let a = this.a ^ k;
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let b = this.b ^ Math.imul(w ^ (w >>> 16), 0x85ebca6b);
    b = (b << 17) | (b >>> 15);
    this.b = (Math.imul(b, 9) + 0x52dce729) | 0;
  }

  str(s: string): this {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
    return this;
  }

  /** A string id as str(); a numeric id as a marker no string length can take, then the number. */
  id(v: OrderId): this {
    if (typeof v === "string") return this.str(v);
    this.word(-1);
    return this.num(v);
  }

  num(n: number): this {
    // Safe integers: the low 32 bits and the high part, exactly.
    this.word(n >>> 0);
    this.word(Math.floor(n / 4294967296) | 0);
    return this;
  }

  hex(): string {
    const fa = Math.imul(this.a ^ (this.a >>> 16), 0x85ebca6b) ^ this.b;
    const fb = Math.imul(this.b ^ (this.b >>> 13), 0xc2b2ae35) ^ this.a;
    return (fa >>> 0).toString(16).padStart(8, "0") + (fb >>> 0).toString(16).padStart(8, "0");
  }
}
