/**
 * Order bounds at the edge (edge/api/market-schemas.ts), at the room's door (party/protocol.ts,
 * the same check for sockets and for the edge's signed HTTP commands) and in the OpenAPI document:
 * each field at its bound is accepted, one past it refused with a message naming the field.
 */
import { describe, expect, it } from "vitest";
import { allApiRoutes } from "../../edge/api/index.server";
import { AmendOrder, PlaceOrder } from "../../edge/api/market-schemas";
import { buildOpenApi } from "../../edge/api/openapi.server";
import { describeIssues } from "../../edge/validation";
import { EXPIRY_MAX_AHEAD_MS, MAX_BUDGET, MAX_ORDER_QUANTITY, MAX_PRICE } from "../../party/bounds";
import { parseClientMessage, ServiceCommand } from "../../party/protocol";

const DAY = 24 * 3_600_000;
const order = (fields: Record<string, unknown> = {}) => ({ clientOrderId: "c-1", side: "buy", price: 100, quantity: 10, ...fields });
const EXPIRY = "expiresAt must be between now and 365 days from now (epoch milliseconds)";

/** The API's message for a body, or "ok". */
function edge(schema: typeof PlaceOrder | typeof AmendOrder, body: unknown): string {
  const r = schema.safeParse(body);
  return r.success ? "ok" : describeIssues(r.error).message;
}

/** The room's answer to the same order on a socket. */
function room(fields: Record<string, unknown>): string {
  const r = parseClientMessage(JSON.stringify({ type: "place", ref: "r1", orderType: "limit", ...order(fields) }));
  return r.ok ? "ok" : r.message;
}

/** [what, fields, the message must match] */
const refused = (now: number): Array<[string, Record<string, unknown>, RegExp]> => [
  ["quantity one past its bound", { quantity: MAX_ORDER_QUANTITY + 1 }, /quantity must be at most 1000000/],
  ["quantity 2^53", { quantity: 2 ** 53 }, /quantity/],
  ["quantity 0", { quantity: 0 }, /quantity must be at least 1/],
  ["negative quantity", { quantity: -10 }, /quantity must be at least 1/],
  ["fractional quantity", { quantity: 10.5 }, /quantity must be a whole number/],
  ["quantity as a string", { quantity: "10" }, /quantity/],
  ["price one past its bound", { price: MAX_PRICE + 1 }, /price must be at most 1000000000/],
  ["price 2^53", { price: 2 ** 53 }, /price/],
  ["fractional price", { price: 1.25 }, /price must be a whole number/],
  ["budget one past its bound", { orderType: "market", price: undefined, budget: MAX_BUDGET + 1 }, /budget must be at most 1000000000000000/],
  ["priceLimit one past its bound", { orderType: "market", price: undefined, priceLimit: MAX_PRICE + 1 }, /priceLimit must be at most 1000000000/],
  ["expiresAt 2^53 - 1", { expiresAt: Number.MAX_SAFE_INTEGER }, /expiresAt must be between now and 365 days from now/],
  ["expiresAt 1", { expiresAt: 1 }, /expiresAt must be between now and 365 days from now/],
  ["expiresAt now", { expiresAt: now - 1 }, /expiresAt/],
  ["expiresAt 366 days ahead", { expiresAt: now + 366 * DAY }, /expiresAt/],
  ["expiresAt fractional", { expiresAt: now + 60_000.5 }, /expiresAt/],
  ["unknown side", { side: "sideways" }, /side/],
  ["unknown orderType", { orderType: "stop" }, /orderType/],
  ["unknown timeInForce", { timeInForce: "FOREVER" }, /timeInForce/],
  ["unknown stp", { stp: "maybe" }, /stp/],
  ["clientOrderId of 65 characters", { clientOrderId: "x".repeat(65) }, /clientOrderId/],
  ["clientOrderId with a NUL", { clientOrderId: "a\u0000b" }, /clientOrderId/],
];

describe("placing an order: bounds at the edge and at the room", () => {
  it("accepts every field at its bound", () => {
    const now = Date.now();
    for (const fields of [
      { quantity: MAX_ORDER_QUANTITY, price: MAX_PRICE },
      { quantity: 1, price: 1 },
      { expiresAt: now + 5_000 },
      { expiresAt: now + EXPIRY_MAX_AHEAD_MS - 5_000 },
      { orderType: "market", price: undefined, budget: MAX_BUDGET },
      { orderType: "market", price: undefined, priceLimit: MAX_PRICE, quantity: MAX_ORDER_QUANTITY },
    ]) {
      expect(edge(PlaceOrder, order(fields)), JSON.stringify(fields)).toBe("ok");
      expect(room(fields), JSON.stringify(fields)).toBe("ok");
    }
  });

  it.each(refused(Date.now()))("refuses %s, naming the field, at the edge and at the room", (_what, fields, message) => {
    expect(edge(PlaceOrder, order(fields))).toMatch(message);
    expect(room(fields)).toMatch(message);
  });

  it("says the expiry window in words", () => {
    expect(edge(PlaceOrder, order({ expiresAt: 1 }))).toBe(`The ${EXPIRY}.`);
    expect(room({ expiresAt: Number.MAX_SAFE_INTEGER })).toBe(EXPIRY);
    expect(room({ side: "sideways" })).toBe("side must be buy or sell");
    expect(room({ quantity: "10" })).toBe("quantity must be a number");
  });

  it("the room's answer to a refused socket message names its ref; the edge's signed command is checked the same way", () => {
    expect(parseClientMessage(JSON.stringify({ type: "place", ref: "r9", orderType: "limit", ...order({ quantity: 2 ** 53 }) }))).toMatchObject({ ok: false, ref: "r9" });
    const service = ServiceCommand.safeParse({ playerId: crypto.randomUUID(), command: { type: "place", orderType: "limit", ...order({ expiresAt: 1 }) } });
    expect(service.success).toBe(false);
    expect(service.error!.issues[0]!.message).toBe(EXPIRY);
    const fine = ServiceCommand.safeParse({ playerId: crypto.randomUUID(), command: { type: "place", orderType: "limit", ...order({ expiresAt: Date.now() + 60_000 }) } });
    expect(fine.success).toBe(true);
  });
});

