/**
 * `npm test`: everything, in order, against real servers, then one summary table.
 *
 *   typecheck  tsc --noEmit
 *   unit       vitest --project unit          (tests/scripts reach the real Postgres and Redis)
 *   db         vitest --project db, TEST_DB=pglite    (in-memory PGlite)
 *   db         vitest --project db, TEST_DB=postgres  (TEST_DATABASE_URL, default 127.0.0.1:5432)
 *   http       vitest --project http          (wrangler dev + partykit dev on the real Postgres)
 *   rooms      vitest --project rooms         (partykit dev: 8x20 trading, SIGKILL and Postgres-restart faults; the embedded stack: load, kills, the demo world)
 *   e2e        npm run test:e2e               (chromium via playwright-core on its own stack, real Postgres; last)
 *
 * Postgres and Redis must be reachable before anything runs: if not, this fails (exit 1) with the
 * command that starts them. Nothing is ever skipped. Exit code 1 if any step failed.
 * `npm test -- --only unit,db` runs a subset (a partial run still prints what it left out).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { connectResp } from "./resp";
import { repoRoot } from "./paths";

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
let current: ReturnType<typeof spawn> | undefined;
let interrupted: NodeJS.Signals | undefined;

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    interrupted = signal;
    // vitest stops on SIGTERM and runs its teardowns (the http stack, test databases).
    if (current?.pid) current.kill("SIGTERM");
  });
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: "inherit", env: { ...process.env, ...env } });
    current = child;
    child.on("close", (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
    child.on("error", (error) => {
      console.error(error);
      resolve(1);
    });
  });
}

const heading = (text: string) => console.log(`\n\x1b[1m━━ ${text} ${"━".repeat(Math.max(0, 70 - text.length))}\x1b[0m\n`);

async function vitest(suite: string, project: string, server: string, env: Record<string, string> = {}): Promise<void> {
  const tag = `${project}${env.TEST_DB ? `-${env.TEST_DB}` : ""}`;
  heading(`${suite}: ${server}`);
  const out = path.join(resultsDir, `${tag}.json`);
  rmSync(out, { force: true });
  const t0 = performance.now();
  const code = await run(process.execPath, [bin("vitest"), "run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${out}`], {
    TEST_DATABASE_URL: databaseUrl,
    TEST_REDIS_URL: redisUrl,
    ...env,
  });
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
}

/** The browser suite (tests/e2e/run.ts): its own runner, which writes a JSON summary. */
async function e2e(server: string): Promise<void> {
  heading(`e2e: ${server}`);
  const out = path.join(resultsDir, "e2e.json");
  rmSync(out, { force: true });
  const t0 = performance.now();
  const code = await run(process.execPath, ["--import", "tsx", path.join("tests", "e2e", "run.ts")], { TEST_DATABASE_URL: databaseUrl });
  const seconds = (performance.now() - t0) / 1000;
  let tests = "?";
  let total = 0;
  try {
    const report = JSON.parse(readFileSync(out, "utf8")) as { tests: number; passed: number };
    tests = `${report.passed}/${report.tests}`;
    total = report.tests;
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
  console.log(`\n  total ${totalSeconds.toFixed(1)} s: ${ok ? "\x1b[32mall passed\x1b[0m" : "\x1b[31mFAILED\x1b[0m"}${interrupted ? ` (interrupted by ${interrupted})` : ""}\n`);
  return ok;
}

const t0 = performance.now();
const onlyArg = process.argv.indexOf("--only");
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? "").split(",")) : undefined;
const want = (step: string) => !only || only.has(step);
mkdirSync(resultsDir, { recursive: true });

const servers = await preflight();
const pgAt = `${servers.postgres} at ${where(databaseUrl)}`;
const pgliteLabel = pgliteVersion();
pgliteLabel.catch(() => undefined);

const steps: [string, () => Promise<void>][] = [
  ["typecheck", typecheck],
  ["unit", () => vitest("unit", "unit", `in-process; tests/scripts: ${pgAt}, ${servers.redis} at ${where(redisUrl)}`)],
  ["db", async () => vitest("db", "db", await pgliteLabel.catch((e: Error) => `PGlite (version query failed: ${e.message})`), { TEST_DB: "pglite" })],
  ["db", () => vitest("db", "db", pgAt, { TEST_DB: "postgres" })],
  ["http", () => vitest("http", "http", `${pgAt}; wrangler dev + partykit dev`)],
  ["rooms", () => vitest("rooms", "rooms", `${pgAt}; partykit dev (8x20 trading, SIGKILL, Postgres restart); embedded stack on PGlite (load, kills, the demo world with its NPC traders)`)],
  ["e2e", () => e2e(`${pgAt}; chromium (playwright-core), phone + tablet`)],
];
for (const [name, step] of steps) {
  if (interrupted) break;
  if (want(name)) await step();
}
if (only) console.log(`\n  (partial run: --only ${[...only].join(",")})`);
const ok = printSummary((performance.now() - t0) / 1000);
process.exit(ok && !interrupted ? 0 : 1);
