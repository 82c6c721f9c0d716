/**
 * Trading limits (issue 17, ADR 027) over HTTP on the built worker and real rooms, real Postgres: a
 * game server with the "limits" scope sets them on its new item type, players' orders through
 * /api/v1 are refused with 429 / 403, a message naming when the limit lifts and Retry-After; the
 * operator route asks the policy module.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { gameServerClient, newIdempotencyKey } from "../../clients/game-server";
import { createServer } from "../../db/game-servers";
import { signUp } from "../../edge/auth/signup.server";
import { api, baseUrl, openDb, uniqueName } from "./client";
import { enrolSecondFactor } from "../support/second-factor";

let client: ReturnType<typeof gameServerClient>;
let noScope: ReturnType<typeof gameServerClient>;
const slug = uniqueName("ore").replace(/_/g, "-");

async function newPlayer() {
  const db = (await openDb()).db;
  const username = uniqueName("tl");
  const made = await signUp(db, { username, password: "correct-horse-9" });
  if (!made.ok) throw new Error(made.message);
  const t = await api("/tokens", { method: "POST", json: { username, password: "correct-horse-9", label: "limits test" } });
  return { id: made.playerId, token: t.body.token as string };
}

async function server(scopes: Parameters<typeof createServer>[2]["scopes"]) {
  const made = await createServer((await openDb()).db, inject("workerVars").SESSION_SECRET!, {
    name: uniqueName("lim").replace(/_/g, "-"), scopes, mintLimits: { currency: 10_000_000, items: 10_000 }, createdBy: "test",
  });
  if (!made.ok) throw new Error(made.message);
  return gameServerClient({ baseUrl: baseUrl(), keyId: made.keyId, secret: made.secret });
}

const order = (token: string, side: "buy" | "sell", price: number, quantity: number) =>
  api(`/markets/${slug}/orders`, { method: "POST", token, json: { clientOrderId: uniqueName("o"), side, orderType: "limit", price, quantity } });

beforeAll(async () => {
  client = await server(["catalog", "mint:items", "limits"]);
  noScope = await server(["catalog"]);
  const type = await client.POST("/api/v1/server/item-types", {
    params: { header: { "Idempotency-Key": newIdempotencyKey() } },
    body: { slug, name: "Limited Ore", description: "Bots love it.", category: "materials", icon: "⛏", stackable: true },
  });
  expect(type.response.status).toBe(201);
});

describe("trading limits over HTTP", () => {
  it("a game server with the limits scope sets them; without it, 403; bad values 400 naming the field", async () => {
    const body = { buyLimit: 5, buyWindowSeconds: 3_600, minAccountAgeSeconds: 86_400, newAccountMaxOrderValue: null, newAccountAgeSeconds: null };
    const refused = await noScope.PUT("/api/v1/server/item-types/{slug}/limits", { params: { path: { slug }, header: { "Idempotency-Key": newIdempotencyKey() } }, body });
    expect(refused.response.status).toBe(403);
    const bad = await client.PUT("/api/v1/server/item-types/{slug}/limits", { params: { path: { slug }, header: { "Idempotency-Key": newIdempotencyKey() } }, body: { ...body, buyLimit: 0 } });
    expect([bad.response.status, bad.error?.error.message]).toEqual([400, expect.stringContaining("buyLimit")]);
    const set = await client.PUT("/api/v1/server/item-types/{slug}/limits", { params: { path: { slug }, header: { "Idempotency-Key": newIdempotencyKey() } }, body });
    expect(set.response.status).toBe(200);
    expect(set.data).toMatchObject({ itemType: slug, market: slug, buyLimit: 5, buyWindowSeconds: 3_600, minAccountAgeSeconds: 86_400 });
    const read = await api(`/item-types/${slug}/limits`);
    expect(read.body).toMatchObject({ buyLimit: 5, updatedBy: expect.stringMatching(/^server:/) });
  });

  it("players: over the buy limit is a 429 with Retry-After; a new account's sell is a 403 saying from when", async () => {
    const [seller, buyer] = [await newPlayer(), await newPlayer()];
    const db = (await openDb()).db;
    await db.execute(sql`update players set created_at = now() - interval '30 days' where id = ${seller.id}`);
    const grant = await client.POST("/api/v1/server/items/grant", { params: { header: { "Idempotency-Key": newIdempotencyKey() } }, body: { playerId: seller.id, itemType: slug, quantity: 50 } });
    expect(grant.response.status).toBe(201);
    await client.POST("/api/v1/server/items/grant", { params: { header: { "Idempotency-Key": newIdempotencyKey() } }, body: { playerId: buyer.id, itemType: slug, quantity: 5 } });
    expect((await order(seller.token, "sell", 10, 50)).status).toBe(200);
    expect((await order(buyer.token, "buy", 10, 5)).status).toBe(200);
    const over = await order(buyer.token, "buy", 10, 1);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe("buy_limit_reached");
    expect(over.body.error.message).toMatch(/at most 5 per player every 1 hour.*frees up at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    const retry = Number(over.headers.get("Retry-After"));
    expect(retry).toBeGreaterThan(3_500);
    expect(retry).toBeLessThanOrEqual(3_600);
    const young = await order(buyer.token, "sell", 10, 1);
    expect([young.status, young.body.error.code]).toEqual([403, "account_too_new"]);
    expect(young.body.error.message).toContain("accounts may sell it 1 day after sign-up");
    expect(Number(young.headers.get("Retry-After"))).toBeGreaterThan(86_000);
  });

  it("the operator route asks the policy: a player is refused, an admin sets them", async () => {
    const p = await newPlayer();
    const body = { buyLimit: null, minAccountAgeSeconds: null, newAccountMaxOrderValue: 1_000, newAccountAgeSeconds: 86_400 };
    const refused = await api(`/operator/item-types/${slug}/limits`, { method: "PUT", token: p.token, json: body });
    expect(refused.status).toBe(403);
    await (await openDb()).db.execute(sql`update players set roles = '{player,admin}' where id = ${p.id}`);
    // Staff power needs a second factor, and changing limits a fresh code (ADR 035).
    const noFactor = await api(`/operator/item-types/${slug}/limits`, { method: "PUT", token: p.token, json: body });
    expect([noFactor.status, noFactor.body.error.code]).toEqual([403, "second_factor_required"]);
    const vars = inject("workerVars");
    const factor = await enrolSecondFactor((await openDb()).db, p.id, vars.SERVER_KEY_SECRET ?? vars.SESSION_SECRET!);
    const asked = await api(`/operator/item-types/${slug}/limits`, { method: "PUT", token: p.token, json: body });
    expect([asked.status, asked.body.error.code]).toEqual([403, "step_up_required"]);
    const set = await api(`/operator/item-types/${slug}/limits`, { method: "PUT", token: p.token, json: { ...body, code: factor.code() } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ buyLimit: null, buyWindowSeconds: 14_400, newAccountMaxOrderValue: 1_000, updatedBy: `operator:${p.id}` });
    const buyer = await newPlayer();
    const big = await order(buyer.token, "buy", 10, 101);
    expect([big.status, big.body.error.code]).toEqual([403, "order_value_too_high"]);
  });
});
