/** Profiling helper: `node --import tsx --cpu-prof bench/engine-profile.ts b` runs one workload's throughput loop. */
import { OrderBook } from "../party/engine";
import { deepWorkload, exchangeCoreWorkload, retailWorkload } from "./engine-workloads";

const which = process.argv[2] ?? "b";
const n = Number(process.argv[3] ?? 1_000_000);
const w = which === "a" ? exchangeCoreWorkload(1, n) : which === "c" ? deepWorkload(3, n) : retailWorkload(2, n);
for (let rep = 0; rep < Number(process.env.REPS ?? 3); rep++) {
  const book = new OrderBook(w.config);
  for (const c of w.setup) book.process(c);
  const t0 = performance.now();
  for (const c of w.commands) book.process(c);
  const ms = performance.now() - t0;
  console.log(`${w.name}: ${Math.round((w.commands.length / ms) * 1000).toLocaleString("en-US")} ops/s, open ${book.size()}`);
}
