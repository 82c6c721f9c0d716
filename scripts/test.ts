/**
 * `npm test`: everything, against real servers, in two lanes and then one suite alone, then one
 * summary table.
 *
 *   first lane    typecheck  tsc --noEmit, while the worker builds in the background (npm run build,
 *                            when build/ is older than the sources; the stacks start on that build)
 *                 unit       vitest --project unit          (tests/scripts reach the real Postgres and Redis)
 *                 db         vitest --project db, TEST_DB=pglite    (in-memory PGlite)
 *                 db         vitest --project db, TEST_DB=postgres  (TEST_DATABASE_URL, default 127.0.0.1:5432)
 *                 http       vitest --project http          (wrangler dev + partykit dev on the real Postgres)
 *                 e2e        npm run test:e2e               (chromium via playwright-core on its own stack)
 *   second lane   rooms      the embedded stack on PGlite: load, kills, the demo world
 *   (after build) rooms      partykit dev on the real Postgres: 8x20 trading, expiry, metrics, busy
 *   alone, last   rooms      faults: SIGKILL of the rooms and a restart of the machine's Postgres
 *   then          logs       no secret in any server's log of the run (scripts/logs/scan.ts)
 *
 * The second lane's output goes to .data/logs/test-<suite>.log and is printed whole when it ends.
 * Postgres and Redis must be reachable before anything runs: if not, this fails (exit 1) with the
 * command that starts them. Nothing is ever skipped. Exit code 1 if any step failed.
 * `npm test -- --only unit,db` runs a subset (a partial run still prints what it left out).
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { connectResp } from "./resp";
import { repoRoot } from "./paths";
import { buildNeeded } from "./stack";

const databaseUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const resultsDir = path.join(repoRoot, ".data", "test-results");
const bin = (name: string) => path.join(repoRoot, "node_modules", ".bin", name);

interface Row {
  suite: string;
  server: string;
  files: string;
  tests: string;
  seconds: number;
  ok: boolean;
  note?: string;
}

const rows: Row[] = [];
/** Every child running now (two lanes may run at once); a signal stops them all. */
const children = new Set<ReturnType<typeof spawn>>();
/** The worker's build, running in the background alongside the typecheck. */
let background: ReturnType<typeof spawn> | undefined;
let interrupted: NodeJS.Signals | undefined;

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    interrupted = signal;
    // vitest stops on SIGTERM and runs its teardowns (the http stack, test databases).
    for (const child of children) if (child.pid) child.kill("SIGTERM");
    if (background?.pid) background.kill("SIGTERM");
  });
}

/**
 * Runs a command to its end. With `log`, its output goes to that file (a suite running in the
 * second lane) and is printed whole, under its heading, when it ends, so lanes never interleave.
 */
function run(command: string, args: string[], env: Record<string, string> = {}, log?: { file: string; heading: string }): Promise<number> {
  return new Promise((resolve) => {
    const out = log ? openSync(log.file, "w") : undefined;
    let ended = false;
    const child = spawn(command, args, { cwd: repoRoot, stdio: out === undefined ? "inherit" : ["ignore", out, out], env: { ...process.env, ...env } });
    children.add(child);
    const done = (code: number) => {
      if (ended) return;
      ended = true;
      children.delete(child);
      if (log && out !== undefined) {
        closeSync(out);
        heading(log.heading);
        process.stdout.write(readFileSync(log.file, "utf8"));
      }
      resolve(code);
    };
    child.on("close", (code, signal) => done(code ?? (signal ? 128 : 1)));
    child.on("error", (error) => {
      console.error(error);
      done(1);
    });
  });
}

const heading = (text: string) => console.log(`\n\x1b[1m━━ ${text} ${"━".repeat(Math.max(0, 70 - text.length))}\x1b[0m\n`);

interface Lane {
  /** Test files (a part of the project) instead of the whole project. */
  files?: string[];
  /** A name for the part, in the results' file names. */
  part?: string;
  /** Runs in the second lane: output to a log, printed whole when the suite ends. */
  quiet?: boolean;
}

/** Where a second-lane suite's output goes, and its heading; undefined in the first lane. */
function laneLog(tag: string, title: string, lane: Lane): { file: string; heading: string } | undefined {
  if (!lane.quiet) {
    heading(title);
    return undefined;
  }
  console.log(`  (second lane) ${title}: started, output when it ends`);
  return { file: path.join(repoRoot, ".data", "logs", `test-${tag}.log`), heading: `${title} (second lane)` };
}

