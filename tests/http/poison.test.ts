/**
 * One player's bad order never fails another's. Against the built worker, the rooms and a real
 * Postgres: each poisoned field is sent through the API at the same moment as 20 other players'
 * valid orders to the same market, straight to the room (its signed HTTP path and a player's socket),
 * and as amends; orders refused inside the batch (off the lot, unaffordable) share it with valid ones;
 * expiresAt a few ms ahead never turns into a 5xx. Last, the room's session on this Postgres with a
 * book that throws after it changed: the command is refused alone and the rest of its batch commits.
 * Every poisoned one gets a 4xx naming the problem; every valid one is acknowledged; the ledger holds.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows } from "../../db/db";
import { DEMO_PASSWORD } from "../../db/seed";
import { signUp } from "../../edge/auth/signup.server";
import { MAX_BUDGET, MAX_ORDER_QUANTITY, MAX_PRICE } from "../../party/bounds";
import type { OrderBook } from "../../party/engine";
import { MarketSession } from "../../party/market/session";
import type { ServerMessage } from "../../party/protocol";
import type { MarketCommand } from "../../party/settlement/types";
import { issueToken } from "../../party/tokens";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { api, openDb, uniqueName } from "./client";

const MARKET = "iron-ore"; // tick 1, lot 10
const YEAR = 365 * 24 * 3_600_000;
const PASSWORD = "poison-test-9";

async function token(username: string, password = DEMO_PASSWORD) {
  const r = await api("/tokens", { method: "POST", json: { username, password, label: "poison test" } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

/** Twenty fresh players (starter kit: 1,000 gold), each with a bearer token. */
let traders: string[] = [];
let poisoners: string[] = [];
beforeAll(async () => {
  const { db } = await openDb();
  const names = Array.from({ length: 20 }, () => uniqueName("psn"));
  for (const username of names) expect((await signUp(db, { username, password: PASSWORD })).ok).toBe(true);
  traders = await Promise.all(names.map((n) => token(n, PASSWORD)));
  poisoners = [await token("alice"), await token("bob"), await token("carol")];
}, 120_000);

/** One valid resting buy per trader (a quarter with an expiry a minute ahead). */
const validOrders = (tag: string, now: number) =>
  traders.map((t, i) =>
    api(`/markets/${MARKET}/orders`, {
      method: "POST",
      token: t,
      json: { clientOrderId: `${tag}-${now}-${i}`, side: "buy", price: 1 + (i % 3), quantity: 10, ...(i % 4 === 0 ? { expiresAt: now + 60_000 } : {}) },
    }),
  );

function expectAllAcknowledged(answers: Array<{ status: number; body: any }>) {
  for (const r of answers) expect(r.status, JSON.stringify(r.body)).toBe(200);
  for (const r of answers) expect(r.body).toMatchObject({ ok: true, order: { status: "open" } });
}

async function cleanUp() {
  for (const t of [...traders, ...poisoners]) expect((await api(`/markets/${MARKET}/cancel-all`, { method: "POST", token: t })).status).toBe(200);
  const { db } = await openDb();
  expect((await checkLedger(db)).problems).toEqual([]);
  expect((await replay(db)).differences).toEqual([]);
}

