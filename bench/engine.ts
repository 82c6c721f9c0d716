/**
 * npm run bench:engine  (tsx bench/engine.ts [commands=1000000] [--scaling])
 * --scaling adds workload (c)'s mix on books of 10,000 and 100,000 open orders (where the deep
 * book's time goes: the same work, a larger working set).
 *
 * For each workload: a warm-up stream (other seed) on a throwaway book; then THROUGHPUT runs (fresh
 * book, untimed setup, one timer around the whole command loop; median of 3) and one LATENCY run
 * (fresh book, performance.now() around each command). nodejs-order-book replays workload (b)'s
 * exact command stream in the same process. Last line: the (b) summary, machine-readable.
 *
 * Ids: (a), (b) and the baseline use short string order ids ("o1", "o2", ...); (b) is also run
 * with UUID-shaped ids (what the room's orders are named by) and with numeric ids; (c) runs with
 * numeric and with string ids (ADR 010, the id table).
 */
import os from "node:os";
import { OrderBook as BaselineBook, Side as BaselineSide } from "nodejs-order-book";
import { OrderBook, type Command, type OrderId } from "../party/engine";
import { Rng } from "../party/engine/random-stream";
import { deepWorkload, exchangeCoreWorkload, retailWorkload, type Workload } from "./engine-workloads";
import { collectGarbage, fmtInt, fmtUs, percentiles, table, timerOverhead, type Percentiles } from "./lib/latency";

const args = process.argv.slice(2);
const SCALING = args.includes("--scaling");
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const WARMUP = Math.min(N, 300_000);
const RUNS = 5;

interface Measured {
  name: string;
  opsPerSec: number;
  /** Commands per second of this process's CPU time (user + system, all threads, GC included). */
  opsPerCpuSec: number;
  runs: number[];
  lat: Percentiles;
  openStart: number;
  openEnd: number;
}

// ------------------------------------------------------------ our engine

function freshBook(w: Workload): OrderBook<OrderId> {
  const book = new OrderBook<OrderId>(w.config);
  for (const c of w.setup) book.process(c);
  return book;
}

function throughput(w: Workload): { opsPerSec: number; opsPerCpuSec: number; book: OrderBook<OrderId> } {
  const book = freshBook(w);
  collectGarbage();
  const cmds = w.commands;
  const n = cmds.length;
  let sink = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += book.process(cmds[i] as Command<OrderId>).code;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) console.log(sink);
  return { opsPerSec: (n / ms) * 1000, opsPerCpuSec: n / ((cpu.user + cpu.system) / 1e6), book };
}

function latency(w: Workload): Percentiles {
  const book = freshBook(w);
  collectGarbage();
  const cmds = w.commands;
  const n = cmds.length;
  const ns = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = cmds[i] as Command<OrderId>;
    const t0 = performance.now();
    book.process(c);
    ns[i] = (performance.now() - t0) * 1e6;
  }
  return percentiles(ns);
}

function measure(w: Workload, warm: Workload): Measured {
  latency(warm);
  throughput(warm);
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  let openEnd = 0;
  for (let r = 0; r < RUNS; r++) {
    const { opsPerSec, opsPerCpuSec, book } = throughput(w);
    runs.push(opsPerSec);
    cpuRuns.push(opsPerCpuSec);
    openEnd = book.size();
  }
  const lat = latency(w);
  const openStart = freshBook(w).size();
  collectGarbage();
  return { name: w.name, opsPerSec: median(runs), opsPerCpuSec: median(cpuRuns), runs, lat, openStart, openEnd };
}

// ------------------------------------------------------------ nodejs-order-book on the same stream

type BaselineOp =
  | { k: 0; o: { id: string; side: BaselineSide; size: number; price: number } }
  | { k: 1; o: { side: BaselineSide; size: number } }
  | { k: 2; id: string };

function toBaseline(cmds: Command<OrderId>[]): BaselineOp[] {
  return cmds.map((c): BaselineOp => {
    if ((c.type === "cancel" || c.type === "place") && typeof c.orderId !== "string") throw new Error("the baseline replays string ids only");
    if (c.type === "cancel") return { k: 2, id: c.orderId as string };
    if (c.type !== "place" || c.timeInForce !== undefined || c.stp !== undefined) throw new Error(`no baseline for ${JSON.stringify(c)}`);
    const side = c.side === "buy" ? BaselineSide.BUY : BaselineSide.SELL;
    if (c.orderType === "market") return { k: 1, o: { side, size: c.quantity } };
    return { k: 0, o: { id: c.orderId as string, side, size: c.quantity, price: c.price as number } };
  });
}

function baselineApply(ob: BaselineBook, op: BaselineOp): void {
  if (op.k === 0) ob.limit(op.o);
  else if (op.k === 1) ob.market(op.o);
  else ob.cancel(op.id);
}