async function vitest(suite: string, project: string, server: string, env: Record<string, string> = {}, lane: Lane = {}): Promise<void> {
  const tag = `${project}${env.TEST_DB ? `-${env.TEST_DB}` : ""}${lane.part ? `-${lane.part}` : ""}`;
  const log = laneLog(tag, `${suite}: ${server}`, lane);
  const out = path.join(resultsDir, `${tag}.json`);
  rmSync(out, { force: true });
  const t0 = performance.now();
  const code = await run(
    process.execPath,
    [bin("vitest"), "run", "--project", project, ...(lane.files ?? []), "--reporter=default", "--reporter=json", `--outputFile.json=${out}`],
    { TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl, ...env },
    log,
  );
  const seconds = (performance.now() - t0) / 1000;
  let files = "?";
  let tests = "?";
  let total = 0;
  try {
    const report = JSON.parse(readFileSync(out, "utf8")) as {
      numTotalTests: number;
      numPassedTests: number;
      testResults: { status: string }[];
    };
    const passedFiles = report.testResults.filter((f) => f.status === "passed").length;
    files = `${passedFiles}/${report.testResults.length}`;
    tests = `${report.numPassedTests}/${report.numTotalTests}`;
    total = report.numTotalTests;
  } catch {
    // no report: vitest failed before running (config error, no files...)
  }
  const note = code === 0 && total === 0 ? "no tests found" : undefined;
  rows.push({ suite, server, files, tests, seconds, ok: code === 0 && total > 0, ...(note ? { note } : {}) });
  failures.push(...vitestFailures(suite, out));
}

/** The browser suite (tests/e2e/run.ts): its own runner, which writes a JSON summary. */
async function e2e(server: string, lane: Lane = {}): Promise<void> {
  const log = laneLog("e2e", `e2e: ${server}`, lane);
  const out = path.join(resultsDir, "e2e.json");
  rmSync(out, { force: true });
  const t0 = performance.now();
  const code = await run(process.execPath, ["--import", "tsx", path.join("tests", "e2e", "run.ts")], { TEST_DATABASE_URL: databaseUrl }, log);
  const seconds = (performance.now() - t0) / 1000;
  let tests = "?";
  let total = 0;
  try {
    const report = JSON.parse(readFileSync(out, "utf8")) as { tests: number; passed: number; results?: { name: string; ok: boolean; error?: string }[] };
    tests = `${report.passed}/${report.tests}`;
    total = report.tests;
    for (const r of report.results ?? []) if (!r.ok) failures.push(`e2e > ${r.name}: ${firstLine(r.error ?? "failed")}`);
  } catch {
    // no report: the runner failed before writing one
  }
  rows.push({ suite: "e2e", server, files: "1", tests, seconds, ok: code === 0 && total > 0, ...(code === 0 && total === 0 ? { note: "no tests found" } : {}) });
}

async function typecheck(): Promise<void> {
  heading("typecheck: tsc --noEmit");
  const t0 = performance.now();
  const code = await run(process.execPath, [bin("tsc"), "-p", "tsconfig.json", "--noEmit"]);
  rows.push({ suite: "typecheck", server: "-", files: "-", tests: "-", seconds: (performance.now() - t0) / 1000, ok: code === 0 });
}

/**
 * The worker's build (what the http, rooms and e2e stacks serve), started in the background so that
 * it overlaps the typecheck and the unit tests instead of holding up the http suite's start. Its
 * output goes to .data/logs/test-build.log; the step that needs it waits for it. Undefined when
 * build/ is already newer than the sources.
 */
function startBuild(): Promise<void> | undefined {
  const why = buildNeeded();
  if (!why) return undefined;
  const log = path.join(repoRoot, ".data", "logs", "test-build.log");
  mkdirSync(path.dirname(log), { recursive: true });
  console.log(`  building the worker in the background (${why}); log ${path.relative(repoRoot, log)}`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const out = openSync(log, "w");
    const child = spawn("npm", ["run", "build", "--silent"], { cwd: repoRoot, stdio: ["ignore", out, out] });
    background = child;
    const done = (code: number) => {
      background = undefined;
      closeSync(out);
      const seconds = (performance.now() - t0) / 1000;
      rows.push({ suite: "build", server: "- (alongside typecheck, unit)", files: "-", tests: "-", seconds, ok: code === 0, ...(code === 0 ? {} : { note: `see ${path.relative(repoRoot, log)}` }) });
      resolve();
    };
    child.on("close", (code, signal) => done(code ?? (signal ? 128 : 1)));
    child.on("error", (error) => {
      console.error(error);
      done(1);
    });
  });
}

