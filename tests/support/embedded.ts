/**
 * The embedded stack for a room-suite file, started the way `npm start` starts it (PGlite in its
 * own directory under .data/, secrets given, one log file), stopped and removed after the file.
 */
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { repoRoot } from "../../scripts/paths";
import { startStack, type Stack, type StackOptions, type StackPorts } from "../../scripts/stack";

export interface EmbeddedStack {
  /** The running stack (undefined before beforeAll and after stop). */
  readonly stack: Stack | undefined;
  /** The PGlite directory: open it with openPglite after stop(). */
  readonly dir: string;
  /** The stack's log, and when it was started and answered (epoch ms). */
  readonly logFile: string;
  readonly startedAt: number;
  readonly readyAt: number;
  /** Stops the stack now (to read its database directory). */
  stop(reason: string): Promise<void>;
}

/**
 * A room-suite file's ports from the environment, the given defaults otherwise:
 * ROOMS_<NAME>_PORT (web), ROOMS_<NAME>_PARTY_PORT, ROOMS_<NAME>_PGLITE_PORT, ROOMS_<NAME>_WS_PROXY_PORT,
 * so that two people can run the room suite at once on one machine.
 */
export function embeddedPorts(name: string, defaults: StackPorts, env: NodeJS.ProcessEnv = process.env): StackPorts {
  const pick = (suffix: string, fallback: number) => {
    const raw = env[`ROOMS_${name}_${suffix}`];
    if (raw === undefined || raw === "") return fallback;
    const port = Number(raw);
    if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`ROOMS_${name}_${suffix}=${raw} is not a port`);
    return port;
  };
  return { web: pick("PORT", defaults.web), party: pick("PARTY_PORT", defaults.party), pglite: pick("PGLITE_PORT", defaults.pglite), wsProxy: pick("WS_PROXY_PORT", defaults.wsProxy) };
}

export function useEmbeddedStack(name: string, ports: StackPorts, options: { demoWorld?: StackOptions["demoWorld"]; env?: Record<string, string> } = {}): EmbeddedStack {
  const dir = path.join(repoRoot, ".data", `test-${name}-${process.pid}`);
  const logFile = path.join(repoRoot, ".data", "logs", `${name}-stack.log`);
  let stack: Stack | undefined;
  let startedAt = 0;
  let readyAt = 0;
  beforeAll(async () => {
    mkdirSync(path.dirname(logFile), { recursive: true });
    startedAt = Date.now();
    stack = await startStack({
      pgliteDir: dir,
      ports,
      env: { APP_ENV: "test", SESSION_SECRET: "s".repeat(40), ROOM_SECRET: "r".repeat(40), ...options.env },
      demoWorld: options.demoWorld,
      output: createWriteStream(logFile),
      timeouts: { db: 120_000, web: 90_000, party: 60_000, build: 180_000 },
    });
    readyAt = Date.now();
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
    logFile,
    get startedAt() {
      return startedAt;
    },
    get readyAt() {
      return readyAt;
    },
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

/** A browser without JavaScript: keeps its cookies, posts forms same-origin. */
export class FormBrowser {
  constructor(private readonly base: string) {}

  private cookies = new Map<string, string>();
  private get cookie() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  private keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(";")[0]!;
      const eq = pair.indexOf("=");
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  async get(p: string) {
    const res = await fetch(`${this.base}${p}`, { redirect: "manual", headers: { cookie: this.cookie } });
    this.keep(res);
    return { status: res.status, html: await res.text() };
  }
  async post(p: string, fields: Record<string, string>) {
    const res = await fetch(`${this.base}${p}`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams(fields),
      headers: { cookie: this.cookie, origin: this.base, "sec-fetch-site": "same-origin" },
    });
    this.keep(res);
    const text = await res.text();
    // What a failed post said (its page's words, or the request id), for the failing test's message.
    const said = res.status >= 400 ? `${res.headers.get("x-request-id") ?? ""} ${text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim().slice(0, 300)}` : "";
    return { status: res.status, said };
  }
  csrf?: string;
  /** The order form, as a browser without JavaScript posts it (review step skipped: intent=place). */
  async placeByForm(clientOrderId: string, gold: string, quantity: number, market = "coal") {
    if (!this.csrf) {
      const { html } = await this.get(`/markets/${market}`);
      this.csrf = [...html.matchAll(/name="csrf" value="([^"]+)"/g)].pop()?.[1] ?? "";
    }
    return this.post(`/markets/${market}`, { csrf: this.csrf, intent: "place", clientOrderId, side: "buy", orderType: "limit", price: gold, quantity: String(quantity) });
  }
  async signUp(username: string) {
    const { html } = await this.get("/signup");
    const csrf = [...html.matchAll(/name="csrf" value="([^"]+)"/g)].pop()?.[1] ?? "";
    return this.post("/signup", { csrf, username, password: "correct-horse-9" });
  }
}
