/**
 * The alert outbox (ADR 013) on PGlite and on the real Postgres: alerts are written by the same
 * transaction as their cause (a market batch, an offer's change), once per cause.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertExpiringOffers } from "../../db/alerts/offers";
import { createPriceAlert, deletePriceAlert } from "../../db/alerts/price-alerts";
import { writeAlerts } from "../../db/alerts/write";
import { rows, withTx, type Db } from "../../db/db";
import * as offers from "../../db/offers";
import { MarketSession } from "../../party/market/session";
import { RoomCode } from "../../party/settlement/codes";
import type { MarketCommand } from "../../party/settlement/types";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader } from "../support/market";
import { addItemType } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 20 });
});
afterAll(async () => t?.close());

const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number, extra: Partial<Extract<MarketCommand, { type: "place" }>> = {}): MarketCommand => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity, ...extra,
});

interface AlertRow { kind: string; title: string; body: string; url: string; dedupeKey: string; pushState: string; pushNextAt: string | null; createdAt: string; data: Record<string, unknown> }
async function alertsOf(db: Db, playerId: string): Promise<AlertRow[]> {
  return rows<AlertRow>(db, sql`
    select kind, title, body, url, dedupe_key as "dedupeKey", push_state as "pushState", data,
      to_char(push_next_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "pushNextAt",
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "createdAt"
    from alerts where player_id = ${playerId} order by created_at, dedupe_key`);
}

describe(`alerts from market batches on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("writes exactly one alert per (order, batch) in the batch's transaction", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const [seller, b1, b2] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    await session.submitMany([place(seller, "sell", 100, 5), place(seller, "sell", 101, 5)]);
    expect(await alertsOf(t.db, seller)).toEqual([]); // resting orders owe nothing
    // One batch: two buyers take from both of the seller's orders.
    const answers = await session.submitMany([place(b1, "buy", 101, 6), place(b2, "buy", 101, 3)]);
    expect(answers.every((a) => a.ok)).toBe(true);
    const s = await alertsOf(t.db, seller);
    expect(s.map((a) => a.title).sort()).toEqual([`Sold 4 ${m.slug} at 1.01 gold`, `Sold 5 ${m.slug} at 1.00 gold`]);
    expect(s.every((a) => a.kind === "fill" && a.url === `/markets/${m.slug}` && a.pushState === "none")).toBe(true);
    const one = await alertsOf(t.db, b1);
    expect(one).toHaveLength(1);
    expect(one[0]!.title).toBe(`Bought 6 ${m.slug} at 1.00 gold on average`); // 5 at 1.00 + 1 at 1.01 = 6.01 / 6, floored
    expect((await alertsOf(t.db, b2)).map((a) => a.title)).toEqual([`Bought 3 ${m.slug} at 1.01 gold`]);
    expect((await alertsOf(t.db, b2))[0]!.body).toBe("Your buy order is filled.");
    // The next batch on the same order is another alert.
    await session.submit(place(b1, "buy", 101, 1));
    expect((await alertsOf(t.db, seller)).filter((a) => a.kind === "fill")).toHaveLength(3);
  });

  it("a batch that fails to commit writes no alert, and its retry writes each once", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const [seller, buyer] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    await session.submit(place(seller, "sell", 100, 5));
    // Make the ledger's insert fail for this market's batches (after the alerts' statement ran).
    const fn = `fail_${m.slug.replace(/-/g, "_")}`;
    await t.db.execute(sql.raw(`create function ${fn}() returns trigger language plpgsql as $$ begin
      if new.stream = 'market:${m.slug}' then raise exception 'injected failure' using errcode = 'P0001'; end if; return new; end $$`));
    await t.db.execute(sql.raw(`create trigger ${fn} before insert on events for each row execute function ${fn}()`));
    const failed = await session.submit(place(buyer, "buy", 100, 2));
    expect(failed).toMatchObject({ ok: false, code: RoomCode.RETRY });
    expect(await alertsOf(t.db, seller)).toEqual([]);
    expect(await alertsOf(t.db, buyer)).toEqual([]);
    await t.db.execute(sql.raw(`drop trigger ${fn} on events`));
    const ok = await session.submit(place(buyer, "buy", 100, 2));
    expect(ok.ok).toBe(true);
    expect((await alertsOf(t.db, seller)).map((a) => a.title)).toEqual([`Sold 2 ${m.slug} at 1.00 gold`]);
    expect(await alertsOf(t.db, buyer)).toHaveLength(1);
  });

  it("alerts when the market ends an order (expiry, self-trade prevention), not when its owner cancels it", async () => {
    const m = await addMarket(t.db);
    const p = await fundedTrader(t.db, [m.itemTypeId]);
    let now = Date.now();
    const session = (await MarketSession.open(() => t.db, m.slug, () => {}, 2_000, () => now))!;
    const timed = await session.submit(place(p, "buy", 50, 2, { expiresAt: now + 60_000 }));
    const mine = await session.submit(place(p, "buy", 40, 1));
    await session.submit({ type: "cancel", playerId: p, orderId: mine.order!.id });
    expect(await alertsOf(t.db, p)).toEqual([]);
    now += 61_000;
    await session.submit({ type: "expire", now });
    const ended = await alertsOf(t.db, p);
    expect(ended.map((a) => [a.kind, a.title, a.dedupeKey])).toEqual([["order_ended", "Your buy order expired", `order_ended:${timed.order!.id}`]]);
    // Self-trade: the incoming sell would meet the player's own bid and is canceled (cancel_taker).
    await session.submit(place(p, "buy", 60, 1));
    const stp = await session.submit(place(p, "sell", 60, 1));
    expect(stp.order!.status).toBe("canceled");
    const all = await alertsOf(t.db, p);
    expect(all.filter((a) => a.kind === "order_ended").map((a) => a.title).sort()).toEqual(["Your buy order expired", "Your sell order was canceled"]);
  });

  it("writes nothing for bots, and follows each player's preferences (off, in-app, push, quiet hours)", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const [bot, off, inapp, push, quiet] = (await Promise.all([1, 2, 3, 4, 5].map(() => fundedTrader(t.db, [m.itemTypeId])))) as [string, string, string, string, string];
    await t.db.execute(sql`update players set bot = true where id = ${bot}`);
    await t.db.execute(sql`insert into alert_preferences (player_id, kinds) values (${off}, '{"fill":"off"}'), (${inapp}, '{"fill":"inapp"}')`);
    // Quiet from 00:00 to 23:59 in Tokyo: any moment but the last minute of the day is inside.
    await t.db.execute(sql`insert into alert_preferences (player_id, quiet_start, quiet_end, time_zone) values (${quiet}, 0, 1439, 'Asia/Tokyo')`);
    for (const p of [push, quiet]) {
      await t.db.execute(sql`insert into push_subscriptions (player_id, endpoint, p256dh, auth) values (${p}, ${`https://push.example/${p}`}, 'k', 'a')`);
    }
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    await session.submitMany([bot, off, inapp, push, quiet].map((p) => place(p, "sell", 100, 1)));
    const buyer = await fundedTrader(t.db, [m.itemTypeId]);
    expect((await session.submit(place(buyer, "buy", 100, 5))).fills).toHaveLength(5);
    expect(await alertsOf(t.db, bot)).toEqual([]);
    expect(await alertsOf(t.db, off)).toEqual([]);
    expect((await alertsOf(t.db, inapp)).map((a) => a.pushState)).toEqual(["none"]);
    const [p] = await alertsOf(t.db, push);
    expect(p).toMatchObject({ pushState: "due", pushNextAt: p!.createdAt });
    expect((await alertsOf(t.db, buyer)).map((a) => a.pushState)).toEqual(["none"]); // no subscription: in-app
    const [q] = await alertsOf(t.db, quiet);
    expect(q!.pushState).toBe("due");
    const [tokyo] = await rows<{ expected: string }>(t.db, sql`
      select to_char(((date_trunc('day', ${q!.createdAt}::timestamptz at time zone 'Asia/Tokyo') + interval '1439 minutes') at time zone 'Asia/Tokyo') at time zone 'UTC',
        'YYYY-MM-DD"T"HH24:MI:SS"Z"') as expected`);
    expect(q!.pushNextAt).toBe(tokyo!.expected);
  });

  it("holds a push inside quiet hours until they end, across midnight, in the player's time zone", async () => {
    const p = await fundedTrader(t.db, []);
    await t.db.execute(sql`insert into push_subscriptions (player_id, endpoint, p256dh, auth) values (${p}, ${`https://push.example/q/${p}`}, 'k', 'a')`);
    // 22:00 - 07:00 in New York.
    await t.db.execute(sql`insert into alert_preferences (player_id, quiet_start, quiet_end, time_zone) values (${p}, 1320, 420, 'America/New_York')`);
    const draft = (key: string) => ({ playerId: p, kind: "fill" as const, title: "t", body: "", url: "/", icon: null, data: {}, dedupeKey: key });
    const cases: Array<[string, string]> = [
      ["2026-07-01T03:30:00Z", "2026-07-01T11:00:00Z"], // 23:30 EDT -> 07:00 EDT next day
      ["2026-07-01T08:00:00Z", "2026-07-01T11:00:00Z"], // 04:00 EDT -> 07:00 EDT same day
      ["2026-07-01T16:00:00Z", "2026-07-01T16:00:00Z"], // 12:00 EDT: not quiet, now
      ["2026-01-15T04:00:00Z", "2026-01-15T12:00:00Z"], // 23:00 EST -> 07:00 EST
      ["2026-03-08T06:00:00Z", "2026-03-08T11:00:00Z"], // 01:00 EST, clocks go forward at 2:00 -> 07:00 EDT
    ];
    for (const [at, next] of cases) {
      await writeAlerts(t.db, [draft(`q:${at}`)], new Date(at));
      const [row] = await rows<{ next: string }>(t.db, sql`
        select to_char(push_next_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as next from alerts where player_id = ${p} and dedupe_key = ${`q:${at}`}`);
      expect(row!.next, at).toBe(next);
    }
  });
});

describe(`price alerts in the batch transaction on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("fires a one-shot alert once, in the batch that reached its price, and never a deleted one", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const [watcher, seller, buyer] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
    const above = await createPriceAlert(t.db, { playerId: watcher, market: m.slug, direction: "above", price: 105, cooldownSeconds: null });
    const gone = await createPriceAlert(t.db, { playerId: watcher, market: m.slug, direction: "above", price: 101, cooldownSeconds: null });
    expect(above.ok && gone.ok).toBe(true);
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    expect(session.priceAlerts.size).toBe(2);
    // Deleted in the database; the room is not told (the worst case): it must still never fire.
    expect(await deletePriceAlert(t.db, { playerId: watcher, id: gone.ok ? gone.alert.id : "" })).toBeTruthy();
    await session.submitMany([place(seller, "sell", 100, 1), place(seller, "sell", 110, 1)]);
    await session.submit(place(buyer, "buy", 100, 1));
    expect((await alertsOf(t.db, watcher)).filter((a) => a.kind === "price")).toEqual([]);
    // This batch gaps from nothing to 110: the 105 alert fires.
    await session.submit(place(buyer, "buy", 110, 1));
    const fired = (await alertsOf(t.db, watcher)).filter((a) => a.kind === "price");
    expect(fired.map((a) => a.title)).toEqual([`${m.slug} traded at 1.10 gold`]);
    const [row] = await rows<{ status: string; fired: boolean }>(t.db, sql`
      select status, last_fired_at is not null as fired from price_alerts where id = ${above.ok ? above.alert.id : ""}::uuid`);
    expect(row).toEqual({ status: "triggered", fired: true });
    expect(session.priceAlerts.size).toBe(0);
    await session.submitMany([place(seller, "sell", 120, 1)]);
    await session.submit(place(buyer, "buy", 120, 1));
    expect((await alertsOf(t.db, watcher)).filter((a) => a.kind === "price")).toHaveLength(1);
  });

  it("repeats after the cool-down, by the batch clock", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const [watcher, seller, buyer] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
    const r = await createPriceAlert(t.db, { playerId: watcher, market: m.slug, direction: "below", price: 100, cooldownSeconds: 60 });
    expect(r.ok).toBe(true);
    let now = Date.now();
    const session = (await MarketSession.open(() => t.db, m.slug, () => {}, 2_000, () => now))!;
    await session.submit(place(seller, "sell", 90, 10));
    const trade = async () => session.submit(place(buyer, "buy", 90, 1));
    await trade();
    now += 30_000;
    await trade();
    expect((await alertsOf(t.db, watcher)).filter((a) => a.kind === "price")).toHaveLength(1);
    now += 30_001;
    await trade();
    expect((await alertsOf(t.db, watcher)).filter((a) => a.kind === "price")).toHaveLength(2);
    const [row] = await rows<{ status: string }>(t.db, sql`select status from price_alerts where id = ${r.ok ? r.alert.id : ""}::uuid`);
    expect(row!.status).toBe("active");
  });

  it("limits active alerts per player", async () => {
    const m = await addMarket(t.db);
    const p = await fundedTrader(t.db, []);
    const results = await Promise.all(Array.from({ length: 52 }, (_, i) => createPriceAlert(t.db, { playerId: p, market: m.slug, direction: "above", price: 100 + i, cooldownSeconds: null })));
    expect(results.filter((x) => x.ok)).toHaveLength(50);
    expect(results.find((x) => !x.ok)).toMatchObject({ status: 409, code: "price_alert_limit" });
  });
});

describe(`offer alerts on ${process.env.TEST_DB ?? "pglite"}`, () => {
  const policy = { ...offers.defaultOfferPolicy, minAccountAgeSeconds: 0, acceptDelaySeconds: 0 };
  let ore: number;
  beforeAll(async () => {
    ore = await addItemType(t.db, true);
  });
  async function named(name: string) {
    const id = await fundedTrader(t.db, [ore], 10_000, 100);
    await t.db.execute(sql`update players set username = ${name + Math.random().toString(36).slice(2, 7)} where id = ${id}`);
    const [row] = await rows<{ u: string }>(t.db, sql`select username as u from players where id = ${id}`);
    return { id, name: row!.u };
  }
  const send = async (from: string, to: string) => {
    const r = await offers.createOffer(t.db, { fromPlayerId: from, to: { playerId: to }, give: [{ kind: "currency", quantity: 10 }], ask: [{ kind: "stack", itemTypeId: ore, quantity: 1 }] }, policy);
    if (!r.ok) throw new Error(r.message);
    return r.offer;
  };

  it("alerts the other player of each change, once, in the change's transaction", async () => {
    const [a, b] = [await named("ann"), await named("ben")];
    const o1 = await send(a.id, b.id);
    expect((await alertsOf(t.db, b.id)).map((x) => [x.kind, x.title, x.url])).toEqual([["offer_received", `New trade offer from ${a.name}`, `/offers/${o1.id}`]]);
    expect(await alertsOf(t.db, a.id)).toEqual([]);
    expect((await offers.acceptOffer(t.db, { offerId: o1.id, playerId: b.id }, policy)).ok).toBe(true);
    const o2 = await send(a.id, b.id);
    expect((await offers.declineOffer(t.db, { offerId: o2.id, playerId: b.id })).ok).toBe(true);
    const o3 = await send(a.id, b.id);
    expect((await offers.cancelOffer(t.db, { offerId: o3.id, playerId: a.id })).ok).toBe(true);
    const o4 = await send(a.id, b.id);
    const counter = await offers.counterOffer(t.db, { offerId: o4.id, playerId: b.id, give: [{ kind: "stack", itemTypeId: ore, quantity: 1 }], ask: [{ kind: "currency", quantity: 20 }] }, policy);
    expect(counter.ok).toBe(true);
    const toA = await alertsOf(t.db, a.id);
    expect(toA.map((x) => [x.kind, x.title])).toEqual([
      ["offer_accepted", `${b.name} accepted your trade offer`],
      ["offer_declined", `${b.name} declined your trade offer`],
      ["offer_countered", `${b.name} countered your trade offer`],
    ]);
    expect(toA.at(-1)!.url).toBe(`/offers/${counter.ok ? counter.offer.id : ""}`);
    expect((await alertsOf(t.db, b.id)).map((x) => x.kind)).toEqual(["offer_received", "offer_received", "offer_received", "offer_withdrawn", "offer_received"]);
  });

  it("alerts the recipient once before an offer expires, and the sender when it has", async () => {
    const [a, b] = [await named("cat"), await named("dan")];
    const o = await send(a.id, b.id);
    await t.db.execute(sql`update trade_offers set expires_at = now() + interval '30 minutes' where id = ${o.id}`);
    expect(await alertExpiringOffers(t.db)).toBeGreaterThanOrEqual(1);
    expect(await alertExpiringOffers(t.db)).toBe(0);
    expect((await alertsOf(t.db, b.id)).map((x) => x.kind)).toEqual(["offer_received", "offer_expiring"]);
    await t.db.execute(sql`update trade_offers set expires_at = now() - interval '1 second' where id = ${o.id}`);
    expect(await offers.expireOffers(t.db)).toBeGreaterThanOrEqual(1);
    expect((await alertsOf(t.db, a.id)).map((x) => [x.kind, x.title])).toEqual([["offer_expired", `Your trade offer to ${b.name} expired`]]);
  });

  it("a change that rolls back alerts nobody", async () => {
    const [a, b] = [await named("eve"), await named("fay")];
    await withTx(t.db, async (tx) => {
      const r = await offers.createOffer(tx, { fromPlayerId: a.id, to: { playerId: b.id }, give: [{ kind: "currency", quantity: 10 }], ask: [] }, policy);
      expect(r.ok).toBe(true);
      throw new Error("roll back");
    }).catch(() => {});
    expect(await alertsOf(t.db, b.id)).toEqual([]);
  });
});
