/**
 * The market page never waits for the room: its shell and the book come from the database. A second
 * wrangler dev on the same build and database has PARTY_HOST pointed at a "room" that accepts
 * connections and never answers; the page must still come back with the market's header and the
 * book levels committed by the real room (placed through the API on the suite's stack). Nothing is
 * measured by time: a loader that asked this room would hang until the render's own timeout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/seed";
import { repoRoot } from "../../scripts/paths";
import { quietToolEnv } from "../../scripts/stack";
import { api, textOf } from "./client";

const MARKET = "mana-potion"; // no other http test trades it
const base = Number(new URL(inject("baseUrl")).port);
// Next to HTTP_TEST_PORT inside a helper's port block (<b>87): <b>95 silent rooms, <b>98 the second
// worker, <b>97 its inspector; not <b>89 (proxy), <b>99 (partykit) nor past <b>99 (the next block).
const silentPort = base + 8;
const workerPort = base + 11;
const inspectorPort = base + 10;
let silent: Server;
const held: Socket[] = [];
let worker: ChildProcess | undefined;
let workerUrl = "";

beforeAll(async () => {
  // The silent room: every connection is accepted and left without an answer.
  silent = createServer((s) => void held.push(s));
  await new Promise<void>((resolve) => silent.listen(silentPort, "127.0.0.1", resolve));

  const vars = { ...inject("workerVars"), PARTY_HOST: `127.0.0.1:${silentPort}` };
  const args = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  worker = spawn(
    path.join(repoRoot, "node_modules", ".bin", "wrangler"),
    ["dev", "--ip", "127.0.0.1", "--port", String(workerPort), "--inspector-port", String(inspectorPort), "--show-interactive-dev-session=false", ...args],
    { cwd: repoRoot, env: { ...process.env, ...quietToolEnv() }, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev (silent room) not ready in 45 s:\n${log}`)), 45_000);
    const read = (chunk: Buffer) => {
      log += chunk.toString();
      if (/Ready on http/.test(log)) (clearTimeout(timer), resolve());
    };
    worker!.stdout!.on("data", read);
    worker!.stderr!.on("data", read);
    worker!.once("exit", (code) => (clearTimeout(timer), reject(new Error(`wrangler dev exited (${code}):\n${log}`))));
  });
  workerUrl = `http://127.0.0.1:${workerPort}`;
}, 60_000);

afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => silent?.close(r));
  if (!worker?.pid || worker.exitCode !== null) return;
  const exited = new Promise((r) => worker!.once("exit", r));
  process.kill(-worker.pid, "SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  if (worker.exitCode === null) process.kill(-worker.pid, "SIGKILL");
});

describe("the market page without the room's snapshot", () => {
  it("renders the header and the committed book from the database while the room does not answer", async () => {
    const token = (await api("/tokens", { method: "POST", json: { username: "carol", password: DEMO_PASSWORD, label: "market page test" } })).body.token as string;
    const m = (await api(`/markets/${MARKET}`)).body as { name: string; tickSize: number; lotSize: number };
    // Two resting bids through the real room (committed before it answers), far below any seller.
    const [p1, p2] = [m.tickSize * 7, m.tickSize * 5];
    for (const [i, price] of [p1, p2].entries()) {
      const r = await api(`/markets/${MARKET}/orders`, { method: "POST", token, json: { clientOrderId: `page-${i}-${Date.now()}`, side: "buy", price, quantity: m.lotSize * (i + 2) } });
      expect(r.body).toMatchObject({ ok: true, order: { status: "open" } });
    }

    const res = await fetch(`${workerUrl}/markets/${MARKET}`, { signal: AbortSignal.timeout(20_000) });
    expect(res.status).toBe(200);
    const html = await res.text();
    const text = textOf(html);
    expect(html).toMatch(new RegExp(`<h1>${m.name}</h1>`));
    expect(text).toContain("Order book");
    // The ladder's bids, best first, as the room holds them: price, quantity, cumulative total.
    const bids = /<ol class="bids"[^>]*>([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? "";
    const rows = [...bids.matchAll(/<li class="bid">([\s\S]*?)<\/li>/g)].map((r) => textOf(r[1]!).trim());
    const gold = (c: number) => (c / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(rows.slice(0, 2)).toEqual([
      `${gold(p1)} ${m.lotSize * 2} ${m.lotSize * 2}`,
      `${gold(p2)} ${m.lotSize * 3} ${m.lotSize * 5}`,
    ]);
    // Not from a room: the pill waits for the socket, and the same page from the live stack agrees.
    expect(html).toContain('data-connection="connecting"');
    const live = await (await fetch(`${inject("baseUrl")}/markets/${MARKET}`)).text();
    expect(/<ol class="bids"[^>]*>([\s\S]*?)<\/ol>/.exec(live)?.[1]).toBe(bids);
  }, 60_000);
});
