/**
 * The platforms' limits on a deployed script and the verdict on measured bundles (pure; ADR 030).
 * Cloudflare Workers (edge, and the rooms: PartyKit runs them as Workers / Durable Objects):
 * compressed script size 3 MB on the free plan, 10 MB on the paid plan; the global scope must
 * parse and run within 1 s of startup CPU (raised from 400 ms in October 2025).
 */
export type Plan = "free" | "paid";

export const LIMITS = {
  gzipBytes: { free: 3 * 1024 * 1024, paid: 10 * 1024 * 1024 } satisfies Record<Plan, number>,
  startupMs: 1_000,
} as const;

export interface Measured {
  /** "edge" or "rooms" */
  name: string;
  file: string;
  rawBytes: number;
  gzipBytes: number;
  /** CPU milliseconds to parse and evaluate the global scope (best of a few runs), or undefined when not measured. */
  startupMs?: number;
  /** What the smoke in workerd saw, or undefined when it was not run. */
  smoke?: { ok: boolean; detail: string };
}

export interface Verdict {
  lines: string[];
  failures: string[];
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

export function judge(bundles: Measured[], plan: Plan): Verdict {
  const lines: string[] = [];
  const failures: string[] = [];
  const sizeLimit = LIMITS.gzipBytes[plan];
  for (const b of bundles) {
    lines.push(
      `${b.name}: ${b.file} raw ${kb(b.rawBytes)}, gzip ${kb(b.gzipBytes)} (${pct(b.gzipBytes, LIMITS.gzipBytes.free)} of free 3 MB, ${pct(b.gzipBytes, LIMITS.gzipBytes.paid)} of paid 10 MB)` +
        (b.startupMs === undefined ? "" : `, startup ${b.startupMs.toFixed(0)} ms CPU of ${LIMITS.startupMs} ms`) +
        (b.smoke ? `, workerd smoke ${b.smoke.ok ? "ok" : "FAILED"}: ${b.smoke.detail}` : ""),
    );
    if (b.gzipBytes > sizeLimit) failures.push(`${b.name}: gzip ${kb(b.gzipBytes)} is over the ${plan} plan's ${kb(sizeLimit)}`);
    if (b.startupMs !== undefined && b.startupMs > LIMITS.startupMs) failures.push(`${b.name}: startup ${b.startupMs.toFixed(0)} ms CPU is over ${LIMITS.startupMs} ms`);
    if (b.smoke && !b.smoke.ok) failures.push(`${b.name}: workerd smoke failed: ${b.smoke.detail}`);
  }
  return { lines, failures };
}

/** The last line: one record a CI log can grep. */
export function summaryLine(bundles: Measured[], plan: Plan, failures: string[]): string {
  const parts = bundles.map((b) => `${b.name}_gzip_kb=${Math.round(b.gzipBytes / 1024)} ${b.name}_startup_ms=${b.startupMs === undefined ? "na" : Math.round(b.startupMs)}`);
  return `bundles plan=${plan} ${parts.join(" ")} ${failures.length === 0 ? "ok" : `FAILED=${failures.length}`}`;
}
