/**
 * Wealth inequality over players' net worth (pure): the Gini coefficient and the share held by the
 * richest fraction. Worth is integer copper; sums are taken in BigInt (many players x large worth
 * passes 2^53) and the ratios leave as numbers rounded to 4 places.
 *
 * Gini, over worth sorted ascending x_1..x_n (i from 1):  G = 2 sum(i x_i) / (n sum x) - (n + 1) / n
 * All equal: 0. One player holds everything: (n - 1) / n, near 1 for many players.
 */
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

function ratio(num: bigint, den: bigint): number {
  // Keep 12 significant digits of the quotient exactly before going to floating point.
  const scale = 10n ** 12n;
  return Number((num * scale) / den) / Number(scale);
}

export function gini(worth: number[]): number {
  const xs = worth.map((w) => BigInt(Math.max(0, Math.trunc(w)))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = BigInt(xs.length);
  const sum = xs.reduce((s, x) => s + x, 0n);
  if (n === 0n || sum === 0n) return 0;
  let weighted = 0n;
  xs.forEach((x, i) => (weighted += BigInt(i + 1) * x));
  // G = (2 weighted - (n + 1) sum) / (n sum)
  return round4(ratio(2n * weighted - (n + 1n) * sum, n * sum));
}

/** Share of all worth held by the richest `fraction` of players (at least one player); 0..1. */
export function topShare(worth: number[], fraction: number): number {
  const xs = worth.map((w) => BigInt(Math.max(0, Math.trunc(w)))).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const sum = xs.reduce((s, x) => s + x, 0n);
  if (xs.length === 0 || sum === 0n) return 0;
  const k = Math.max(1, Math.ceil(xs.length * fraction));
  const top = xs.slice(0, k).reduce((s, x) => s + x, 0n);
  return round4(ratio(top, sum));
}

/** Velocity: traded value over the money supply (how many times the money changed hands); 4 places. */
export function velocity(tradedValue: number, moneySupply: number): number {
  if (moneySupply <= 0) return 0;
  return round4(ratio(BigInt(Math.trunc(tradedValue)), BigInt(Math.trunc(moneySupply))));
}
