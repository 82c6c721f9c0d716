/**
 * The embedded default, end to end: the stack on PGlite (served by pglite-socket, one backend),
 * the demo world seeded on first start, a trade through the API and the room, then check:ledger and
 * replay on the PGlite directory after a clean stop.
 */
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { openPglite } from "../../db/open";
import { DEMO_PASSWORD } from "../../db/seed";
import { repoRoot } from "../../scripts/paths";
import { startStack, type Stack } from "../../scripts/stack";

const dir = path.join(repoRoot, ".data", `test-pglite-${process.pid}`);
let stack: Stack | undefined;
afterAll(async () => {
  await stack?.stop("test done");
  rmSync(dir, { recursive: true, force: true });
});

it("trades on the embedded PGlite stack and the ledger checks out afterwards", async () => {
  mkdirSync(path.join(repoRoot, ".data", "logs"), { recursive: true });
  stack = await startStack({
    pgliteDir: dir,
    ports: { web: 19787, party: 19999, pglite: 19433, wsProxy: 19789 },
    env: { APP_ENV: "test", SESSION_SECRET: "s".repeat(40), ROOM_SECRET: "r".repeat(40) },
    output: createWriteStream(path.join(repoRoot, ".data", "logs", "embedded-stack.log")),
    timeouts: { db: 120_000, web: 90_000, party: 60_000, build: 180_000 },
  });
  const api = async (p: string, init: { method?: string; token?: string; json?: unknown } = {}) => {
    const res = await fetch(`${stack!.url}/api/v1${p}`, {
      method: init.method ?? "GET",
      headers: { ...(init.json ? { "content-type": "application/json" } : {}), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      body: init.json ? JSON.stringify(init.json) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const token = async (username: string) => (await api("/tokens", { method: "POST", json: { username, password: DEMO_PASSWORD, label: "embedded" } })).body.token as string;
  const [alice, bob] = [await token("alice"), await token("bob")];
  const sell = await api("/markets/coal/orders", { method: "POST", token: alice, json: { clientOrderId: "e-s1", side: "sell", price: 7, quantity: 20 } });
  expect(sell.body).toMatchObject({ ok: true, order: { status: "open" } });
  const buy = await api("/markets/coal/orders", { method: "POST", token: bob, json: { clientOrderId: "e-b1", side: "buy", price: 9, quantity: 20 } });
  expect(buy.body).toMatchObject({ ok: true, order: { status: "filled" } });
  expect(buy.body.fills[0]).toMatchObject({ price: 7, quantity: 20 });
  const coal = (await api("/inventory", { token: bob })).body.stacks.find((s: { slug: string }) => s.slug === "coal");
  expect(coal).toMatchObject({ available: 20 });

  await stack.stop("checking the data directory");
  stack = undefined;
  const opened = await openPglite(dir);
  try {
    expect((await checkLedger(opened.db)).problems).toEqual([]);
    expect((await replay(opened.db)).differences).toEqual([]);
  } finally {
    await opened.close();
  }
});
