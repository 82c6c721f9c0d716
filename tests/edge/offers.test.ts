/** Offers at the edge without a database: schemas, the compose form parser, env policy, OpenAPI. */
import { describe, expect, it } from "vitest";
import { sides } from "../../app/components/offers/sides";
import { defaultOfferPolicy } from "../../db/offers";
import { allApiRoutes, handleApi } from "../../edge/api/index.server";
import { buildOpenApi } from "../../edge/api/openapi.server";
import { AcceptOffer, CounterOffer, CreateOffer, OffersQuery } from "../../edge/api/offers-schemas";
import type { AppLoadContext } from "../../edge/context.server";
import { EnvSchema } from "../../edge/env.server";
import { draftValues, parseGold, parseQuantity, readComposeForm } from "../../edge/offers/form.server";
import { offerPolicy } from "../../edge/offers/policy.server";
import { describeIssues } from "../../edge/validation";

const SWORD = "6f1c2a4e-8a53-4d8e-9b61-0c2f6f0b9a11";
const gold = (quantity: unknown) => ({ kind: "currency", quantity });
const problem = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown) => {
  const r = schema.safeParse(value) as { success: boolean; error?: Parameters<typeof describeIssues>[0] };
  return r.success ? "ok" : describeIssues(r.error!).message;
};

describe("offer schemas", () => {
  const ok = { to: "bob_1", give: [gold(100)] };
  it("accepts the three kinds of line and defaults the missing side to nothing", () => {
    const parsed = CreateOffer.parse({ to: "bob_1", give: [gold(1), { kind: "stack", itemTypeId: 3, quantity: 2 }, { kind: "unique", itemId: SWORD }], message: "hi\nthere", expiresInHours: 1 });
    expect(parsed.ask).toEqual([]);
    expect(parsed.give).toHaveLength(3);
    expect(problem(CounterOffer, { ask: [gold(5)] })).toBe("ok");
  });
  it.each<[string, unknown, RegExp]>([
    ["zero", { ...ok, give: [gold(0)] }, /at least 1/],
    ["negative", { ...ok, give: [gold(-1)] }, /at least 1/],
    ["fractional", { ...ok, give: [gold(0.5)] }, /whole number/],
    ["beyond 2^53", { ...ok, give: [gold(2 ** 53)] }, /at most 9007199254740991/],
    ["a string", { ...ok, give: [gold("1")] }, /must be a number/],
    ["infinite", { ...ok, give: [gold(Infinity)] }, /quantity/],
    ["an unknown kind", { ...ok, give: [{ kind: "gold", quantity: 1 }] }, /kind must be currency, stack or unique/],
    ["an extra line field", { ...ok, give: [{ ...gold(1), owner: "me" }] }, /unknown field: owner/],
    ["an extra body field", { ...ok, from: "alice" }, /unknown field: from/],
    ["a unique line with a quantity", { ...ok, give: [{ kind: "unique", itemId: SWORD, quantity: 2 }] }, /unknown field: quantity/],
    ["a bad item id", { ...ok, give: [{ kind: "unique", itemId: "1" }] }, /itemId must be an item id/],
    ["an item type beyond int4", { ...ok, give: [{ kind: "stack", itemTypeId: 2 ** 31, quantity: 1 }] }, /itemTypeId must be at most 2147483647/],
    ["no lines", { to: "bob_1" }, /at least one line/],
    ["101 lines on one side", { ...ok, give: Array(101).fill(gold(1)) }, /give: at most 100 lines/],
    ["101 lines in all", { ...ok, give: Array(51).fill(gold(1)), ask: Array(50).fill(gold(1)) }, /at most 100 lines in all/],
    ["a bad recipient", { ...ok, to: "a b" }, /username may contain only/],
    ["a control character", { ...ok, message: "\u0000" }, /control characters/],
    ["an overlong message", { ...ok, message: "x".repeat(501) }, /at most 500/],
    ["expiry beyond two weeks", { ...ok, expiresInHours: 337 }, /at most 336/],
  ])("refuses %s", (_what, body, message) => {
    expect(problem(CreateOffer, body)).toMatch(message);
  });
  it("accept takes an optional boolean confirm, nothing else", () => {
    expect(problem(AcceptOffer, {})).toBe("ok");
    expect(problem(AcceptOffer, { confirm: true })).toBe("ok");
    expect(problem(AcceptOffer, { confirm: 1 })).toMatch(/confirm must be true or false/);
    expect(problem(AcceptOffer, { confirm: true, price: 1 })).toMatch(/unknown field: price/);
  });
  it("boxes default to the inbox", () => {
    expect(OffersQuery.parse({})).toEqual({ box: "inbox" });
    expect(problem(OffersQuery, { box: "spam" })).toMatch(/box must be inbox, sent or history/);
  });
});

