/**
 * A stack for the browser suites (e2e, bench:web): a fresh database on the real Postgres
 * (tests/support/db.ts, TEST_DB=postgres), seeded with db/seed.ts, then scripts/stack.ts on ports
 * of its own. stop() stops the children by PID and drops the database.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import type { Db } from "../../db/db";
import { seed } from "../../db/seed";
import { repoRoot } from "../../scripts/paths";
import { startStack, type Stack } from "../../scripts/stack";
import { openTestDb } from "../support/db";

export interface BrowserStack {
  url: string;
  /** The stack's own database (a fresh one on the real Postgres). */
  databaseUrl: string;
  stack: Stack;
  log: string;
  stop(): Promise<void>;
}

export async function startBrowserStack(name: string, ports: { web: number; party: number; wsProxy: number }, prepare?: (db: Db) => Promise<void>, extraEnv: Record<string, string> = {}): Promise<BrowserStack> {
  process.env.TEST_DB = "postgres";
  const db = await openTestDb({ poolSize: 2 });
  await seed(db.db);
  await prepare?.(db.db);
  const logDir = path.join(repoRoot, ".data", "logs");
  mkdirSync(logDir, { recursive: true });
  const log = path.join(logDir, `${name}-stack.log`);
  const output = createWriteStream(log);
  let stack: Stack;
  try {
    stack = await startStack({
      databaseUrl: db.url!,
      ports,
      // PUSH_ALLOW_LOOPBACK: the push suite's push service is plain HTTP on 127.0.0.1 (tests/e2e/push.e2e.ts).
      env: { APP_ENV: "test", SESSION_SECRET: randomBytes(32).toString("hex"), ROOM_SECRET: randomBytes(32).toString("hex"), PUSH_ALLOW_LOOPBACK: "1", RATE_LIMIT_FACTOR: "100", MARKET_RELAYS: "2", ...extraEnv },
      output,
      timeouts: { web: 60_000, party: 60_000, build: 240_000 },
    });
  } catch (error) {
    output.end();
    await db.close();
    throw new Error(`${(error as Error).message} (log: ${log})`);
  }
  return {
    url: stack.url,
    databaseUrl: db.url!,
    stack,
    log,
    async stop() {
      await stack.stop(`${name} done`);
      output.end();
      await db.close();
    },
  };
}

/** Chromium flags for headless runs here (root: no sandbox; offline machine: no background traffic). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const CHROMIUM = process.env.CHROME_PATH ?? "/usr/bin/chromium";
