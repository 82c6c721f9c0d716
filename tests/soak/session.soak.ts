/**
 * `npm run soak:session`: a newcomer's long session on the embedded default, started the way `npm
 * start` starts it (PGlite, in-process cache, the NPC traders on). SOAK_SESSION_PLAYERS players
 * (default 10: the sign-up limit is 10 an hour per address) sign up through the pages and trade for
 * SOAK_SESSION_MINUTES (default 20): limit orders around the book, cancels, pages, API reads, each
 * after 0.5-2 s of thought. Every minute it prints the requests' p50/p99/max, the orders' and pages'
 * p99, the 5xx count, each part's memory (RSS of its process group) and wrangler's debug log size.
 * Fails on any 5xx from Bazaar or a request that got no answer. wrangler dev's own "worker restarted
 * mid-request" 503 (its proxy, not the worker: the worker never saw the request) is counted apart.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { quietToolEnv } from "../../scripts/stack";
import { callApi, embeddedPorts, FormBrowser, useEmbeddedStack } from "../support/embedded";
import { groupMembers } from "../support/listeners";

const MINUTES = Number(process.env.SOAK_SESSION_MINUTES ?? 20);
const PLAYERS = Number(process.env.SOAK_SESSION_PLAYERS ?? 10);
// Ports: ROOMS_SOAK_SESSION_PORT, _PARTY_PORT, _PGLITE_PORT, _WS_PROXY_PORT.
const embedded = useEmbeddedStack("session", embeddedPorts("SOAK_SESSION", { web: 19487, party: 19499, pglite: 19483, wsProxy: 19489 }), {
  demoWorld: { stepMs: 1_500 },
  env: { APP_ENV: "development" },
});
const api = (p: string, init?: Parameters<typeof callApi>[2]) => callApi(embedded.stack!.url, p, init);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : Number.NaN);
const WRANGLER_RESTARTED = "Your worker restarted mid-request";

interface Sample {
  kind: string;
  ms: number;
  status: number;
}

/** RSS in MB of each part's process group (web: wrangler and its two workerds; party; db; proxy). */
function memory(): string {
  const pids = embedded.stack!.pids();
  return Object.entries(pids)
    .map(([name, pgid]) => {
      const kb = groupMembers([pgid]).reduce((n, m) => {
        try {
          return n + Number(/VmRSS:\s*(\d+)/.exec(readFileSync(`/proc/${m.pid}/status`, "utf8"))?.[1] ?? 0);
        } catch {
          return n; // gone meanwhile
        }
      }, 0);
      return `${name} ${Math.round(kb / 1024)}`;
    })
    .join(" · ");
}

function wranglerLogMb(): number {
  const dir = quietToolEnv().WRANGLER_LOG_PATH!;
  return readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0) / 2 ** 20;
}

