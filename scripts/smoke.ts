/**
 * `npm run smoke -- <url> [--market <slug>]`: a deployed Bazaar works end to end, from outside.
 * Signs up two new players (the web sign-up form, as a person would), gets each a bearer token,
 * then through the public /api/v1 (paths read from the OpenAPI document the app serves): the
 * seller rests an ask inside the spread, the buyer takes it, and both players' fills and
 * holdings must reconcile to the copper (price x quantity, each side's own fee).
 * Leaves two players named smoke_xxxxxxxx behind (each holding its starter kit, moved by one trade).
 * Exit 0 and a last line `smoke ok ...`, or exit 1 naming the step that failed. Bounded: every
 * request times out after 20 s; a health check that says a part is restarting (503) is asked again
 * for up to 30 s. Default market: copper-ore (in every new player's starter kit).
 */
import { fileURLToPath } from "node:url";
import { expectedAfter, planTrade, type Holdings } from "./smoke/plan";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Operation {
  method: string;
  path: string;
}

const REQUIRED = ["getHealth", "createToken", "getMe", "getInventory", "getMarket", "getBook", "placeOrder", "listMyFills"] as const;

class SmokeFailure extends Error {}

function fail(step: string, why: string): never {
  throw new SmokeFailure(`${step}: ${why}`);
}

