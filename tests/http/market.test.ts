/**
 * Markets end to end: the built worker (wrangler dev) and a real room (partykit dev) on a real
 * Postgres. Orders through the API and through players' sockets, ticks to watchers, fills to
 * owners, SSE for simple clients, and refusals that change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { DEMO_PASSWORD } from "../../db/seed";
import type { ServerMessage } from "../../party/protocol";
import { api, counts, openDb } from "./client";

const MARKET = "iron-ore"; // tick 1, lot 10
let alice: string;
let bob: string;
const sockets: WebSocket[] = [];

async function token(username: string) {
  const r = await api("/tokens", { method: "POST", json: { username, password: DEMO_PASSWORD, label: "market test" } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

/** A socket to the room that records every message. */
async function connect(bearer?: string) {
  let url: string;
  if (bearer) {
    const t = await api(`/markets/${MARKET}/connect-token`, { method: "POST", token: bearer });
    expect(t.status).toBe(201);
    url = `ws://${t.body.host}/parties/main/${MARKET}?token=${encodeURIComponent(t.body.token)}`;
  } else {
    const t = await api(`/markets/${MARKET}/connect-token`, { method: "POST", token: alice });
    url = `ws://${t.body.host}/parties/main/${MARKET}`;
  }
  const ws = new WebSocket(url);
  sockets.push(ws);
  const messages: ServerMessage[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
  const waitFor = async <T extends ServerMessage["type"]>(type: T, pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, ms = 5_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = messages.find((m) => m.type === type && pred(m as Extract<ServerMessage, { type: T }>));
      if (found) return found as Extract<ServerMessage, { type: T }>;
      if (Date.now() > deadline) throw new Error(`no ${type} message within ${ms} ms; got ${JSON.stringify(messages.map((m) => m.type))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const send = (m: unknown) => ws.send(typeof m === "string" ? m : JSON.stringify(m));
  return { ws, messages, waitFor, send };
}

beforeAll(async () => {
  [alice, bob] = [await token("alice"), await token("bob")];
});
afterAll(() => {
  for (const s of sockets) s.terminate();
});

const inventoryOf = async (bearer: string) => (await api("/inventory", { token: bearer })).body;

describe("markets over HTTP and WebSocket", () => {
  it("lists markets with stats and serves the catalog's market", async () => {
    const list = await api("/markets");
    expect(list.status).toBe(200);
    expect(list.body.markets.length).toBeGreaterThanOrEqual(20);
    expect((await api(`/markets/${MARKET}`)).body).toMatchObject({ slug: MARKET, tickSize: 1, lotSize: 10 });
    expect((await api("/markets/no-such-market")).status).toBe(404);
  });

  it("a resting order from the API reaches watchers; a crossing order from a socket fills, live, for both", async () => {
    const watcher = await connect();
    const snap = await watcher.waitFor("snapshot");
    expect(snap.market).toBe(MARKET);
    const bobSocket = await connect(bob);
    await bobSocket.waitFor("snapshot");
    const aliceBefore = await inventoryOf(alice);

    const sell = await api(`/markets/${MARKET}/orders`, { method: "POST", token: alice, json: { clientOrderId: "a-sell-1", side: "sell", price: 50, quantity: 20 } });
    expect(sell.status).toBe(200);
    expect(sell.body).toMatchObject({ ok: true, order: { status: "open", remaining: 20, reserved: 20 } });
    const update = await watcher.waitFor("update", (u) => u.levels.some((l) => l.side === "sell" && l.price === 50 && l.total === 20));
    expect(update.seq).toBe(snap.seq + 1);

    bobSocket.send({ type: "place", ref: "r1", clientOrderId: "b-buy-1", side: "buy", orderType: "limit", price: 60, quantity: 10 });
    const answer = await bobSocket.waitFor("answer", (a) => a.ref === "r1");
    expect(answer.answer).toMatchObject({ ok: true, order: { status: "filled", filled: 10 } });
    expect(answer.answer.fills![0]).toMatchObject({ price: 50, quantity: 10, takerSide: "buy" });
    await bobSocket.waitFor("fill", (f) => f.fill.price === 50);
    const tick = await watcher.waitFor("update", (u) => u.trades.some((t) => t.price === 50 && t.quantity === 10));
    expect(tick.stats.last).toBe(50);

    const aliceAfter = await inventoryOf(alice);
    const ore = (inv: { stacks: Array<{ slug: string; available: number; reserved: number }> }) => inv.stacks.find((s) => s.slug === MARKET)!;
    expect(ore(aliceAfter)).toMatchObject({ available: ore(aliceBefore).available - 20, reserved: 10 });
    expect(aliceAfter.balance.available).toBe(aliceBefore.balance.available + 500 - 0); // maker fee 10 bps of 500 rounds down to 0

    // A retry of the same clientOrderId is answered with the first result and changes nothing.
    const again = await api(`/markets/${MARKET}/orders`, { method: "POST", token: alice, json: { clientOrderId: "a-sell-1", side: "sell", price: 50, quantity: 20 } });
    expect(again.body).toMatchObject({ ok: true, replayed: true, order: { id: sell.body.order.id } });

    // Trades, candles, my orders, my fills and the book agree.
    expect((await api(`/markets/${MARKET}/trades`)).body.trades[0]).toMatchObject({ price: 50, quantity: 10 });
    expect((await api(`/markets/${MARKET}/candles?interval=1m`)).body.candles.at(-1)).toMatchObject({ close: 50 });
    expect((await api(`/orders?market=${MARKET}`, { token: alice })).body.orders.map((o: { id: string }) => o.id)).toContain(sell.body.order.id);
    expect((await api(`/fills?market=${MARKET}`, { token: bob })).body.fills[0]).toMatchObject({ side: "buy", role: "taker", price: 50 });
    expect((await api(`/markets/${MARKET}/book`)).body.asks).toEqual([[50, 10]]);

    const cancel = await api(`/markets/${MARKET}/orders/${sell.body.order.id}`, { method: "DELETE", token: alice });
    expect(cancel.body).toMatchObject({ ok: true, canceled: [sell.body.order.id] });
    expect(ore(await inventoryOf(alice))).toMatchObject({ reserved: 0 });
  });

  it("streams a snapshot over SSE for simple clients", async () => {
    const controller = new AbortController();
    const res = await fetch(`${(await import("./client")).baseUrl()}/api/v1/markets/${MARKET}/stream`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    // Read until the first complete event (it may arrive in several chunks).
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const first = text.slice(0, text.indexOf("\n\n"));
    expect(first.startsWith("data: ")).toBe(true);
    expect(JSON.parse(first.slice(6))).toMatchObject({ type: "snapshot", market: MARKET });
    controller.abort();
  });

  it("refuses bad commands with a clear message and changes nothing", async () => {
    const before = await counts();
    const order = (json: unknown, tokenOf = alice) => api(`/markets/${MARKET}/orders`, { method: "POST", token: tokenOf, json });
    const base = { clientOrderId: "bad-1", side: "buy", price: 10, quantity: 10 };
    const bad: Array<[unknown, number, string]> = [
      [{ ...base, quantity: 5 }, 400, "quantity_not_on_lot"],
      [{ ...base, quantity: 0 }, 400, "invalid_request"],
      [{ ...base, quantity: -10 }, 400, "invalid_request"],
      [{ ...base, quantity: 10.5 }, 400, "invalid_request"],
      [{ ...base, quantity: 2 ** 60 }, 400, "invalid_request"],
      [{ ...base, quantity: "10" }, 400, "invalid_request"],
      [{ ...base, price: Number.NaN }, 400, "invalid_request"],
      [{ ...base, side: "sideways" }, 400, "invalid_request"],
      [{ ...base, extra: 1 }, 400, "invalid_request"],
      [{ side: "buy", price: 10, quantity: 10 }, 400, "invalid_request"],
      [{ ...base, clientOrderId: "x".repeat(65) }, 400, "invalid_request"],
      [{ ...base, clientOrderId: "bad\u0000id" }, 400, "invalid_request"],
      [{ ...base, price: 1_000_000_000, quantity: 1_000_000 }, 409, "insufficient_funds"],
      [{ ...base, side: "sell", quantity: 1_000_000 }, 409, "insufficient_items"],
    ];
    for (const [i, [json, status, code]] of bad.entries()) {
      const r = await order({ ...(json as object), ...("clientOrderId" in (json as object) && i !== 10 && i !== 11 ? { clientOrderId: `bad-${i}` } : {}) });
      expect(r.status, `${JSON.stringify(json)} -> ${JSON.stringify(r.body)}`).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(r.body.error.message.length).toBeGreaterThan(5);
    }
    expect((await api(`/markets/${MARKET}/orders`, { method: "POST", token: alice, body: "{not json", headers: { "content-type": "application/json" } })).status).toBe(400);
    expect((await api(`/markets/nowhere/orders`, { method: "POST", token: alice, json: base })).status).toBe(404);
    const mine = await order({ ...base, clientOrderId: "mine-1", price: 1 });
    const theirs = await api(`/markets/${MARKET}/orders/${mine.body.order.id}`, { method: "DELETE", token: bob });
    expect(theirs.status).toBe(403);
    await api(`/markets/${MARKET}/orders/${mine.body.order.id}`, { method: "DELETE", token: alice });

    const s = await connect(bob);
    await s.waitFor("snapshot");
    for (const raw of ["{nope", JSON.stringify({ type: "launch" }), JSON.stringify({ type: "place", clientOrderId: "w1", side: "buy", orderType: "limit", price: 1.5, quantity: 10 })]) {
      s.send(raw);
    }
    await s.waitFor("error", (e) => e.message === "malformed JSON");
    expect(s.messages.filter((m) => m.type === "error")).toHaveLength(3);
    const anon = await connect();
    anon.send({ type: "cancelAll" });
    expect((await anon.waitFor("error")).code).toBe("sign_in_required");
    const after = await counts();
    expect({ ...after, events: after.events - 2 }).toEqual(before); // the one placed-then-canceled order: two events
  });

  it("a flooding socket is throttled with a clear message; another player is not slowed", async () => {
    const s = await connect(bob);
    await s.waitFor("snapshot");
    const other = await connect(alice);
    await other.waitFor("snapshot");
    const quiet = async (i: number) => {
      const t0 = performance.now();
      other.send({ type: "place", ref: `q${i}`, clientOrderId: `quiet-${i}-${Date.now()}`, side: "buy", orderType: "limit", price: 1, quantity: 10, timeInForce: "IOC" });
      await other.waitFor("answer", (a) => a.ref === `q${i}`);
      return performance.now() - t0;
    };
    const before = await quiet(0);
    for (let i = 0; i < 600; i++) s.send({ type: "cancel", ref: `f${i}`, orderId: "00000000-0000-4000-8000-000000000000" });
    const during = await quiet(1);
    const limited = await s.waitFor("answer", (a) => a.answer.code === 230, 15_000);
    expect(limited.answer.message).toMatch(/slow down/);
    console.log(`quiet player's round trip: ${before.toFixed(0)} ms before, ${during.toFixed(0)} ms during the flood`);
    expect(during).toBeLessThan(Math.max(500, before * 10));
  });

  it("a player's sockets share one throttle: more sockets do not buy a bigger share of the room (ADR 049)", async () => {
    const carol = await token("carol");
    const three = [await connect(carol), await connect(carol), await connect(carol)];
    for (const s of three) await s.waitFor("snapshot");
    // 300 cancels on each socket, interleaved: under one socket's burst (400), over one player's.
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) for (const [n, s] of three.entries()) s.send({ type: "cancel", ref: `c${n}-${i}`, orderId: "00000000-0000-4000-8000-000000000000" });
    // Refusals are answered at once, taken commands after their batch: wait for all 900, in any order.
    const answered = () => three.flatMap((s) => s.messages.filter((m) => m.type === "answer")) as Array<Extract<ServerMessage, { type: "answer" }>>;
    const deadline = Date.now() + 15_000;
    while (answered().length < 900 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const all = answered();
    const seconds = (performance.now() - t0) / 1000;
    const limited = all.filter((a) => a.answer.code === 230).length;
    // One bucket: the burst (400) plus what refilled at 200/s while they were read. Per socket, all 900 passed.
    expect(all).toHaveLength(900);
    expect(limited).toBeGreaterThan(0);
    expect(900 - limited).toBeLessThanOrEqual(400 + Math.ceil(200 * seconds) + 1);
    expect(all.filter((a) => a.answer.code !== 230).every((a) => a.answer.reason === "ORDER_NOT_FOUND")).toBe(true);
  });

  it("leaves the ledger conserved and replayable", async () => {
    const db = (await openDb()).db;
    expect((await checkLedger(db)).problems).toEqual([]);
    expect((await replay(db)).differences).toEqual([]);
  });
});
