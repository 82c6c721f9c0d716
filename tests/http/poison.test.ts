/**
 * One player's bad order never fails another's: each poisoned field is sent through the API at the
 * same moment as many valid orders to the same market, and straight to the room's socket. The
 * poisoned ones get a 4xx naming the problem; every valid one is acknowledged; the ledger holds.
 */
import { expect, it } from "vitest";
import WebSocket from "ws";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { DEMO_PASSWORD } from "../../db/seed";
import type { ServerMessage } from "../../party/protocol";
import { api, openDb } from "./client";

const MARKET = "iron-ore"; // tick 1, lot 10

async function token(username: string) {
  const r = await api("/tokens", { method: "POST", json: { username, password: DEMO_PASSWORD, label: "poison test" } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}

const YEAR = 365 * 24 * 3_600_000;
/** [what is wrong, the order's fields, a word the error message must contain] */
const poisons = (now: number): Array<[string, Record<string, unknown>, RegExp]> => [
  ["expiresAt 2^53 - 1", { expiresAt: Number.MAX_SAFE_INTEGER }, /expiresAt/],
  ["expiresAt in the past", { expiresAt: 1 }, /expiresAt/],
  ["expiresAt two years ahead", { expiresAt: now + 2 * YEAR }, /expiresAt/],
  ["quantity 2^53", { quantity: 2 ** 53 }, /quantity/],
  ["negative quantity", { quantity: -10 }, /quantity/],
  ["fractional quantity", { quantity: 10.5 }, /quantity/],
  ["price 2^53", { price: 2 ** 53 }, /price/],
  ["unknown side", { side: "sideways" }, /side/],
  ["unknown order type", { orderType: "stop" }, /orderType/],
  ["unknown time in force", { timeInForce: "FOREVER" }, /timeInForce/],
  ["unknown stp", { stp: "maybe" }, /stp/],
  ["huge client order id", { clientOrderId: "x".repeat(100_000) }, /at most 16384 bytes/],
  ["long client order id", { clientOrderId: "x".repeat(65) }, /clientOrderId/],
  ["string quantity", { quantity: "10" }, /quantity/],
];

it("poisoned orders sent with 24 valid ones: each poisoned one gets a 4xx naming the field, every valid one is acknowledged", async () => {
  const players = [await token("alice"), await token("bob"), await token("carol")];
  const now = Date.now();
  const valid = Array.from({ length: 24 }, (_, i) =>
    api(`/markets/${MARKET}/orders`, {
      method: "POST",
      token: players[i % 3],
      json: { clientOrderId: `poison-ok-${now}-${i}`, side: "buy", price: 1 + (i % 3), quantity: 10, ...(i % 4 === 0 ? { expiresAt: now + 60_000 } : {}) },
    }),
  );
  const bad = poisons(now).map(([, fields], i) =>
    api(`/markets/${MARKET}/orders`, {
      method: "POST",
      token: players[i % 3],
      json: { clientOrderId: `poison-bad-${now}-${i}`, side: "buy", price: 2, quantity: 10, ...fields },
    }),
  );
  const [good, refused] = await Promise.all([Promise.all(valid), Promise.all(bad)]);
  for (const r of good) expect(r.status, JSON.stringify(r.body)).toBe(200);
  for (const r of good) expect(r.body).toMatchObject({ ok: true, order: { status: "open" } });
  poisons(now).forEach(([what, , word], i) => {
    const r = refused[i]!;
    expect(r.status, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
    expect(r.status, what).toBeLessThan(500);
    expect(r.body.error.message, what).toMatch(word);
  });
  // Clean up the resting buys.
  for (const t of players) expect((await api(`/markets/${MARKET}/cancel-all`, { method: "POST", token: t })).status).toBe(200);
  const { db } = await openDb();
  expect((await checkLedger(db)).problems).toEqual([]);
  expect((await replay(db)).differences).toEqual([]);
});

it("the room checks too: a poisoned message on a player's socket is refused with a message naming the field", async () => {
  const bearer = await token("bob");
  const t = await api(`/markets/${MARKET}/connect-token`, { method: "POST", token: bearer });
  const ws = new WebSocket(`ws://${t.body.host}/parties/main/${MARKET}?token=${encodeURIComponent(t.body.token)}`);
  const messages: ServerMessage[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
  await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
  try {
    const now = Date.now();
    for (const [what, fields, word] of poisons(now).filter(([w]) => !w.startsWith("huge"))) {
      const before = messages.length;
      ws.send(JSON.stringify({ type: "place", ref: what, clientOrderId: `sock-${now}`, side: "buy", orderType: "limit", price: 2, quantity: 10, ...fields }));
      const deadline = Date.now() + 5_000;
      while (!messages.slice(before).some((m) => m.type === "error" || m.type === "answer") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // The sender gets the answer to its ref: refused, with the field named.
      const reply = messages.slice(before).find((m) => m.type === "error" || m.type === "answer");
      expect(reply, what).toMatchObject({ type: "answer", ref: what, answer: { ok: false, reason: "INVALID_COMMAND" } });
      expect((reply as { answer: { message: string } }).answer.message, what).toMatch(word);
    }
  } finally {
    ws.close();
  }
});
