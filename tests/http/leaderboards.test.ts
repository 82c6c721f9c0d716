/**
 * Leaderboards over HTTP (built worker, real rooms, real Postgres; the worker's in-process Redis):
 * two fresh players trade twice on a fresh market, the cron trigger runs the feed's consumers, and
 * GET /api/v1/leaderboards[/me] give each one's traded value, realised profit (FIFO, fees
 * included) and net worth, as the OpenAPI document describes them; bad queries are 400s naming the
 * problem; the /leaderboards page shows the board and my place. A player who turns "show me on the
 * leaderboards" off (PUT /api/v1/privacy, or the settings page) disappears from the boards others
 * read, ranks close up behind them, and they still see their own place marked hidden.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { signUp } from "../../edge/auth/signup.server";
import { fee } from "../../party/settlement/money";
import { addMarket } from "../support/market";
import { api, baseUrl, Browser, openDb, textOf, uniqueName } from "./client";

const PASSWORD = "boards-test-9";
let seller: { name: string; id: string; token: string };
let buyer: { name: string; id: string; token: string };

async function player() {
  const { db } = await openDb();
  const name = uniqueName("lb");
  expect((await signUp(db, { username: name, password: PASSWORD })).ok).toBe(true);
  const r = await api("/tokens", { method: "POST", json: { username: name, password: PASSWORD, label: "leaderboards test" } });
  expect(r.status).toBe(201);
  const token = r.body.token as string;
  return { name, token, id: (await api("/me", { token })).body.id as string };
}

async function order(token: string, market: string, side: "buy" | "sell", price: number, quantity: number) {
  const r = await api(`/markets/${market}/orders`, { method: "POST", token, json: { clientOrderId: crypto.randomUUID(), side, price, quantity } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const me = (token: string, query: string) => api(`/leaderboards/me?${query}`, { token });

beforeAll(async () => {
  const { db } = await openDb();
  const market = await addMarket(db, { makerBps: 100, takerBps: 200 });
  [seller, buyer] = [await player(), await player()];
  await withTx(db, (tx) => ledger.mint(tx, { actor: "test" }, { playerId: seller.id, asset: market.itemTypeId, amount: 10 }));
  // 1: the seller rests 4 at 10.00, the buyer takes them.  2: the buyer rests 3 at 15.00, the seller takes them.
  await order(seller.token, market.slug, "sell", 1_000, 4);
  expect((await order(buyer.token, market.slug, "buy", 1_000, 4)).fills).toHaveLength(1);
  await order(buyer.token, market.slug, "sell", 1_500, 3);
  expect((await order(seller.token, market.slug, "buy", 1_500, 3)).fills).toHaveLength(1);
  // The cron trigger runs the consumers; the feed's watermark may wait for other files' transactions.
  for (let i = 0; i < 60; i++) {
    await fetch(`${baseUrl()}/__scheduled?cron=${encodeURIComponent("* * * * *")}`).then((r) => r.text());
    if ((await me(buyer.token, "board=profit")).body.score !== null) return;
  }
  throw new Error("the leaderboards never took in the trades");
}, 180_000);

describe("leaderboards over HTTP", () => {
  it("gives each trader's volume and realised profit (FIFO, fees included) for every window, and net worth now", async () => {
    for (const window of ["day", "week", "all"]) {
      expect((await me(seller.token, `board=volume&window=${window}`)).body).toMatchObject({ board: "volume", window, score: 4_000 + 4_500 });
      expect((await me(buyer.token, `board=volume&window=${window}`)).body.score).toBe(8_500);
      // Seller: 4 minted units (no market cost) sold for 4,000 less the maker fee.
      expect((await me(seller.token, `board=profit&window=${window}`)).body.score).toBe(4_000 - fee(4_000, 100));
      // Buyer: bought 4 for 4,000 + taker fee; sold 3 of them for 4,500 less the maker fee, at 3/4 of that cost.
      const cost = Math.floor(((4_000 + fee(4_000, 200)) * 3) / 4);
      expect((await me(buyer.token, `board=profit&window=${window}`)).body.score).toBe(4_500 - fee(4_500, 100) - cost);
    }
    const { db } = await openDb();
    // Net worth: copper + every stack (the starter kit's too) at its market's last price.
    const last = new Map((await rows<{ item: number; price: string }>(db, sql`
      select m.item_type_id as item, (select price from fills where market_slug = m.slug order by seq desc limit 1)::text as price from markets m`))
      .filter((r) => r.price !== null).map((r) => [Number(r.item), Number(r.price)]));
    for (const p of [seller, buyer]) {
      const [copper] = await rows<{ n: string }>(db, sql`select (available + reserved)::text as n from balances where player_id = ${p.id}`);
      const stacks = await rows<{ item: number; n: string }>(db, sql`select item_type_id as item, (available + reserved)::text as n from holdings where player_id = ${p.id}`);
      const worth = stacks.reduce((s, h) => s + Number(h.n) * (last.get(Number(h.item)) ?? 0), Number(copper!.n));
      const r = await me(p.token, "board=worth");
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ board: "worth", window: "all", period: "all", score: worth });
      expect(r.body.rank).toBeGreaterThanOrEqual(1);
      expect(r.body.rank).toBeLessThanOrEqual(r.body.players);
    }
  });

  it("lists the top of a board, where my rank from /me is my place", async () => {
    const top = await api("/leaderboards?board=volume&window=day&limit=100");
    expect(top.status).toBe(200);
    expect(top.body).toMatchObject({ board: "volume", window: "day", period: `d:${new Date().toISOString().slice(0, 10)}` });
    expect(top.body.entries.length).toBe(Math.min(100, top.body.players));
    const scores = top.body.entries.map((e: { score: number }) => e.score);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a));
    expect(top.body.entries.map((e: { rank: number }) => e.rank)).toEqual(scores.map((_: number, i: number) => i + 1));
    const mine = (await me(seller.token, "board=volume&window=day")).body;
    if (mine.rank <= 100) expect(top.body.entries[mine.rank - 1]).toMatchObject({ playerId: seller.id, username: seller.name, bot: false, score: 8_500 });
    const two = await api("/leaderboards?board=volume&window=day&limit=2");
    expect(two.body.entries).toEqual(top.body.entries.slice(0, 2));
  });

  it("refuses bad queries with a 400 naming the problem, and /me without a token with a 401", async () => {
    const worthDay = await api("/leaderboards?board=worth&window=day");
    expect(worthDay.status).toBe(400);
    expect(worthDay.body.error.message).toMatch(/worth board has only the window all/);
    for (const q of ["board=fame", "window=month", "limit=0", "limit=101", "color=red"]) {
      const r = await api(`/leaderboards?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe("invalid_request");
      expect(JSON.stringify(r.body.error.issues)).toContain(q.split("=")[0]);
    }
    expect((await api("/leaderboards/me?board=profit")).status).toBe(401);
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await api("/openapi.json")).body;
    expect(doc.paths["/api/v1/leaderboards"].get.operationId).toBe("getLeaderboard");
    expect(doc.paths["/api/v1/leaderboards/me"].get.operationId).toBe("getMyLeaderboardRank");
    expect(JSON.stringify(doc.paths["/api/v1/leaderboards"].get.parameters)).toContain("FIFO");
  });

  it("the page shows the board and, signed in, my place", async () => {
    const anonymous = await new Browser().get("/leaderboards?board=volume&window=day");
    expect(anonymous.res.status).toBe(200);
    expect(textOf(anonymous.html)).toMatch(/Leaderboards .*Volume · today/);
    expect(textOf(anonymous.html)).not.toMatch(/Your place/);
    const b = new Browser();
    expect((await b.signIn(seller.name, PASSWORD)).res.status).toBe(302);
    const page = textOf((await b.get("/leaderboards?board=profit")).html);
    const mine = (await me(seller.token, "board=profit")).body;
    expect(page).toContain(`Your place #${mine.rank} of ${mine.players}`);
    expect(page).toMatch(/first in, first out/);
  });

  it("hides a player who turns 'show me on the leaderboards' off, from the API and the page, and shows them again from the settings page", async () => {
    type E = { rank: number; playerId: string; username: string };
    const board = "board=volume&window=day";
    const ranksCloseUp = (entries: E[]) => expect(entries.map((e) => e.rank)).toEqual(entries.map((_, i) => i + 1));
    expect((await api("/privacy", { token: seller.token })).body).toEqual({ showOnLeaderboards: true });
    const before = { top: (await api(`/leaderboards?${board}`)).body, seller: (await me(seller.token, board)).body, buyer: (await me(buyer.token, board)).body };
    expect(before.seller).toMatchObject({ hidden: false, score: 8_500 });

    // Bad input: a 400 naming the field, nothing changed; no token: 401.
    for (const json of [{ showOnLeaderboards: "no" }, {}, { showOnLeaderboards: false, also: 1 }]) {
      const r = await api("/privacy", { method: "PUT", token: seller.token, json });
      expect(r.status, JSON.stringify(json)).toBe(400);
      expect(r.body.error.code).toBe("invalid_request");
    }
    expect(JSON.stringify((await api("/privacy", { method: "PUT", token: seller.token, json: {} })).body.error.issues)).toContain("showOnLeaderboards");
    expect((await api("/privacy", { method: "PUT", json: { showOnLeaderboards: false } })).status).toBe(401);
    expect((await api("/privacy", { token: seller.token })).body).toEqual({ showOnLeaderboards: true });

    const hid = await api("/privacy", { method: "PUT", token: seller.token, json: { showOnLeaderboards: false } });
    expect(hid.status).toBe(200);
    expect(hid.body).toEqual({ showOnLeaderboards: false });
    const top = (await api(`/leaderboards?${board}`)).body;
    expect(top.entries.map((e: E) => e.playerId)).not.toContain(seller.id);
    ranksCloseUp(top.entries);
    expect(top.players).toBe(before.top.players - 1);
    // The seller still sees their own place (the same: nobody above them hid), marked; the buyer (the
    // same volume: a tie, ordered by player id) moves up one only if the seller was above.
    expect((await me(seller.token, board)).body).toMatchObject({ rank: before.seller.rank, score: 8_500, hidden: true, players: before.seller.players });
    expect((await me(buyer.token, board)).body).toMatchObject({ rank: before.buyer.rank - (before.seller.rank < before.buyer.rank ? 1 : 0), hidden: false, players: before.buyer.players - 1 });
    const mine = (await me(buyer.token, board)).body;
    if (mine.rank <= 100) expect(top.entries[mine.rank - 1]).toMatchObject({ playerId: buyer.id });

    // The page: others do not see the seller; the seller sees their place, marked hidden.
    expect(textOf((await new Browser().get(`/leaderboards?${board}`)).html)).not.toContain(seller.name);
    const b = new Browser();
    expect((await b.signIn(seller.name, PASSWORD)).res.status).toBe(302);
    const page = textOf((await b.get(`/leaderboards?${board}`)).html);
    expect(page).toContain(`Your place #${before.seller.rank} of ${before.seller.players}`);
    expect(page).toMatch(/Hidden Only you see this/);

    // The settings page says so and turns it back on (a CSRF-less post changes nothing).
    const settings = textOf((await b.get("/settings")).html);
    expect(settings).toMatch(/Privacy Show me on the leaderboards You are hidden/);
    expect((await b.post("/settings", { intent: "privacy", showOnLeaderboards: "on" })).res.status).toBe(403);
    expect((await api("/privacy", { token: seller.token })).body).toEqual({ showOnLeaderboards: false });
    const csrf = await b.csrf("/settings");
    const saved = await b.post("/settings", { csrf, intent: "privacy", showOnLeaderboards: "on" });
    expect(saved.res.status).toBe(302);
    expect(saved.res.headers.get("location")).toBe("/settings?saved=privacy#privacy");
    expect((await api("/privacy", { token: seller.token })).body).toEqual({ showOnLeaderboards: true });
    expect((await api(`/leaderboards?${board}`)).body).toEqual(before.top);
    expect((await me(seller.token, board)).body).toEqual(before.seller);

    // Each change is one event on the player's stream, by the player.
    const { db } = await openDb();
    const changes = await rows<{ payload: { shown: boolean }; actor: string }>(db, sql`
      select payload, actor from events where stream = ${`player:${seller.id}`} and type = 'leaderboard_visibility_changed' order by id`);
    expect(changes).toEqual([{ payload: { shown: false }, actor: `player:${seller.id}` }, { payload: { shown: true }, actor: `player:${seller.id}` }]);
  });

  it("the privacy setting is in the OpenAPI document", async () => {
    const doc = (await api("/openapi.json")).body;
    expect(doc.paths["/api/v1/privacy"].get.operationId).toBe("getPrivacy");
    expect(doc.paths["/api/v1/privacy"].put.operationId).toBe("putPrivacy");
    expect(JSON.stringify(doc.paths["/api/v1/leaderboards/me"])).toContain("hidden");
  });
});