describe("the compose form", () => {
  it.each<[string, number]>([["12", 1200], ["12.5", 1250], ["12.05", 1205], ["0.01", 1], ["1,250.75", 125_075], [" 7 ", 700], ["", 0], ["007", 700], ["12.", 1200]])(
    "reads %j gold as %i copper",
    (raw, copper) => expect(parseGold(raw)).toEqual({ copper }),
  );
  it.each([["-1"], ["1.005"], ["1e3"], ["ten"], ["1,2"], ["12,50"], ["0x10"], ["99999999999999"], ["Infinity"], ["1 000"]])("refuses %j gold", (raw) => {
    expect(parseGold(raw)).toHaveProperty("error");
  });
  it("quantities are whole numbers; blank or 0 leaves the line out", () => {
    expect(parseQuantity("3")).toEqual({ quantity: 3 });
    expect(parseQuantity("")).toEqual({ quantity: 0 });
    for (const raw of ["1.5", "-1", "+1", "1e2", "99999999999999999"]) expect(parseQuantity(raw), raw).toHaveProperty("error");
  });

  const form = (fields: Array<[string, string]>) => {
    const f = new FormData();
    for (const [k, v] of fields) f.append(k, v);
    return f;
  };
  it("turns fields into lines, ignoring blanks and zeros", () => {
    const r = readComposeForm(form([["csrf", "x"], ["to", "bob"], ["give.gold", "1.5"], ["give.stack.3", "2"], ["give.stack.4", "0"], ["ask.unique", SWORD], ["ask.gold", ""], ["message", "hi\r\nthere"], ["expiresInHours", "24"]]));
    expect(r).toEqual({
      ok: true,
      draft: { give: [{ kind: "currency", quantity: 150 }, { kind: "stack", itemTypeId: 3, quantity: 2 }], ask: [{ kind: "unique", itemId: SWORD }], message: "hi\nthere", expiresInHours: 24 },
    });
  });
  it("names every bad field, and refuses an empty offer", () => {
    const r = readComposeForm(form([["give.gold", "-2"], ["give.stack.3", "1.5"], ["ask.unique", "nope"], ["expiresInHours", "999"], ["give.gold", "3"]]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.fieldErrors).sort()).toEqual(["ask.unique", "expiresInHours", "give.gold", "give.stack.3"]);
    expect(readComposeForm(form([["give.stack.3", "0"]]))).toMatchObject({ ok: false, formError: expect.stringMatching(/Put something on the offer/) });
  });
  it("refills a counter form from an offer's lines", () => {
    expect(draftValues({ give: [{ kind: "currency", quantity: 20_005 }], ask: [{ kind: "unique", itemId: SWORD }, { kind: "stack", itemTypeId: 9, quantity: 4 }] })).toEqual({
      "give.gold": "200.05",
      "ask.unique": [SWORD],
      "ask.stack.9": "4",
    });
  });
});

