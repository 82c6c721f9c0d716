/**
 * My fills over HTTP (built worker, real rooms, real Postgres): GET /api/v1/fills with its filters
 * (market, side, from, to) and cursor paging, as the OpenAPI document describes them; the web's
 * trade history page and its CSV export (/trades.csv) for a signed-in player. Two fresh players
 * trade on two fresh markets of their own, so nothing else on the server shows up in their fills.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { signUp } from "../../edge/auth/signup.server";
import { addMarket } from "../support/market";
import { api, Browser, openDb, textOf, uniqueName } from "./client";

const PASSWORD = "fills-test-9";
let seller: { name: string; token: string };
let buyer: { name: string; token: string };
let m1: string;
let m2: string;
let startedAt: string;

async function player() {
  const { db } = await openDb();
  const name = uniqueName("fil");
  expect((await signUp(db, { username: name, password: PASSWORD })).ok).toBe(true);
  const r = await api("/tokens", { method: "POST", json: { username: name, password: PASSWORD, label: "fills test" } });
  expect(r.status).toBe(201);
  return { name, token: r.body.token as string };
}

async function order(token: string, market: string, side: "buy" | "sell", price: number, quantity: number) {
  const r = await api(`/markets/${market}/orders`, { method: "POST", token, json: { clientOrderId: crypto.randomUUID(), side, price, quantity } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.ok).toBe(true);
  return r.body;
}

beforeAll(async () => {
  const { db } = await openDb();
  const [a, b] = [await addMarket(db, { makerBps: 100, takerBps: 200 }), await addMarket(db, { makerBps: 100, takerBps: 200 })];
  [m1, m2] = [a.slug, b.slug];
  [seller, buyer] = [await player(), await player()];
  const sellerId = (await api("/me", { token: seller.token })).body.id as string;
  await withTx(db, async (tx) => {
    await ledger.mint(tx, { actor: "test" }, { playerId: sellerId, asset: a.itemTypeId, amount: 10 });
    await ledger.mint(tx, { actor: "test" }, { playerId: sellerId, asset: b.itemTypeId, amount: 10 });
  });
  startedAt = new Date(Date.now() - 1_000).toISOString();
  // 1: the buyer takes 3 at 97.31 on m1.  2: the seller takes the buyer's bid, 2 at 44.47 on m2.  3: the buyer takes 1 at 98.00 on m1.
  await order(seller.token, m1, "sell", 9_731, 3);
  expect((await order(buyer.token, m1, "buy", 9_731, 3)).fills).toHaveLength(1);
  await order(buyer.token, m2, "buy", 4_447, 2);
  expect((await order(seller.token, m2, "sell", 4_447, 2)).fills).toHaveLength(1);
  await order(seller.token, m1, "sell", 9_800, 1);
  expect((await order(buyer.token, m1, "buy", 9_800, 1)).fills).toHaveLength(1);
}, 120_000);

const fills = async (token: string, query = "") => api(`/fills${query}`, { token });

describe("my fills over HTTP", () => {
  it("lists my fills newest first, each with my side, role, fee and time", async () => {
    const r = await fills(buyer.token);
    expect(r.status).toBe(200);
    expect(r.body.nextCursor).toBeNull();
    expect(r.body.fills).toMatchObject([
      { market: m1, price: 9_800, quantity: 1, side: "buy", role: "taker", fee: 196 },
      { market: m2, price: 4_447, quantity: 2, side: "buy", role: "maker", fee: 88 },
      { market: m1, price: 9_731, quantity: 3, side: "buy", role: "taker", fee: 583 },
    ]);
    expect(r.body.fills[0]).not.toHaveProperty("id");
    expect((await fills(seller.token)).body.fills.map((f: { side: string; role: string }) => `${f.side} ${f.role}`)).toEqual(["sell maker", "sell taker", "sell maker"]);
  });

  it("filters by market, side and time", async () => {
    expect((await fills(buyer.token, `?market=${m2}`)).body.fills).toMatchObject([{ market: m2, price: 4_447 }]);
    expect((await fills(buyer.token, "?side=sell")).body.fills).toEqual([]);
    expect((await fills(seller.token, `?side=sell&market=${m1}`)).body.fills).toHaveLength(2);
    expect((await fills(buyer.token, `?from=${encodeURIComponent(startedAt)}`)).body.fills).toHaveLength(3);
    expect((await fills(buyer.token, `?to=${encodeURIComponent(startedAt)}`)).body.fills).toEqual([]);
    expect((await fills(buyer.token, "?from=2999-01-01T00:00:00%2B02:00")).body.fills).toEqual([]);
  });

  it("pages by cursor: every fill once, then a null cursor", async () => {
    const seen: number[] = [];
    let cursor = "";
    for (let i = 0; i < 5; i++) {
      const r = await fills(buyer.token, `?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.fills.map((f: { price: number }) => f.price));
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual([9_800, 4_447, 9_731]);
  });

  it("refuses malformed filters with 400 naming the field", async () => {
    for (const [query, field] of [["?side=both", "side"], ["?from=yesterday", "from"], ["?to=2026-04-01", "to"], ["?cursor=abc", "cursor"], ["?limit=501", "limit"], ["?colour=red", "colour"]] as const) {
      const r = await fills(buyer.token, query);
      expect(r.status, query).toBe(400);
      expect(JSON.stringify(r.body), query).toContain(field);
    }
    expect((await api("/fills")).status).toBe(401);
  });

  it("documents the filters, the cursor and nextCursor in the OpenAPI document", async () => {
    const doc = (await api("/openapi.json")).body;
    const op = doc.paths["/api/v1/fills"].get;
    const params = Object.fromEntries(op.parameters.map((p: { name: string; in: string; description?: string }) => [p.name, p]));
    for (const name of ["market", "side", "from", "to", "cursor", "limit"]) expect(params[name], name).toMatchObject({ in: "query", required: false });
    for (const name of ["side", "from", "to", "cursor"]) expect(params[name].description, name).toBeTruthy();
    expect(params.side.schema.enum).toEqual(["buy", "sell"]);
    const body = op.responses["200"].content["application/json"].schema;
    expect(Object.keys(body.properties)).toEqual(["fills", "nextCursor"]);
  });
});

describe("trade history on the web", () => {
  it("shows my trades, filtered, and exports them as CSV with gold and copper", async () => {
    const browser = new Browser();
    expect((await browser.signIn(buyer.name, PASSWORD)).res.status).toBe(302);
    const page = await browser.get("/trades");
    expect(page.res.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain("Trade history");
    for (const s of ["97.31", "44.47", "98.00"]) expect(text).toContain(s);
    // 3 x 97.31 + 5.83 fee = 297.76 paid; paid in all 297.76 + 89.82 + 99.96.
    expect(text).toContain("297.76");
    expect(text).toContain("487.54");
    const filtered = textOf((await browser.get(`/trades?market=${m2}`)).html);
    expect(filtered).toContain("44.47");
    expect(filtered).not.toContain("97.31");

    const csv = await browser.get(`/trades.csv?market=${m1}&side=buy`);
    expect(csv.res.status).toBe(200);
    expect(csv.res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.res.headers.get("content-disposition")).toBe(`attachment; filename="bazaar-trades-${m1}-buy-${new Date().toISOString().slice(0, 10)}.csv"`);
    const lines = csv.html.split("\r\n");
    expect(lines[0]).toBe("time_utc,market,item,side,role,quantity,price_gold,price_copper,fee_gold,fee_copper,total_gold,total_copper,order_id,fill_seq");
    expect(lines.slice(1, -1).map((l) => l.split(",").slice(1, 12).join(","))).toEqual([
      `${m1},${m1},buy,taker,1,98.00,9800,1.96,196,99.96,9996`,
      `${m1},${m1},buy,taker,3,97.31,9731,5.83,583,297.76,29776`,
    ]);
    expect(lines.at(-1)).toBe("");
  });

  it("sends a signed-out visitor to sign in, never another player's trades", async () => {
    const anon = new Browser();
    const r = await anon.get("/trades.csv");
    expect(r.res.status).toBe(302);
    expect(r.res.headers.get("location")).toMatch(/^\/signin\?redirectTo=%2Ftrades\.csv/);
    const other = new Browser();
    const name = uniqueName("fil");
    await other.signUp(name);
    const csv = await other.get("/trades.csv");
    expect(csv.html.split("\r\n").filter(Boolean)).toHaveLength(1);
  });
});
