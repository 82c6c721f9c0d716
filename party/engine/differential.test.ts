import { describe, expect, test } from "vitest";
import { ResultCode } from "./codes";
import { runDifferential } from "./differential";

// Seeded command streams through the fast and the reference book: every result and the state
// hash after every command must be identical. 10 x 26,000 = 260,000 commands in the normal run;
// `npx tsx party/engine/long-diff.ts 10000000` runs the long mode.
const runs = [
  { config: { tickSize: 1, lotSize: 1 }, seeds: [1, 2, 3, 4], huge: false },
  { config: { tickSize: 5, lotSize: 10 }, seeds: [5, 6, 7, 8], huge: false },
  // Quantities near 2^53 at prices of a few ticks (random-stream's huge mode).
  { config: { tickSize: 1, lotSize: 1 }, seeds: [9], huge: true },
  { config: { tickSize: 5, lotSize: 10 }, seeds: [10], huge: true },
];
// Order ids per seed: strings (the room's), numeric handles, or both in one book.
const idsOf = (seed: number) => (seed % 4 === 3 ? "number" : seed % 4 === 0 ? "mixed" : "string");
const PER_RUN = 26_000;
let total = 0;
const codes: Record<number, number> = {};

describe("fast book == reference book", () => {
  for (const { config, seeds, huge } of runs) {
    for (const seed of seeds) {
      test(`tick ${config.tickSize} lot ${config.lotSize} seed ${seed} (${idsOf(seed)} ids${huge ? ", huge quantities" : ""}): ${PER_RUN} commands`, () => {
        const report = runDifferential({ seed, config, commands: PER_RUN, targetSize: seed % 2 === 0 ? 80 : 30, ids: idsOf(seed), huge });
        if (report.mismatch) {
          expect(report.mismatch.fast, `${report.mismatch.what} differs at #${report.mismatch.index}: ${JSON.stringify(report.mismatch.command)}`).toEqual(
            report.mismatch.reference,
          );
        }
        expect(report.mismatch).toBeNull();
        total += report.commands;
        for (const [code, n] of Object.entries(report.codes)) codes[Number(code)] = (codes[Number(code)] ?? 0) + n;
      });
    }
  }

  test("at least 200,000 commands were compared", () => {
    expect(total).toBeGreaterThanOrEqual(200_000);
  });

  test("the streams reach the bounds: amends near 2^53 refused for the lifetime counter and for overflow", () => {
    expect(codes[ResultCode.LIFETIME_OVERFLOW] ?? 0).toBeGreaterThan(0);
    expect(codes[ResultCode.NOTIONAL_OVERFLOW] ?? 0).toBeGreaterThan(0);
  });
});