const where = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith("redis") ? "6379" : "5432")}`;
};

/** Versions of the real servers, or a clear failure naming how to start them. */
async function preflight(): Promise<{ postgres: string; redis: string }> {
  const problems: string[] = [];
  let postgres = "";
  let redis = "";
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows: r } = await client.query<{ v: string }>("select version() as v");
    postgres = /^PostgreSQL [\d.]+/.exec(r[0]!.v)?.[0] ?? r[0]!.v;
  } catch (error) {
    problems.push(
      `Postgres at ${where(databaseUrl)} is unreachable (${(error as Error).message}).\n` +
        `    Start it:  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n` +
        `    (or point TEST_DATABASE_URL at a server; the database named in it must exist)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  try {
    const r = await connectResp(redisUrl);
    const info = String(await r.send(["INFO", "server"]));
    redis = `Redis ${/redis_version:([^\r\n]+)/.exec(info)?.[1] ?? "?"}`;
    await r.close();
  } catch (error) {
    problems.push(
      `Redis at ${where(redisUrl)} is unreachable (${(error as Error).message}).\n` +
        `    Start it:  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n` +
        `    (or point TEST_REDIS_URL at a server)`,
    );
  }
  if (problems.length) {
    console.error(`\n\x1b[31mnpm test needs real servers; nothing was run.\x1b[0m\n\n  ${problems.join("\n\n  ")}\n\n  (.ci/run starts both.)\n`);
    process.exit(1);
  }
  return { postgres, redis };
}

async function pgliteVersion(): Promise<string> {
  const version = (JSON.parse(readFileSync(path.join(repoRoot, "node_modules/@electric-sql/pglite/package.json"), "utf8")) as { version: string }).version;
  const db = await PGlite.create();
  try {
    const { rows: r } = await db.query<{ v: string }>("select version() as v");
    return `PGlite ${version} (in-memory, PG ${/PostgreSQL ([\d.]+)/.exec(r[0]!.v)?.[1] ?? "?"})`;
  } finally {
    await db.close();
  }
}

/** Each failed test of a suite, from its vitest JSON report: "suite > file > test: first line of the error". */
const failures: string[] = [];
const firstLine = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "").trim().split("\n")[0]!.slice(0, 240);
function vitestFailures(suite: string, reportFile: string): string[] {
  try {
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as {
      testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
    };
    const found: string[] = [];
    for (const file of report.testResults) {
      const name = path.relative(repoRoot, file.name);
      const failed = file.assertionResults.filter((a) => a.status === "failed");
      for (const a of failed) found.push(`${suite} > ${name} > ${a.fullName}: ${firstLine(a.failureMessages[0] ?? "failed")}`);
      // A file that failed outside its tests (a hook, an import) has no failed test to name.
      if (file.status === "failed" && failed.length === 0) found.push(`${suite} > ${name}: ${firstLine(file.message ?? "failed outside its tests")}`);
    }
    return found;
  } catch {
    return [];
  }
}

function printSummary(totalSeconds: number): boolean {
  const header = ["suite", "server", "files", "tests", "time", "result"];
  const body = rows.map((r) => [
    r.suite,
    r.server,
    r.files,
    r.tests,
    `${r.seconds.toFixed(1)} s`,
    r.ok ? "PASS" : `FAIL${r.note ? ` (${r.note})` : ""}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")}`;
  const ok = rows.every((r) => r.ok);
  console.log(`\n\x1b[1mSummary\x1b[0m\n`);
  console.log(line(header));
  console.log(`  ${widths.map((w) => "-".repeat(w)).join("-+-")}`);
  for (const [i, b] of body.entries()) {
    const colour = rows[i]!.ok ? "\x1b[32m" : "\x1b[31m";
    console.log(line(b).replace(/(PASS|FAIL.*)\s*$/, `${colour}$1\x1b[0m`));
  }
  if (failures.length > 0) {
    // Named here, at the very end, so that the tail of a long log says what failed and why.
    console.log(`\n  \x1b[31mfailed\x1b[0m (${failures.length}):`);
    for (const f of failures.slice(0, 30)) console.log(`    - ${f}`);
  }
  console.log(`\n  total ${totalSeconds.toFixed(1)} s: ${ok ? "\x1b[32mall passed\x1b[0m" : "\x1b[31mFAILED\x1b[0m"}${interrupted ? ` (interrupted by ${interrupted})` : ""}\n`);
  return ok;
}

/**
 * The last step: the servers' logs of this run hold no secret (scripts/logs/scan.ts). The stacks
 * write the secrets they hand out to a ledger (BAZAAR_SECRETS_LEDGER) so that their values can be
 * looked for.
 */
const secretsLedger = path.join(resultsDir, "secrets-ledger.txt");
async function scanLogs(): Promise<void> {
  heading("logs: no secrets in the servers' logs of this run");
  const t0 = performance.now();
  const code = await run(process.execPath, ["--import", "tsx", path.join("scripts", "logs", "scan.ts")]);
  rows.push({ suite: "logs", server: "- (.data/logs: every stack's output)", files: "-", tests: "-", seconds: (performance.now() - t0) / 1000, ok: code === 0 });
}

const t0 = performance.now();
const onlyArg = process.argv.indexOf("--only");
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? "").split(",")) : undefined;
const want = (step: string) => !only || only.has(step);
mkdirSync(resultsDir, { recursive: true });
rmSync(secretsLedger, { force: true });
process.env.BAZAAR_SECRETS_LEDGER = secretsLedger;