describe("amending an order: bounds", () => {
  it.each([
    [{ quantity: MAX_ORDER_QUANTITY }, "ok"],
    [{ price: MAX_PRICE }, "ok"],
    [{ quantity: MAX_ORDER_QUANTITY + 1 }, /quantity must be at most 1000000/],
    [{ quantity: 2 ** 53 }, /quantity/],
    [{ quantity: 0.5 }, /quantity must be a whole number/],
    [{ price: MAX_PRICE + 1 }, /price must be at most 1000000000/],
    [{ price: -1 }, /price must be at least 1/],
    [{}, /[Gg]ive a new price or quantity/],
    [{ quantity: 5, expiresAt: Date.now() + 60_000 }, /unknown field: expiresAt/],
  ])("%j: %s", (body, expected) => {
    const message = edge(AmendOrder, body);
    if (expected === "ok") expect(message).toBe("ok");
    else expect(message).toMatch(expected);
    if (!("expiresAt" in body) && Object.keys(body).length > 0) {
      const r = parseClientMessage(JSON.stringify({ type: "amend", orderId: crypto.randomUUID(), ...body }));
      if (expected === "ok") expect(r.ok).toBe(true);
      else expect(r.ok ? "ok" : r.message).toMatch(expected);
    }
  });
});

describe("the OpenAPI document states each bound", () => {
  const doc = buildOpenApi(allApiRoutes) as { paths: Record<string, Record<string, any>> };
  const body = (path: string) => doc.paths[path]!.post.requestBody.content["application/json"].schema as { properties: Record<string, any> };

  it("placeOrder: quantity, price, budget and priceLimit with minimum and maximum; expiresAt's window in its description", () => {
    const p = body("/api/v1/markets/{slug}/orders").properties;
    expect(p.quantity).toMatchObject({ type: "integer", minimum: 1, maximum: MAX_ORDER_QUANTITY });
    expect(p.price).toMatchObject({ type: "integer", minimum: 1, maximum: MAX_PRICE });
    expect(p.budget).toMatchObject({ type: "integer", minimum: 1, maximum: MAX_BUDGET });
    expect(p.priceLimit).toMatchObject({ type: "integer", minimum: 1, maximum: MAX_PRICE });
    expect(p.expiresAt).toMatchObject({ type: "integer", minimum: 1 });
    expect(p.expiresAt.description).toMatch(/between now and 365 days from now/);
    for (const field of ["quantity", "price", "budget", "priceLimit"]) expect(p[field].description, field).toMatch(String(p[field].maximum));
  });

  it("amendOrder: quantity and price with minimum and maximum", () => {
    const p = body("/api/v1/markets/{slug}/orders/{id}/amend").properties;
    expect(p.quantity).toMatchObject({ type: "integer", minimum: 1, maximum: MAX_ORDER_QUANTITY });
    expect(p.price).toMatchObject({ type: "integer", minimum: 1, maximum: MAX_PRICE });
  });
});

describe("a command's traceparent (ADR 040)", () => {
  const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  it("rides on any command, socket message or the edge's signed body", () => {
    for (const m of [
      { type: "place", ref: "r", traceparent: tp, clientOrderId: "c1", side: "buy", orderType: "limit", price: 10, quantity: 1 },
      { type: "cancel", traceparent: tp, orderId: crypto.randomUUID() },
      { type: "amend", traceparent: tp, orderId: crypto.randomUUID(), price: 10 },
      { type: "cancelAll", traceparent: tp },
    ]) {
      const r = parseClientMessage(JSON.stringify(m));
      expect(r.ok && (r.message as { traceparent?: string }).traceparent).toBe(tp);
    }
    expect(ServiceCommand.safeParse({ playerId: crypto.randomUUID(), command: { type: "cancelAll" }, traceparent: tp }).success).toBe(true);
  });
  it("a malformed one is refused, naming the field", () => {
    const r = parseClientMessage(JSON.stringify({ type: "cancelAll", ref: "r2", traceparent: "00-xyz" }));
    expect(r).toMatchObject({ ok: false, ref: "r2" });
    if (!r.ok) expect(r.message).toMatch(/^traceparent must be a W3C traceparent/);
    expect(ServiceCommand.safeParse({ playerId: crypto.randomUUID(), command: { type: "cancelAll" }, traceparent: "junk" }).success).toBe(false);
  });
});
