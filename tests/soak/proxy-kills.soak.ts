/**
 * `npm run soak:proxy`: the embedded stack with three players placing orders all along while the
 * WebSocket proxy between the rooms and the database is SIGKILLed 12 times, ~2 s after each
 * recovery. Each time, orders must flow again within 60 s. (A lost connection once leaked a slot of
 * the room's pool until the market hung forever: db/neon.ts guardCheckouts and fixSocketShim.)
 * Prints the recovery time of each kill; most of it is the supervisor's restart backoff.
 */
import { it } from "vitest";
import { DEMO_PASSWORD } from "../../db/seed";
import { callApi, embeddedPorts, useEmbeddedStack } from "../support/embedded";

// Ports: ROOMS_SOAK_PROXY_PORT, ROOMS_SOAK_PROXY_PARTY_PORT, ROOMS_SOAK_PROXY_PGLITE_PORT, ROOMS_SOAK_PROXY_WS_PROXY_PORT.
const embedded = useEmbeddedStack("proxykill", embeddedPorts("SOAK_PROXY", { web: 19587, party: 19599, pglite: 19533, wsProxy: 19589 }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const api = (p: string, init?: Parameters<typeof callApi>[2]) => callApi(embedded.stack!.url, p, init);

it("the market comes back after each proxy kill (SOAK_KILLS, default 12)", async () => {
  const tokenOf = async (username: string) => (await api("/tokens", { method: "POST", json: { username, password: DEMO_PASSWORD, label: "x" } })).body!.token as string;
  const tokens = [await tokenOf("alice"), await tokenOf("bob"), await tokenOf("carol")];
  const coal = (await api("/markets")).body!.markets.find((m: { slug: string }) => m.slug === "coal");
  let running = true;
  let acked = 0;
  const stream = async (k: number, token: string) => {
    for (let n = 0; running; n++) {
      const r = await api("/markets/coal/orders", { method: "POST", token, json: { clientOrderId: `soak-${k}-${n}-${Date.now()}`, side: "buy", price: coal.tickSize, quantity: coal.lotSize } }).catch(() => undefined);
      if (r?.status === 200) acked++;
      await sleep(30);
    }
  };
  const streams = tokens.map((t, k) => stream(k, t));
  for (let i = 0; i < Number(process.env.SOAK_KILLS ?? 12); i++) {
    await sleep(1500 + Math.random() * 1000);
    const before = acked;
    const at = Date.now();
    process.kill(-embedded.stack!.pids().proxy!, "SIGKILL");
    for (;;) {
      await sleep(200);
      if (acked > before + 3) break;
      if (Date.now() - at > 60_000) throw new Error(`kill ${i}: not back in 60 s`);
    }
    console.log(`kill ${i}: back in ${Date.now() - at} ms`);
  }
  running = false;
  await Promise.all(streams);
}, 900_000);