export async function smoke(base: string, marketSlug = "copper-ore", say: (line: string) => void = console.log): Promise<string> {
  base = base.replace(/\/+$/, "");
  const request = async (step: string, url: string, init: RequestInit = {}) => {
    try {
      return await fetch(url, { redirect: "manual", ...init, signal: AbortSignal.timeout(20_000) });
    } catch (error) {
      fail(step, `${init.method ?? "GET"} ${url}: ${(error as Error).message}`);
    }
  };

  // 1. The API as the app describes it.
  const docRes = await request("openapi", `${base}/api/v1/openapi.json`);
  if (docRes.status !== 200) fail("openapi", `GET /api/v1/openapi.json -> ${docRes.status}`);
  const doc = (await docRes.json()) as Json;
  const ops = new Map<string, Operation>();
  for (const [path, methods] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(methods as Json)) ops.set((op as Json).operationId, { method: method.toUpperCase(), path });
  }
  const missing = REQUIRED.filter((id) => !ops.has(id));
  if (missing.length > 0) fail("openapi", `the document has no ${missing.join(", ")}`);
  say(`ok openapi: ${doc.info?.title ?? "?"} ${doc.info?.version ?? ""}, ${ops.size} operations`);

  const call = async (id: (typeof REQUIRED)[number], opts: { token?: string; params?: Record<string, string>; query?: string; json?: unknown } = {}) => {
    const op = ops.get(id)!;
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(opts.params?.[name] ?? fail(id, `no value for {${name}}`)));
    const headers: Record<string, string> = {};
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.json !== undefined) headers["Content-Type"] = "application/json";
    const res = await request(id, `${base}${path}${opts.query ?? ""}`, { method: op.method, headers, body: opts.json === undefined ? undefined : JSON.stringify(opts.json) });
    const text = await res.text();
    let body: Json = {};
    try {
      body = text ? (JSON.parse(text) as Json) : {};
    } catch {
      fail(id, `${op.method} ${path} -> ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (res.status >= 300) fail(id, `${op.method} ${path} -> ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  };

  // 2. Healthy: the database and the rooms answer. Just after a deploy a part may still be starting:
  // a 503 (which says what is restarting) is asked again every 2 s for up to 30 s, saying so.
  const healthOp = ops.get("getHealth")!;
  for (let waited = 0; waited < 30_000; waited += 2_000) {
    const res = await request("getHealth", `${base}${healthOp.path}`);
    if (res.status !== 503) break;
    say(`wait health: ${(await res.text()).slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const health = await call("getHealth");
  say(`ok health: ${JSON.stringify(health).slice(0, 160)}`);

  // 3. Two new players, signed up through the web form, each with a token.
  const suffix = () => Math.random().toString(36).slice(2, 10).padEnd(8, "0");
  const signUp = async (role: string) => {
    const username = `smoke_${suffix()}`;
    const password = `smoke-${crypto.randomUUID()}`;
    const page = await request(`sign up ${role}`, `${base}/signup`);
    const cookies = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const csrf = [...(await page.text()).matchAll(/name="csrf" value="([^"]+)"/g)].at(-1)?.[1] ?? fail(`sign up ${role}`, "no csrf field on /signup");
    const posted = await request(`sign up ${role}`, `${base}/signup`, {
      method: "POST",
      body: new URLSearchParams({ csrf, username, password }),
      headers: { Cookie: cookies, Origin: base, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded" },
    });
    if (posted.status < 300 || posted.status >= 400) fail(`sign up ${role}`, `POST /signup -> ${posted.status} (expected a redirect): ${(await posted.text()).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").slice(0, 300)}`);
    const token = (await call("createToken", { json: { username, password, label: "smoke" } })).token as string;
    const me = await call("getMe", { token });
    if (me.username !== username) fail(`sign up ${role}`, `GET /me says ${me.username}, expected ${username}`);
    say(`ok signed up ${role} ${username}`);
    return { username, token };
  };
  const seller = await signUp("seller");
  const buyer = await signUp("buyer");

  // 4. What each holds, and the market.
  const holdings = async (token: string, itemTypeId: number): Promise<Holdings & { reserved: number }> => {
    const inv = await call("getInventory", { token });
    const stack = (inv.stacks as Json[]).find((s) => s.itemTypeId === itemTypeId);
    return { copper: inv.balance.available, items: stack?.available ?? 0, reserved: inv.balance.reserved + (stack?.reserved ?? 0) };
  };
  const market = await call("getMarket", { params: { slug: marketSlug } });
  const book = await call("getBook", { params: { slug: marketSlug } });
  const before = { seller: await holdings(seller.token, market.itemTypeId), buyer: await holdings(buyer.token, market.itemTypeId) };
  const plan = planTrade({ tickSize: market.tickSize, lotSize: market.lotSize, last: market.last, bids: book.bids, asks: book.asks }, before.buyer.copper, before.seller.items);
  if (!plan.ok) fail("plan", `${marketSlug}: ${plan.reason}`);
  say(`ok market ${marketSlug}: tick ${market.tickSize}, lot ${market.lotSize}, fees ${market.makerFeeBps}/${market.takerFeeBps} bps; trading ${plan.quantity} at ${plan.price}`);

  // 5. The trade: a resting ask (post-only: it never takes), then an IOC bid at its price.
  const ask = await call("placeOrder", { token: seller.token, params: { slug: marketSlug }, json: { clientOrderId: `smoke-${crypto.randomUUID()}`, side: "sell", price: plan.price, quantity: plan.quantity, timeInForce: "POST_ONLY" } });
  if (ask.ok !== true || (ask.fills ?? []).length > 0) fail("sell", `expected a resting ask, got ${JSON.stringify(ask).slice(0, 300)}`);
  const bid = await call("placeOrder", { token: buyer.token, params: { slug: marketSlug }, json: { clientOrderId: `smoke-${crypto.randomUUID()}`, side: "buy", price: plan.price, quantity: plan.quantity, timeInForce: "IOC" } });
  const fills = (bid.fills ?? []) as Json[];
  const filled = fills.reduce((n, f) => n + Number(f.quantity), 0);
  if (bid.ok !== true || filled !== plan.quantity || fills.some((f) => f.price !== plan.price)) fail("buy", `expected ${plan.quantity} filled at ${plan.price}, got ${JSON.stringify(bid).slice(0, 300)}`);
  say(`ok traded: ${seller.username} sold ${plan.quantity} ${marketSlug} at ${plan.price} to ${buyer.username}`);

  // 6. The ledger: each side's fills, and holdings that reconcile to the copper.
  const myFill = async (token: string, side: "buy" | "sell", role: "maker" | "taker") => {
    const list = (await call("listMyFills", { token, query: `?market=${encodeURIComponent(marketSlug)}` })).fills as Json[];
    const mine = list.filter((f) => f.side === side && f.price === plan.price);
    const quantity = mine.reduce((n, f) => n + Number(f.quantity), 0);
    if (quantity !== plan.quantity || mine.some((f) => f.role !== role)) fail("fills", `${side} side: expected ${plan.quantity} as ${role} at ${plan.price}, GET /fills says ${JSON.stringify(list).slice(0, 300)}`);
    return mine.reduce((n, f) => n + Number(f.fee), 0);
  };
  const sellerFee = await myFill(seller.token, "sell", "maker");
  const buyerFee = await myFill(buyer.token, "buy", "taker");
  const want = expectedAfter(before, { price: plan.price, quantity: plan.quantity, sellerFee, buyerFee });
  const after = { seller: await holdings(seller.token, market.itemTypeId), buyer: await holdings(buyer.token, market.itemTypeId) };
  for (const who of ["seller", "buyer"] as const) {
    const got = after[who];
    if (got.copper !== want[who].copper || got.items !== want[who].items || got.reserved !== before[who].reserved) {
      fail("ledger", `${who}: expected ${want[who].copper} copper and ${want[who].items} ${marketSlug} available (nothing left reserved), holds ${got.copper} copper, ${got.items} items, ${got.reserved} reserved`);
    }
  }
  const line = `smoke ok url=${base} market=${marketSlug} price=${plan.price} quantity=${plan.quantity} seller_fee=${sellerFee} buyer_fee=${buyerFee}`;
  say(`ok ledger: seller ${before.seller.copper} -> ${after.seller.copper} copper, buyer ${before.buyer.copper} -> ${after.buyer.copper} copper; items moved ${plan.quantity}`);
  return line;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const url = args.find((a) => /^https?:\/\//.test(a));
  const marketAt = args.indexOf("--market");
  if (!url) {
    console.error("usage: npm run smoke -- <url> [--market <slug>]   e.g. npm run smoke -- https://bazaar.example.com");
    process.exit(2);
  }
  try {
    console.log(await smoke(url, marketAt >= 0 ? args[marketAt + 1] : undefined));
  } catch (error) {
    console.error(`smoke FAILED at ${error instanceof SmokeFailure ? error.message : (error as Error).stack}`);
    process.exit(1);
  }
}
