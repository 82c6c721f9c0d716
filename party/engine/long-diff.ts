/**
 * Long differential run, not part of the normal test suite:
 *   npx tsx party/engine/long-diff.ts 10000000 [firstSeed]
 * Streams of 100,000 commands (fresh books, next seed, alternating configs, book sizes and id kinds) until
 * the total is reached. Every result is compared; the state hash every 50 commands and at the end
 * of each stream (hashing the reference book is O(book) per call).
 */
import { runDifferential } from "./differential";

const total = Number(process.argv[2] ?? 10_000_000);
let seed = Number(process.argv[3] ?? 1_000);
const configs = [
  { tickSize: 1, lotSize: 1 },
  { tickSize: 5, lotSize: 10 },
  { tickSize: 100, lotSize: 1 },
];
const idKinds = ["string", "number", "mixed"] as const;
const STREAM = 100_000;
const started = Date.now();
let done = 0;
while (done < total) {
  const commands = Math.min(STREAM, total - done);
  const config = configs[seed % configs.length] as (typeof configs)[number];
  const report = runDifferential({ seed, config, commands, targetSize: [30, 80, 200][seed % 3], ids: idKinds[Math.floor(seed / 3) % 3], hashEvery: 50 });
  if (report.mismatch) {
    console.error(`MISMATCH seed=${seed} ids=${idKinds[Math.floor(seed / 3) % 3]} config=${JSON.stringify(config)} at #${report.mismatch.index} (${report.mismatch.what})`);
    console.error(JSON.stringify(report.mismatch, null, 1));
    process.exit(1);
  }
  done += commands;
  seed++;
  if (seed % 10 === 0 || done >= total) {
    const s = (Date.now() - started) / 1000;
    console.log(`${done.toLocaleString("en-US")} commands, ${s.toFixed(0)} s, ${Math.round(done / s).toLocaleString("en-US")} commands/s, no mismatch`);
  }
}
console.log(`OK: ${done} commands, fast book == reference book`);