const servers = await preflight();
const pgAt = `${servers.postgres} at ${where(databaseUrl)}`;
const pgliteLabel = pgliteVersion();
pgliteLabel.catch(() => undefined);

const roomsOnPglite = ["demo-world", "embedded", "supervise"].map((f) => `tests/rooms/${f}.test.ts`);
const roomsOnPostgres = ["trading", "expiry", "metrics", "busy"].map((f) => `tests/rooms/${f}.test.ts`);
const roomsFaults = ["tests/rooms/faults.test.ts"];

/*
 * Two lanes, then one suite alone. The first lane is CPU-bound (typecheck, unit, db on both servers,
 * http, then the browser suite, by then mostly alone); the second holds the room suites, which mostly
 * wait on stacks, kills and restarts (the embedded-stack rooms, the rooms on partykit dev), and starts
 * once the worker is built. (The browser suite ran in the second lane once: beside the db and http
 * suites on two cores it took twice its time and ran out of its 300 s bound, now 900 s.) Every suite has its
 * own ports and databases. The fault suite restarts the machine's Postgres, so it runs last, when
 * nothing else is connected.
 */
const needsBuild = new Set(["http", "rooms", "e2e"]);
const build = [...needsBuild].some(want) ? startBuild() : undefined;
const first = async () => {
  for (const [name, step] of [
    ["typecheck", typecheck],
    ["unit", () => vitest("unit", "unit", `in-process; tests/scripts: ${pgAt}, ${servers.redis} at ${where(redisUrl)}`)],
    ["db", async () => vitest("db", "db", await pgliteLabel.catch((e: Error) => `PGlite (version query failed: ${e.message})`), { TEST_DB: "pglite" })],
    ["db", () => vitest("db", "db", pgAt, { TEST_DB: "postgres" })],
    ["http", async () => {
      await build;
      await vitest("http", "http", `${pgAt}; wrangler dev + partykit dev`);
    }],
    ["e2e", async () => {
      await build;
      await e2e(`${pgAt}; chromium (playwright-core), phone + tablet`);
    }],
  ] as [string, () => Promise<void>][]) {
    if (interrupted) return;
    if (want(name)) await step();
  }
};
const quiet = { quiet: true };
const second = async () => {
  if (!want("rooms")) return;
  await build;
  if (!interrupted) await vitest("rooms", "rooms", "embedded stack on PGlite (load, kills of each part, the demo world with its NPC traders)", {}, { ...quiet, files: roomsOnPglite, part: "pglite" });
  if (!interrupted) await vitest("rooms", "rooms", `${pgAt}; partykit dev (8x20 trading, expiry, metrics scraped by Prometheus, a room too far behind)`, {}, { ...quiet, files: roomsOnPostgres, part: "postgres" });
};
await Promise.all([first(), second()]);
if (!interrupted && want("rooms")) await vitest("rooms", "rooms", `${pgAt}; partykit dev (SIGKILL of the rooms, Postgres restart; alone, last)`, {}, { files: roomsFaults, part: "faults" });
await build;
if (!interrupted && (!only || only.has("logs"))) await scanLogs();
if (only) console.log(`\n  (partial run: --only ${[...only].join(",")})`);
const ok = printSummary((performance.now() - t0) / 1000);
process.exit(ok && !interrupted ? 0 : 1);
