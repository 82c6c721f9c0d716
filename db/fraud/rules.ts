/**
 * Fraud and manipulation rules (issue 18): each a small pure function over one trade and what the
 * consumer read around it, answering a flag (score 1-100 and an explanation in words) or null.
 * Flags are for review, never blocks. Thresholds are configuration (FraudConfig).
 */

/** A market trade as the rules see it: value moves buyer -> seller (copper), items seller -> buyer. */
export interface Trade {
  fillId: number;
  asset: number;
  seller: string;
  buyer: string;
  price: number;
  quantity: number;
  /** ms since epoch */
  at: number;
}

export interface Flag {
  rule: "wash_trading" | "price_outlier" | "velocity" | "new_account_value" | "shared_device_funnel";
  score: number;
  players: string[];
  explanation: string;
}

export interface FraudConfig {
  /** wash: trades each way between two players (or around a triangle) within the window. */
  washMinRoundTrips: number;
  /** price: beyond ratio x or 1/ratio of the 24 h median, with at least minTrades behind the median. */
  priceRatio: number;
  priceMinTrades: number;
  /** velocity: the last hour's traded value above factor x the player's average hour (and above minValue). */
  velocityFactor: number;
  velocityMinValue: number;
  /** new accounts: younger than maxAgeSeconds receiving more than minValue within the window. */
  newAccountMaxAgeSeconds: number;
  newAccountMinValue: number;
  /** funnel: at least minAccounts accounts sharing one device moving more than minValue to one player. */
  funnelMinAccounts: number;
  funnelMinValue: number;
}

export const defaultFraudConfig: FraudConfig = {
  washMinRoundTrips: 3,
  priceRatio: 5,
  priceMinTrades: 5,
  velocityFactor: 10,
  velocityMinValue: 1_000_000,
  newAccountMaxAgeSeconds: 86_400,
  newAccountMinValue: 500_000,
  funnelMinAccounts: 3,
  funnelMinValue: 500_000,
};

const clamp = (n: number) => Math.max(1, Math.min(100, Math.round(n)));
const value = (t: Trade) => t.price * t.quantity;

/** Wash trading: the trade's two players traded both ways, or value went round a triangle, washMinRoundTrips times in the window. */
export function washTrading(trade: Trade, window: Trade[], c: FraudConfig): Flag | null {
  const edges = new Map<string, number>();
  for (const t of window) edges.set(`${t.seller}>${t.buyer}`, (edges.get(`${t.seller}>${t.buyer}`) ?? 0) + 1);
  const n = (a: string, b: string) => edges.get(`${a}>${b}`) ?? 0;
  const { seller: s, buyer: b } = trade;
  const pair = Math.min(n(s, b), n(b, s));
  if (pair >= c.washMinRoundTrips) {
    return { rule: "wash_trading", score: clamp(20 * pair), players: [s, b].sort(), explanation: `${s} and ${b} traded back and forth ${pair} times each way in the window.` };
  }
  const thirds = new Set(window.flatMap((t) => [t.seller, t.buyer]).filter((p) => p !== s && p !== b));
  for (const x of [...thirds].sort()) {
    const round = Math.min(n(s, b), n(b, x), n(x, s));
    if (round >= c.washMinRoundTrips) {
      return { rule: "wash_trading", score: clamp(20 * round), players: [s, b, x].sort(), explanation: `Items went round ${s} -> ${b} -> ${x} -> ${s} ${round} times in the window (a circular flow).` };
    }
  }
  return null;
}

/** Price far from the reference: beyond priceRatio x or 1/priceRatio of the 24 h median (real-money transfers). */
export function priceOutlier(trade: Trade, median24h: number | null, tradesBehind: number, c: FraudConfig): Flag | null {
  if (median24h === null || median24h <= 0 || tradesBehind < c.priceMinTrades) return null;
  const high = trade.price >= median24h * c.priceRatio;
  const low = trade.price * c.priceRatio <= median24h;
  if (!high && !low) return null;
  const ratio = high ? trade.price / median24h : median24h / trade.price;
  return {
    rule: "price_outlier", score: clamp(10 * ratio), players: [trade.seller, trade.buyer].sort(),
    explanation: `Fill ${trade.fillId} at ${trade.price} copper is ${high ? `${Math.round(ratio * 10) / 10}x` : `1/${Math.round(ratio * 10) / 10}`} of the 24 h median ${median24h} (${tradesBehind} trades).`,
  };
}

/** Sudden velocity: the player's traded value in the last hour against their average hour before it. */
export function velocity(player: string, lastHour: number, averageHour: number, c: FraudConfig): Flag | null {
  if (lastHour < c.velocityMinValue || lastHour <= averageHour * c.velocityFactor) return null;
  const times = averageHour > 0 ? Math.round(lastHour / averageHour) : null;
  return {
    rule: "velocity", score: clamp(times === null ? 60 : 5 * times), players: [player],
    explanation: `${player} traded ${lastHour} copper in the last hour, ${times === null ? "with no trading before" : `${times}x their average hour (${averageHour})`}.`,
  };
}

/** A new account receiving large value (items at trade price, or copper above the market price). */
export function newAccountValue(player: string, ageSeconds: number, received: number, c: FraudConfig): Flag | null {
  if (ageSeconds >= c.newAccountMaxAgeSeconds || received < c.newAccountMinValue) return null;
  return {
    rule: "new_account_value", score: clamp(40 + (20 * received) / c.newAccountMinValue), players: [player],
    explanation: `${player}, an account ${Math.floor(ageSeconds / 3600)} h old, received ${received} copper of value in the window.`,
  };
}

/** Many accounts behind one device moving value to one player. `senders`: the accounts sharing `device` and what each sent. */
export function sharedDeviceFunnel(recipient: string, device: string, senders: Array<{ player: string; sent: number }>, c: FraudConfig): Flag | null {
  const moving = senders.filter((s) => s.player !== recipient && s.sent > 0);
  const total = moving.reduce((n, s) => n + s.sent, 0);
  if (moving.length < c.funnelMinAccounts || total < c.funnelMinValue) return null;
  return {
    rule: "shared_device_funnel", score: clamp(20 * moving.length), players: [recipient, ...moving.map((s) => s.player).sort()],
    explanation: `${moving.length} accounts behind one device (${device.slice(0, 8)}) moved ${total} copper of value to ${recipient}.`,
  };
}

export { value as tradeValue };