it(`a newcomer's session: ${PLAYERS} players for ${MINUTES} minutes beside the NPCs, no 5xx, every request answered`, async () => {
  let samples: Sample[] = [];
  const failures: string[] = [];
  let proxyRestarts = 0;
  const timed = async (kind: string, f: () => Promise<{ status: number; body?: unknown }>) => {
    const t = performance.now();
    try {
      const r = await f();
      samples.push({ kind, ms: performance.now() - t, status: r.status });
      const said = JSON.stringify(r.body ?? "");
      if (r.status === 503 && said.includes(WRANGLER_RESTARTED)) proxyRestarts++;
      else if (r.status >= 500) failures.push(`${kind} -> ${r.status} ${said.slice(0, 160)}`);
      return r;
    } catch (error) {
      samples.push({ kind, ms: performance.now() - t, status: 0 });
      failures.push(`${kind}: no answer (${(error as Error).message.slice(0, 120)})`);
      return { status: 0, body: undefined };
    }
  };
  const markets = (await api("/markets")).body!.markets as Array<{ slug: string; tickSize: number; lotSize: number; last?: number | null }>;

  const player = async (i: number, until: number) => {
    const b = new FormBrowser(embedded.stack!.url);
    const name = `session_${process.pid % 10_000}_${i}`;
    const signedUp = await b.signUp(name);
    if (signedUp.status !== 302) return failures.push(`sign-up of ${name}: ${signedUp.status} ${signedUp.said}`);
    const token = (await api("/tokens", { method: "POST", json: { username: name, password: "correct-horse-9", label: "session" } })).body?.token as string | undefined;
    if (!token) return failures.push(`no API token for ${name}`);
    const resting: Array<{ slug: string; id: string }> = [];
    for (let n = 0; Date.now() < until; n++) {
      await sleep(500 + Math.random() * 1_500);
      const m = markets[Math.floor(Math.random() * markets.length)]!;
      const r = Math.random();
      if (r < 0.3) {
        const book = (await timed("GET book", () => api(`/markets/${m.slug}/book`))).body as { bids?: number[][]; asks?: number[][] } | undefined;
        const mid = book?.bids?.[0]?.[0] ?? book?.asks?.[0]?.[0] ?? m.last ?? m.tickSize * 100;
        const price = Math.max(m.tickSize, Math.round(mid / m.tickSize + Math.round(Math.random() * 6 - 3)) * m.tickSize);
        const side = Math.random() < 0.5 ? "buy" : "sell";
        const placed = await timed("place", () => api(`/markets/${m.slug}/orders`, { method: "POST", token, json: { clientOrderId: `${name}-${n}`, side, price, quantity: m.lotSize } }));
        const order = (placed.body as { order?: { id: string; status: string } } | undefined)?.order;
        if (order?.status === "open") resting.push({ slug: m.slug, id: order.id });
      } else if (r < 0.4 && resting.length > 0) {
        const o = resting.splice(Math.floor(Math.random() * resting.length), 1)[0]!;
        await timed("cancel", () => api(`/markets/${o.slug}/orders/${o.id}`, { method: "DELETE", token }));
      } else if (r < 0.55) {
        const page = ["/", "/inventory", `/markets/${m.slug}`, "/orders", "/trades", "/markets", "/leaderboards", "/economy"][Math.floor(Math.random() * 8)]!;
        await timed("page", async () => {
          const got = await b.get(page);
          if (got.status !== 200) failures.push(`page ${page}: ${got.status}`);
          return got;
        });
      } else if (r < 0.75) await timed("GET inventory", () => api("/inventory", { token }));
      else if (r < 0.85) await timed("GET orders", () => api("/orders?status=open&limit=20", { token }));
      else await timed("GET markets", () => api("/markets"));
    }
  };

  const start = Date.now();
  console.log(`session: ${PLAYERS} players, ${MINUTES} min; memory MB at the start: ${memory()}; wrangler debug log ${wranglerLogMb().toFixed(1)} MB`);
  const every = setInterval(() => {
    const s = samples;
    samples = [];
    const of = (k: string) => s.filter((x) => x.kind === k).map((x) => x.ms);
    const all = s.map((x) => x.ms);
    console.log(
      `min ${Math.round((Date.now() - start) / 60_000)}: ${s.length} requests, p50 ${q(all, 0.5).toFixed(0)} p99 ${q(all, 0.99).toFixed(0)} max ${Math.max(...all).toFixed(0)} ms` +
        ` · place p99 ${q(of("place"), 0.99).toFixed(0)} · page p99 ${q(of("page"), 0.99).toFixed(0)} · 5xx ${s.filter((x) => x.status >= 500 || x.status === 0).length}` +
        ` · memory MB ${memory()} · wrangler debug log ${wranglerLogMb().toFixed(1)} MB`,
    );
  }, 60_000);
  try {
    await Promise.all(Array.from({ length: PLAYERS }, (_, i) => player(i, start + MINUTES * 60_000)));
  } finally {
    clearInterval(every);
  }
  console.log(`session done: wrangler dev's proxy answered "${WRANGLER_RESTARTED}" ${proxyRestarts} time(s); ${failures.length} failure(s)`);
  expect(failures).toEqual([]);
}, (MINUTES + 10) * 60_000);