/** [what is wrong, the order's fields, a word the error message must contain] */
const poisons = (now: number): Array<[string, Record<string, unknown>, RegExp]> => [
  ["expiresAt 2^53 - 1", { expiresAt: Number.MAX_SAFE_INTEGER }, /expiresAt must be between now and 365 days from now/],
  ["expiresAt in the past", { expiresAt: 1 }, /expiresAt/],
  ["expiresAt two years ahead", { expiresAt: now + 2 * YEAR }, /expiresAt/],
  ["expiresAt fractional", { expiresAt: now + 60_000.5 }, /expiresAt/],
  ["quantity 2^53", { quantity: 2 ** 53 }, /quantity/],
  ["quantity past its bound", { quantity: MAX_ORDER_QUANTITY + 10 }, /quantity must be at most 1000000/],
  ["negative quantity", { quantity: -10 }, /quantity/],
  ["fractional quantity", { quantity: 10.5 }, /quantity/],
  ["string quantity", { quantity: "10" }, /quantity/],
  ["price 2^53", { price: 2 ** 53 }, /price/],
  ["price past its bound", { price: MAX_PRICE + 1 }, /price must be at most 1000000000/],
  ["budget past its bound", { orderType: "market", price: undefined, budget: MAX_BUDGET + 1 }, /budget must be at most/],
  ["priceLimit past its bound", { orderType: "market", price: undefined, priceLimit: MAX_PRICE + 1 }, /priceLimit must be at most/],
  ["unknown side", { side: "sideways" }, /side/],
  ["unknown order type", { orderType: "stop" }, /orderType/],
  ["unknown time in force", { timeInForce: "FOREVER" }, /timeInForce/],
  ["unknown stp", { stp: "maybe" }, /stp/],
  ["huge client order id", { clientOrderId: "x".repeat(100_000) }, /at most 16384 bytes/],
  ["long client order id", { clientOrderId: "x".repeat(65) }, /clientOrderId/],
  // Well-formed, so they reach the room's batch, and are refused there with the others in it.
  ["quantity off the market's lot (refused in the batch)", { quantity: 15 }, /multiple of the market's lot/],
  ["more copper than the player has (refused in the batch)", { price: MAX_PRICE, quantity: MAX_ORDER_QUANTITY }, /[Nn]ot enough available currency/],
];

describe("poisoned orders at the same moment as 20 other players' valid ones", () => {
  it("through the API: each poisoned one gets a 4xx naming the field, every valid one is acknowledged", async () => {
    const now = Date.now();
    const bad = poisons(now).map(([, fields], i) =>
      api(`/markets/${MARKET}/orders`, {
        method: "POST",
        token: poisoners[i % 3],
        json: { clientOrderId: `poison-bad-${now}-${i}`, side: "buy", price: 2, quantity: 10, ...fields },
      }),
    );
    const [good, refused] = await Promise.all([Promise.all(validOrders("poison-ok", now)), Promise.all(bad)]);
    expectAllAcknowledged(good);
    poisons(now).forEach(([what, , word], i) => {
      const r = refused[i]!;
      expect(r.status, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(r.status, what).toBeLessThan(500);
      expect(r.body.error.message, what).toMatch(word);
    });
    await cleanUp();
  });

  it("as amends: each poisoned one gets a 400 naming the field, every valid order is acknowledged, the order is unchanged", async () => {
    const now = Date.now();
    const mine = await api(`/markets/${MARKET}/orders`, { method: "POST", token: poisoners[0], json: { clientOrderId: `amend-me-${now}`, side: "buy", price: 2, quantity: 10 } });
    expect(mine.body).toMatchObject({ ok: true, order: { status: "open" } });
    const id = mine.body.order.id as string;
    const amends: Array<[string, Record<string, unknown>, RegExp]> = [
      ["quantity 2^53", { quantity: 2 ** 53 }, /quantity/],
      ["quantity past its bound", { quantity: MAX_ORDER_QUANTITY + 10 }, /quantity must be at most 1000000/],
      ["fractional price", { price: 0.5 }, /price must be a whole number/],
      ["price past its bound", { price: MAX_PRICE + 1 }, /price must be at most 1000000000/],
      ["nothing to change", {}, /[Gg]ive a new price or quantity/],
      ["an expiry (not amendable)", { expiresAt: now + 60_000 }, /unknown field: expiresAt/],
      ["quantity off the lot (refused in the batch)", { quantity: 15 }, /multiple of the market's lot/],
    ];
    const bad = amends.map(([, fields]) => api(`/markets/${MARKET}/orders/${id}/amend`, { method: "POST", token: poisoners[0], json: fields }));
    const [good, refused] = await Promise.all([Promise.all(validOrders("amend-ok", now)), Promise.all(bad)]);
    expectAllAcknowledged(good);
    amends.forEach(([what, , word], i) => {
      const r = refused[i]!;
      expect(r.status, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(400);
      expect(r.body.error.message, what).toMatch(word);
    });
    const open = await api(`/orders?market=${MARKET}`, { token: poisoners[0] });
    expect(open.body.orders.find((o: { id: string }) => o.id === id)).toMatchObject({ price: 2, remaining: 10, status: "open" });
    await cleanUp();
  });

  it("expiresAt only a few ms ahead: accepted, or a 400 naming expiresAt (by the edge's, the room's or the batch's clock), never a 5xx", async () => {
    const offsets = [0, 2, 5, 10, 20, 30, 50, 80, 120, 200, 400, 1_500];
    const timed = offsets.map((ms, i) => {
      const expiresAt = Date.now() + ms;
      return api(`/markets/${MARKET}/orders`, { method: "POST", token: traders[i], json: { clientOrderId: `soon-${expiresAt}-${i}`, side: "buy", price: 1, quantity: 10, expiresAt } });
    });
    const answers = await Promise.all(timed);
    answers.forEach((r, i) => {
      const what = `expiresAt now + ${offsets[i]} ms: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
      expect([200, 400], what).toContain(r.status);
      if (r.status === 400) expect(r.body.error.message, what).toMatch(/expiresAt/);
    });
    expect(answers.at(-1)!.status).toBe(200); // 1.5 s ahead is always fine
    await cleanUp();
  });
});

describe("the room checks too", () => {
  it("its signed HTTP path (the edge's): a poisoned command is refused with 400 naming the field; a valid one is answered", async () => {
    const { db } = await openDb();
    const [alice] = await rows<{ id: string }>(db, sql`select id::text from players where username = 'alice'`);
    const { ROOM_SECRET, PARTY_HOST } = inject("workerVars");
    const service = await issueToken(ROOM_SECRET!, "service", "edge", 60);
    const send = (command: Record<string, unknown>) =>
      fetch(`http://${PARTY_HOST}/parties/main/${MARKET}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${service}` },
        body: JSON.stringify({ playerId: alice!.id, command }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const now = Date.now();
    const base = { type: "place", clientOrderId: `room-${now}`, side: "buy", orderType: "limit", price: 2, quantity: 10 };
    for (const [what, fields, word] of poisons(now).filter(([w]) => !/huge|refused in the batch/.test(w))) {
      const r = await send({ ...base, ...fields });
      expect(r.status, `${what}: ${JSON.stringify(r.body).slice(0, 200)}`).toBe(400);
      expect(r.body.error.message, what).toMatch(word);
    }
    const ok = await send({ ...base, clientOrderId: `room-ok-${now}` });
    expect(ok).toMatchObject({ status: 200, body: { ok: true, order: { status: "open" } } });
    await cleanUp();
  });

  it("a player's socket: a poisoned message is answered at its ref, refused, with the field named", async () => {
    const t = await api(`/markets/${MARKET}/connect-token`, { method: "POST", token: poisoners[1] });
    const ws = new WebSocket(`ws://${t.body.host}/parties/main/${MARKET}?token=${encodeURIComponent(t.body.token)}`);
    const messages: ServerMessage[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
    await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
    try {
      const now = Date.now();
      for (const [what, fields, word] of poisons(now).filter(([w]) => !/huge|refused in the batch/.test(w))) {
        const before = messages.length;
        ws.send(JSON.stringify({ type: "place", ref: what, clientOrderId: `sock-${now}`, side: "buy", orderType: "limit", price: 2, quantity: 10, ...fields }));
        const deadline = Date.now() + 5_000;
        while (!messages.slice(before).some((m) => m.type === "error" || m.type === "answer") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const reply = messages.slice(before).find((m) => m.type === "error" || m.type === "answer");
        expect(reply, what).toMatchObject({ type: "answer", ref: what, answer: { ok: false, reason: "INVALID_COMMAND" } });
        expect((reply as { answer: { message: string } }).answer.message, what).toMatch(word);
      }
    } finally {
      ws.close();
    }
  });
});

describe("the room's session on this Postgres", () => {
  it("a command that throws after the book changed is refused alone; the working book is reloaded and the rest of its batch commits", async () => {
    const { db } = await openDb();
    const m = await addMarket(db, { makerBps: 10, takerBps: 25 });
    const players = await Promise.all(Array.from({ length: 8 }, () => fundedTrader(db, [m.itemTypeId])));
    const bad = await fundedTrader(db, [m.itemTypeId]);
    const session = (await MarketSession.open(() => db, m.slug))!;
    // The engine as it would be with a bug: it processes the poisoned command, then throws.
    const inner = session as unknown as { book: OrderBook };
    const real = inner.book;
    let threw = 0;
    inner.book = new Proxy(real, {
      get(target, prop) {
        if (prop === "process") {
          return (c: Parameters<OrderBook["process"]>[0]) => {
            const result = target.process(c);
            if ((c as { clientOrderId?: string }).clientOrderId === "boom") {
              threw++;
              throw new Error("engine fault after the book changed");
            }
            return result;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number, clientOrderId: string = crypto.randomUUID()): MarketCommand => ({
      type: "place", playerId, clientOrderId, side, orderType: "limit", price, quantity,
    });
    // The first submit runs alone; everything after it queues into the next batch, the poison in the middle.
    const first = session.submit(place(players[0]!, "sell", 100, 1));
    const valid = players.slice(0, 4).map((p, i) => session.submit(place(p, i % 2 === 0 ? "sell" : "buy", i % 2 === 0 ? 100 : 110, 3)));
    const poisoned = session.submit(place(bad, "buy", 110, 2, "boom"));
    const more = players.slice(4).map((p, i) => session.submit(place(p, i % 2 === 0 ? "sell" : "buy", i % 2 === 0 ? 100 : 110, 3)));
    expect((await first).ok).toBe(true);
    const answers = await Promise.all([...valid, ...more]);
    for (const a of answers) expect(a, JSON.stringify(a)).toMatchObject({ ok: true });
    expect(answers.flatMap((a) => a.fills ?? []).length).toBeGreaterThan(0);
    const refused = await poisoned;
    expect(refused).toMatchObject({ ok: false, reason: "INVALID_COMMAND" });
    expect(refused.message).toMatch(/could not be processed .*engine fault after the book changed.*nothing was changed/);
    expect(threw).toBe(1);
    // The throwing book was thrown away (reloaded from Postgres), and the poisoner holds nothing back.
    expect(inner.book).not.toBe(real);
    expect(await wallet(db, bad, m.itemTypeId)).toEqual({ copper: 100_000, copperReserved: 0, items: 1_000, itemsReserved: 0 });
    const [stored] = await rows<{ n: number }>(db, sql`select count(*)::int as n from orders where player_id = ${bad}`);
    expect(stored!.n).toBe(0);
    // What the session holds equals what is committed.
    const fresh = (await MarketSession.open(() => db, m.slug))!;
    expect(fresh.depth.view()).toEqual({ ...session.depth.view(), seq: 0 });
    expect((await checkLedger(db)).problems).toEqual([]);
    expect((await replay(db)).differences).toEqual([]);
  });
});
