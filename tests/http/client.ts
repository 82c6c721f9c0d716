/** Helpers for the HTTP suite: a cookie-keeping browser, the API, and database row counts. */
import { sql } from "drizzle-orm";
import { afterAll, expect, inject } from "vitest";
import { rows } from "../../db/db";
import { openPostgres, type Opened } from "../../db/open";

export const baseUrl = () => inject("baseUrl");

let opened: Opened | undefined;
export async function openDb(): Promise<Opened> {
  opened ??= await openPostgres(inject("databaseUrl"), 2);
  return opened;
}
afterAll(async () => {
  await opened?.close();
  opened = undefined;
});

const TABLES = ["players", "sessions", "events", "balances", "holdings", "items"] as const;
export type Counts = Record<(typeof TABLES)[number], number> & { liveSessions: number };

export async function counts(): Promise<Counts> {
  const d = (await openDb()).db;
  const [row] = await rows<Record<string, string>>(d, sql.raw(
    `select ${TABLES.map((t) => `(select count(*) from ${t})::text as ${t}`).join(", ")},
       (select count(*) from sessions where revoked_at is null)::text as "liveSessions"`,
  ));
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])) as Counts;
}

/** Runs fn and asserts that no row was added, removed or revoked in the watched tables. */
export async function expectNoChange<T>(fn: () => Promise<T>): Promise<T> {
  const before = await counts();
  const result = await fn();
  expect(await counts()).toEqual(before);
  return result;
}

/** A browser without JavaScript: keeps cookies, sends same-origin Origin on POST, no redirects. */
export class Browser {
  cookies = new Map<string, string>();

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}) {
    const res = await fetch(baseUrl() + path, { redirect: "manual", headers: { Cookie: this.cookieHeader(), ...headers } });
    this.keep(res);
    return { res, html: await res.text() };
  }

  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(baseUrl() + path, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams(fields),
      headers: { Cookie: this.cookieHeader(), Origin: baseUrl(), "Sec-Fetch-Site": "same-origin", ...headers },
    });
    this.keep(res);
    return { res, html: await res.text() };
  }

  /** The hidden csrf field of the page's main form (the last one: the header's sign-out form comes first). */
  async csrf(path: string): Promise<string> {
    const { html } = await this.get(path);
    const all = [...html.matchAll(/name="csrf" value="([^"]+)"/g)];
    if (all.length === 0) throw new Error(`no csrf field on ${path}`);
    return all[all.length - 1]![1]!;
  }

  async signUp(username: string, password = "correct-horse-9") {
    const csrf = await this.csrf("/signup");
    return this.post("/signup", { csrf, username, password });
  }

  async signIn(username: string, password = "correct-horse-9") {
    const csrf = await this.csrf("/signin");
    return this.post("/signin", { csrf, username, password });
  }
}

/** Text of the page without tags (for "the page says ..." assertions). */
export const textOf = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>/g, " ").replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");

export async function api(path: string, init: { method?: string; token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers["Content-Type"] ??= "application/json";
  }
  let res = await fetch(`${baseUrl()}/api/v1${path}`, { method: init.method ?? "GET", body, headers });
  let text = await res.text();
  if (res.status === 503 && text.startsWith(WRANGLER_RESTARTED)) {
    // wrangler dev's own proxy, not the worker: it lost its connection to the worker and asks for a
    // retry of anything but GET (stop 31's CI, once, on a POST of an order). Once, said out loud.
    console.warn(`api: wrangler dev answered "${WRANGLER_RESTARTED}" to ${init.method ?? "GET"} ${path}; trying once more`);
    res = await fetch(`${baseUrl()}/api/v1${path}`, { method: init.method ?? "GET", body, headers });
    text = await res.text();
  }
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** The 503 wrangler dev's proxy worker gives a non-GET request it could not pass to the worker. */
const WRANGLER_RESTARTED = "Your worker restarted mid-request";

export const uniqueName = (prefix = "t") => `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
