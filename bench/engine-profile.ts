/**
 * Profiling helper: `node --import tsx --cpu-prof bench/engine-profile.ts b` runs one workload's
 * throughput loop. IDS=number for numeric order ids.
 */
import { OrderBook, type OrderId } from "../party/engine";
import { deepWorkload, exchangeCoreWorkload, retailWorkload } from "./engine-workloads";

const which = process.argv[2] ?? "b";
const n = Number(process.argv[3] ?? 1_000_000);
const ids = process.env.IDS === "number" ? "number" : "string";
const w = which === "a" ? exchangeCoreWorkload(1, n, 1_000, ids) : which === "c" ? deepWorkload(3, n, 1_000_000, 1_000, ids) : retailWorkload(2, n, 10_000, ids);
for (let rep = 0; rep < Number(process.env.REPS ?? 3); rep++) {
  const book = new OrderBook<OrderId>(w.config);
  for (const c of w.setup) book.process(c);
  const t0 = performance.now();
  for (const c of w.commands) book.process(c);
  const ms = performance.now() - t0;
  console.log(`${w.name}: ${Math.round((w.commands.length / ms) * 1000).toLocaleString("en-US")} ops/s, open ${book.size()}`);
}