describe("policy and perspective", () => {
  const base = { DATABASE_URL: "postgres://db", SESSION_SECRET: "s".repeat(32), ROOM_SECRET: "r".repeat(32) };
  it("reads the offer policy from env with the domain's defaults", () => {
    expect(offerPolicy(EnvSchema.parse(base))).toEqual(defaultOfferPolicy);
    const tuned = offerPolicy(EnvSchema.parse({ ...base, OFFER_MIN_ACCOUNT_AGE_SECONDS: "0", OFFER_ACCEPT_DELAY_SECONDS: 0, OFFER_CONFIRM_ABOVE_COPPER: "500" }));
    expect(tuned).toMatchObject({ minAccountAgeSeconds: 0, acceptDelaySeconds: 0, confirmAboveCopper: 500 });
    const bad = EnvSchema.safeParse({ ...base, OFFER_ACCEPT_DELAY_SECONDS: "-5" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ["OFFER_ACCEPT_DELAY_SECONDS"], message: "must be a whole number (0 or more)" });
  });
  it("shows each player their own side as 'you give'", () => {
    const lines = [
      { direction: "give" as const, kind: "unique" as const, itemTypeId: 1, itemId: SWORD, quantity: 1 },
      { direction: "ask" as const, kind: "currency" as const, itemTypeId: null, itemId: null, quantity: 500 },
    ];
    const offer = { fromPlayerId: "a", fromUsername: "alice", toUsername: "bob", lines };
    expect(sides(offer, "a")).toEqual({ role: "sender", other: "bob", youGive: [lines[0]], youGet: [lines[1]] });
    expect(sides(offer, "b")).toEqual({ role: "recipient", other: "alice", youGive: [lines[1]], youGet: [lines[0]] });
  });
});

describe("offers in the OpenAPI document and the router", () => {
  const doc = buildOpenApi(allApiRoutes) as { paths: Record<string, Record<string, any>> };
  it("documents every offer endpoint with strict bodies and uuid path ids", () => {
    const ops = Object.entries(doc.paths).flatMap(([p, o]) => Object.keys(o).map((m) => `${m.toUpperCase()} ${p}`));
    for (const op of [
      "GET /api/v1/offers", "POST /api/v1/offers", "GET /api/v1/offers/{id}", "POST /api/v1/offers/{id}/accept", "POST /api/v1/offers/{id}/decline",
      "POST /api/v1/offers/{id}/cancel", "POST /api/v1/offers/{id}/counter", "GET /api/v1/blocks", "POST /api/v1/blocks", "DELETE /api/v1/blocks/{playerId}",
      "GET /api/v1/players/{username}/inventory",
    ]) expect(ops).toContain(op);
    const create = doc.paths["/api/v1/offers"]!.post;
    expect(create.requestBody.content["application/json"].schema.additionalProperties).toBe(false);
    expect(create.requestBody.content["application/json"].schema.properties.give.maxItems).toBe(100);
    expect(Object.keys(create.responses).sort()).toEqual(["201", "400", "401", "403", "404", "409", "413", "415"]);
    const accept = doc.paths["/api/v1/offers/{id}/accept"]!.post;
    expect(accept.parameters[0]).toMatchObject({ name: "id", in: "path", schema: { format: "uuid" } });
    expect(Object.keys(accept.responses)).toEqual(expect.arrayContaining(["410", "425", "428"]));
    expect(JSON.stringify(doc.paths["/api/v1/players/{username}/inventory"]!.get.responses["200"])).not.toContain("balance");
  });
  it("asks for a token before anything else", async () => {
    const noDb = { env: {}, ctx: {}, requestId: "t", get db(): never { throw new Error("the database was touched"); } } as unknown as AppLoadContext;
    for (const [method, path] of [["GET", "/api/v1/offers"], ["POST", "/api/v1/offers/not-a-uuid/accept"], ["DELETE", "/api/v1/blocks/x"], ["GET", "/api/v1/players/a/inventory"]] as const) {
      const res = await handleApi(new Request(`http://127.0.0.1${path}`, { method }), noDb);
      expect(res.status, path).toBe(401);
    }
  });
});
