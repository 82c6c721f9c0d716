/**
 * The embedded stack for a room-suite file, started the way `npm start` starts it (PGlite in its
 * own directory under .data/, secrets given, one log file), stopped and removed after the file.
 */
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { repoRoot } from "../../scripts/paths";
import { startStack, type Stack, type StackPorts } from "../../scripts/stack";

export interface EmbeddedStack {
  /** The running stack (undefined before beforeAll and after stop). */
  readonly stack: Stack | undefined;
  /** The PGlite directory: open it with openPglite after stop(). */
  readonly dir: string;
  /** Stops the stack now (to read its database directory). */
  stop(reason: string): Promise<void>;
}

export function useEmbeddedStack(name: string, ports: StackPorts): EmbeddedStack {
  const dir = path.join(repoRoot, ".data", `test-${name}-${process.pid}`);
  const logFile = path.join(repoRoot, ".data", "logs", `${name}-stack.log`);
  let stack: Stack | undefined;
  beforeAll(async () => {
    mkdirSync(path.dirname(logFile), { recursive: true });
    stack = await startStack({
      pgliteDir: dir,
      ports,
      env: { APP_ENV: "test", SESSION_SECRET: "s".repeat(40), ROOM_SECRET: "r".repeat(40) },
      output: createWriteStream(logFile),
      timeouts: { db: 120_000, web: 90_000, party: 60_000, build: 180_000 },
    });
  }, 300_000);
  afterAll(async () => {
    await stack?.stop("test done");
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.lock`, { force: true });
  });
  return {
    get stack() {
      return stack;
    },
    dir,
    async stop(reason) {
      await stack?.stop(reason);
      stack = undefined;
    },
  };
}

/** The JSON API of a stack: status, Retry-After and the parsed body (or the raw text if not JSON). */
export async function callApi(baseUrl: string, p: string, init: { method?: string; token?: string; json?: unknown } = {}) {
  const res = await fetch(`${baseUrl}/api/v1${p}`, {
    method: init.method ?? "GET",
    headers: { ...(init.json ? { "content-type": "application/json" } : {}), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.json ? JSON.stringify(init.json) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: Record<string, any> | null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { raw: text.slice(0, 200) };
  }
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: body as Record<string, any> };
}