function freshBaseline(setup: BaselineOp[]): BaselineBook {
  const ob = new BaselineBook();
  for (const op of setup) baselineApply(ob, op);
  return ob;
}

function measureBaseline(w: Workload, warm: Workload): Measured & { agrees: boolean } {
  const setup = toBaseline(w.setup);
  const ops = toBaseline(w.commands);
  const warmSetup = toBaseline(warm.setup);
  const warmOps = toBaseline(warm.commands);
  {
    const ob = freshBaseline(warmSetup);
    for (const op of warmOps) baselineApply(ob, op);
  }
  const runs: number[] = [];
  const cpuRuns: number[] = [];
  let last: BaselineBook | null = null;
  for (let r = 0; r < RUNS; r++) {
    const ob = freshBaseline(setup);
    collectGarbage();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < ops.length; i++) baselineApply(ob, ops[i] as BaselineOp);
    runs.push((ops.length / (performance.now() - t0)) * 1000);
    const cpu = process.cpuUsage(cpu0);
    cpuRuns.push(ops.length / ((cpu.user + cpu.system) / 1e6));
    last = ob;
  }
  const ob = freshBaseline(setup);
  collectGarbage();
  const ns = new Float64Array(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as BaselineOp;
    const t0 = performance.now();
    baselineApply(ob, op);
    ns[i] = (performance.now() - t0) * 1e6;
  }
  const lat = percentiles(ns);
  // Same stream, same rules: both books must end identical, level by level.
  const ours = freshBook(w);
  for (const c of w.commands) ours.process(c);
  const d = ours.depth();
  const [theirAsks, theirBids] = (last as BaselineBook).depth();
  const agrees =
    JSON.stringify(d.bids.map((l) => [l.price, l.quantity])) === JSON.stringify(theirBids) &&
    JSON.stringify(d.asks.map((l) => [l.price, l.quantity])) === JSON.stringify(theirAsks);
  return {
    name: "(b) baseline: nodejs-order-book 10.1.1, same stream",
    opsPerSec: median(runs),
    opsPerCpuSec: median(cpuRuns),
    runs,
    lat,
    openStart: 0,
    openEnd: 0,
    agrees,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

// ------------------------------------------------------------ clone / snapshot cost (for the room)

function cloneCost(w: Workload): string {
  const book = freshBook(w);
  const reps = book.size() > 100_000 ? 3 : 7;
  const snap: number[] = [];
  const restore: number[] = [];
  const clone: number[] = [];
  for (let r = 0; r < reps; r++) {
    collectGarbage();
    const t0 = performance.now();
    const s = book.snapshot();
    const t1 = performance.now();
    OrderBook.fromSnapshot(s);
    const t2 = performance.now();
    book.clone();
    const t3 = performance.now();
    snap.push(t1 - t0);
    restore.push(t2 - t1);
    clone.push(t3 - t2);
  }
  const ms = (xs: number[]) => median(xs).toFixed(1);
  return `${fmtInt(book.size())} open orders: snapshot ${ms(snap)} ms, restore ${ms(restore)} ms, clone ${ms(clone)} ms (median of ${reps})`;
}

// ------------------------------------------------------------ memory floor

/**
 * What one dependent random read of a 64-byte row costs here (each read names the next row, as a
 * cancel's id table names its row and the row its neighbours), in a buffer of `rows` rows: at
 * the size of (b)'s book it stays in cache, at (c)'s it is a cache and TLB miss. A cancel on (c)
 * makes about three such reads one after the other (id table, row, level neighbours).
 */
function dependentReadFloor(rows: number, reads = 2_000_000): number {
  const I = new Int32Array(rows * 16);
  const order = new Int32Array(rows);
  for (let k = 0; k < rows; k++) order[k] = k;
  const rng = new Rng(12345);
  for (let k = rows - 1; k > 0; k--) {
    const j = rng.int(0, k);
    const t = order[k] as number;
    order[k] = order[j] as number;
    order[j] = t;
  }
  for (let k = 0; k < rows; k++) I[(order[k] as number) * 16] = order[(k + 1) % rows] as number;
  let r = order[0] as number;
  const t0 = performance.now();
  for (let k = 0; k < reads; k++) r = I[r * 16] as number;
  const ns = ((performance.now() - t0) * 1e6) / reads;
  if (r < 0) console.log(r);
  return ns;
}

// ------------------------------------------------------------ main

function main(): void {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log(`commands per workload: ${fmtInt(N)} timed, after a warm-up of ${fmtInt(WARMUP)}; throughput = median of ${RUNS} runs`);
  const overhead = timerOverhead();
  const load0 = os.loadavg()[0] ?? 0;
  console.log(`timer: performance.now() pair costs p50 ${overhead.p50.toFixed(0)} ns, p99 ${overhead.p99.toFixed(0)} ns (included in every latency below)`);

  const results: Measured[] = [];
  const t = performance.now();
  const b = retailWorkload(2, N);
  const bWarm = retailWorkload(1002, WARMUP);
  console.log(`generated (b) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const a = exchangeCoreWorkload(1, N);
  const aWarm = exchangeCoreWorkload(1001, WARMUP);
  results.push(measure(a, aWarm));
  const mb = measure(b, bWarm);
  results.push(mb);
  const base = measureBaseline(b, bWarm);
  results.push(base);
  const mbUuid = measure(retailWorkload(2, N, 10_000, "uuid"), retailWorkload(1002, WARMUP, 10_000, "uuid"));
  results.push(mbUuid);
  const mbNum = measure(retailWorkload(2, N, 10_000, "number"), retailWorkload(1002, WARMUP, 10_000, "number"));
  results.push(mbNum);
  const clones = [cloneCost(a), cloneCost(b)];
  // (c) last: it needs the most memory.
  let c: Workload | null = deepWorkload(3, N, 1_000_000, 1_000, "number");
  const cWarm = deepWorkload(1003, WARMUP, 100_000, 1_000, "number");
  const deep = measure(c, cWarm);
  results.push(deep);
  clones.push(cloneCost(c));
  c = null;
  collectGarbage();
  const deepStr = measure(deepWorkload(3, N), deepWorkload(1003, WARMUP, 100_000));
  results.push(deepStr);
  collectGarbage();

  if (SCALING) {
    for (const size of [10_000, 100_000]) {
      const w = deepWorkload(3, N, size, 1_000, "number");
      const runs = [0, 1, 2].map(() => throughput(w));
      const lat = latency(w);
      results.push({
        name: `(c) same mix, ${fmtInt(size)} open orders`,
        opsPerSec: median(runs.map((r) => r.opsPerSec)),
        opsPerCpuSec: median(runs.map((r) => r.opsPerCpuSec)),
        runs: runs.map((r) => r.opsPerSec),
        lat,
        openStart: size,
        openEnd: runs[0]?.book.size() ?? 0,
      });
    }
  }

  const rows = results.map((r) => [
    r.name,
    fmtInt(r.opsPerSec),
    fmtInt(r.opsPerCpuSec),
    r.openStart ? `${fmtInt(r.openStart)} -> ${fmtInt(r.openEnd)}` : "",
    fmtUs(r.lat.p50),
    fmtUs(r.lat.p99),
    fmtUs(r.lat.p999),
    fmtUs(r.lat.max),
  ]);
  console.log("");
  console.log(table(["workload", "ops/s", "ops/CPU-s", "open orders", "p50 us", "p99 us", "p99.9 us", "max us"], rows));
  console.log("");
  for (const r of results) console.log(`${r.name}: runs ${r.runs.map(fmtInt).join(", ")} ops/s`);
  console.log(`load average (1 min) at start ${load0.toFixed(2)}, at end ${(os.loadavg()[0] ?? 0).toFixed(2)} (${os.cpus().length} cores; anything above ~1 means other processes shared the CPU)`);
  console.log(`baseline and engine end with the same book on (b): ${base.agrees ? "yes" : "NO"}`);
  for (const line of clones) console.log(`clone cost: ${line}`);
  const ratio = mb.opsPerSec / base.opsPerSec;
  console.log(
    `memory floor: one dependent random read of a 64-byte row costs ${dependentReadFloor(12_000).toFixed(0)} ns among 12,000 rows, ${dependentReadFloor(1_000_000).toFixed(0)} ns among 1,000,000 rows`,
  );
  const r2 = (x: number, y: number) => (x / y).toFixed(2);
  console.log(
    `(c) / (b) (goal: >= 0.50): string ids ${r2(deepStr.opsPerSec, mb.opsPerSec)} wall, ${r2(deepStr.opsPerCpuSec, mb.opsPerCpuSec)} CPU; ` +
      `numeric ids ${r2(deep.opsPerSec, mbNum.opsPerSec)} wall, ${r2(deep.opsPerCpuSec, mbNum.opsPerCpuSec)} CPU; ` +
      `(c) numeric / (b) string ${r2(deep.opsPerSec, mb.opsPerSec)} wall`,
  );
  console.log(
    `engine_ops_per_s=${Math.round(mb.opsPerSec)} baseline_ops_per_s=${Math.round(base.opsPerSec)} ratio=${ratio.toFixed(2)} p99_us=${(mb.lat.p99 / 1000).toFixed(2)}`,
  );
}

main();
