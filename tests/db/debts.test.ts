/**
 * Debt settlement (issue 18, ADR 038) on PGlite and on the real Postgres: a player in debt after a
 * rollback pays it first out of what comes in (a game server's grants, a fill of a resting order,
 * an accepted offer), in the same transaction, with a `debt_settled` event; concurrent credits
 * settle a debt once (no double settlement); the market refuses the debtor with its own code and
 * words (IN_DEBT, "in debt"), and the player trades again once the debt is paid. check:ledger and
 * replay stay OK.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { applyGrants } from "../../db/game-servers/grants";
import { createServer } from "../../db/game-servers/servers";
import * as ledger from "../../db/ledger";
import { CURRENCY } from "../../db/ledger";
import * as offers from "../../db/offers";
import type { OfferPolicy } from "../../db/offers";
import { openDebts, requestRollback } from "../../db/rollbacks";
import { MarketSession } from "../../party/market/session";
import { RoomCode } from "../../party/settlement/codes";
import type { MarketCommand } from "../../party/settlement/types";
import { MASTER } from "../support/game-server";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { addItemType, addPlayer } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 6 });
});
afterAll(async () => t?.close());

const ADMIN = "operator:11111111-1111-4111-8111-111111111111";
const HIGH = 1_000_000_000;
const policy: OfferPolicy = { ...offers.defaultOfferPolicy, minAccountAgeSeconds: 0, acceptDelaySeconds: 0, confirmAboveCopper: HIGH };

const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number): MarketCommand => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity,
});

async function server(scopes: Array<"mint:currency" | "mint:items">) {
  const name = `faucet-${Math.random().toString(36).slice(2, 8)}`;
  const created = await createServer(t.db, MASTER, { name, scopes, mintLimits: { currency: 100_000_000, items: 100_000 }, createdBy: "test" });
  if (!created.ok) throw new Error(created.message);
  return { name, server: created.server };
}

async function settledEvents(player: string) {
  return rows<{ payload: { settled: Array<{ debt: string; amount: number; rest: number }> } }>(t.db, sql`
    select payload from events where stream = ${`debts:${player}`} and type = 'debt_settled' order by id`);
}

async function expectBooksBalance() {
  const report = await checkLedger(t.db);
  expect(report.problems).toEqual([]);
  expect((await replay(t.db)).differences).toEqual([]);
}

describe(`debt settlement on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("concurrent faucet grants to a debtor settle a mint's debt exactly once (burned), the rest stays theirs", async () => {
    const m = await addPlayer(t.db);
    const n = await addPlayer(t.db);
    const raid = await server(["mint:currency"]);
    await withTx(t.db, (tx) => applyGrants(tx, { actor: `server:${raid.name}` }, raid.server, [{ kind: "currency", playerId: m, amount: 1_000_000 }], "quest reward"));
    const [ev] = await rows<{ id: string }>(t.db, sql`select event_id::text as id from events where stream = ${`player:${m}`} and type = 'minted'`);
    await withTx(t.db, (tx) => ledger.transfer(tx, { actor: `player:${m}` }, { from: m, to: n, asset: CURRENCY, amount: 600_000 }));
    await requestRollback(t.db, { kind: "mint", targetId: ev!.id, reason: "leaked server key", by: ADMIN, approveAbove: HIGH });
    expect(await openDebts(t.db, m)).toEqual([{ asset: CURRENCY, owed: 600_000, creditor: null }]);
    const [burnedBefore] = await rows<{ burned: string }>(t.db, sql`select burned::text as burned from supply where asset = 0`);

    // Eight rewards of 100,000 at once, from separate connections.
    const quest = await server(["mint:currency"]);
    await Promise.all(Array.from({ length: 8 }, () =>
      withTx(t.db, (tx) => applyGrants(tx, { actor: `server:${quest.name}` }, quest.server, [{ kind: "currency", playerId: m, amount: 100_000 }], "quest reward"))));

    expect((await wallet(t.db, m, 1)).copper).toBe(200_000);
    expect(await openDebts(t.db, m)).toEqual([]);
    const [debt] = await rows<{ settled: string; done: boolean }>(t.db, sql`select settled::text as settled, settled_at is not null as done from debts where player_id = ${m}::uuid`);
    expect(debt).toEqual({ settled: "600000", done: true });
    const events = await settledEvents(m);
    expect(events.flatMap((e) => e.payload.settled).reduce((s, x) => s + x.amount, 0)).toBe(600_000);
    expect(events.flatMap((e) => e.payload.settled).at(-1)!.rest).toBe(0);
    const [burnedAfter] = await rows<{ burned: string }>(t.db, sql`select burned::text as burned from supply where asset = 0`);
    expect(Number(burnedAfter!.burned) - Number(burnedBefore!.burned)).toBe(600_000);
    await expectBooksBalance();
  });

  it("concurrent grants and an accepted offer pay a creditor exactly what is owed", async () => {
    const swordType = await addItemType(t.db, false);
    const a = await fundedTrader(t.db, [], 10_000);
    const b = await addPlayer(t.db);
    const e = await addPlayer(t.db);
    const sword = await withTx(t.db, (tx) => ledger.mintUnique(tx, { actor: "test" }, { playerId: b, itemTypeId: swordType }));
    const o = await offers.createOffer(t.db, { fromPlayerId: a, to: { playerId: b }, give: [{ kind: "currency", quantity: 5_000 }], ask: [{ kind: "unique", itemId: sword }] }, policy);
    if (!o.ok) throw new Error(o.message);
    expect((await offers.acceptOffer(t.db, { offerId: o.offer.id, playerId: b }, policy)).ok).toBe(true);
    await withTx(t.db, (tx) => ledger.transfer(tx, { actor: `player:${b}` }, { from: b, to: e, asset: CURRENCY, amount: 4_000 }));
    await requestRollback(t.db, { kind: "offer", targetId: o.offer.id, reason: "scam", by: ADMIN, approveAbove: HIGH });
    expect(await openDebts(t.db, b)).toEqual([{ asset: CURRENCY, owed: 4_000, creditor: a }]);
    expect((await wallet(t.db, a, swordType)).copper).toBe(6_000);

    const quest = await server(["mint:currency"]);
    await Promise.all(Array.from({ length: 3 }, () =>
      withTx(t.db, (tx) => applyGrants(tx, { actor: `server:${quest.name}` }, quest.server, [{ kind: "currency", playerId: b, amount: 1_000 }], "quest reward"))));
    expect(await openDebts(t.db, b)).toEqual([{ asset: CURRENCY, owed: 1_000, creditor: a }]);
    expect((await wallet(t.db, a, swordType)).copper).toBe(9_000);
    expect((await wallet(t.db, b, swordType)).copper).toBe(0);

    // E sends B 2,500 in an offer: 1,000 of it pays the rest of the debt, B keeps 1,500.
    const gift = await offers.createOffer(t.db, { fromPlayerId: e, to: { playerId: b }, give: [{ kind: "currency", quantity: 2_500 }], ask: [] }, policy);
    if (!gift.ok) throw new Error(gift.message);
    expect((await offers.acceptOffer(t.db, { offerId: gift.offer.id, playerId: b }, policy)).ok).toBe(true);
    expect(await openDebts(t.db, b)).toEqual([]);
    expect((await wallet(t.db, a, swordType)).copper).toBe(10_000);
    expect((await wallet(t.db, b, swordType)).copper).toBe(1_500);
    // Settled: B may give again.
    const back = await offers.createOffer(t.db, { fromPlayerId: b, to: { playerId: e }, give: [{ kind: "currency", quantity: 100 }], ask: [] }, policy);
    expect(back.ok).toBe(true);
    await expectBooksBalance();
  });

  it("the market refuses a debtor as in debt; a fill of their resting order pays the debt in the batch; then they trade again", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const a = await fundedTrader(t.db, [m.itemTypeId], 1, 10);
    const [b, c] = [await fundedTrader(t.db, [], 20_000), await fundedTrader(t.db, [m.itemTypeId], 20_000, 10)];
    const s = (await MarketSession.open(() => t.db, m.slug))!;
    expect((await s.submit(place(a, "sell", 1_000, 10))).ok).toBe(true);
    expect((await s.submit(place(b, "buy", 1_000, 10))).fills).toHaveLength(1);
    const [fill] = await rows<{ id: string }>(t.db, sql`select id::text as id from fills where market_slug = ${m.slug} order by id desc limit 1`);
    expect((await s.submit(place(b, "buy", 900, 3))).ok).toBe(true); // rests, placed before any debt
    expect((await s.submit(place(b, "sell", 1_100, 6))).ok).toBe(true);
    expect((await s.submit(place(c, "buy", 1_100, 6))).fills).toHaveLength(1);

    await requestRollback(t.db, { kind: "fill", targetId: fill!.id, reason: "duplicated items", by: ADMIN, approveAbove: HIGH });
    expect(await openDebts(t.db, b)).toEqual([{ asset: m.itemTypeId, owed: 6, creditor: a }]);
    expect(await wallet(t.db, a, m.itemTypeId)).toMatchObject({ items: 4 });

    const refused = await s.submit(place(b, "buy", 1_000, 1));
    expect(refused).toMatchObject({ ok: false, code: RoomCode.IN_DEBT, reason: "IN_DEBT" });
    expect(refused.message).toMatch(/in debt/);
    expect(refused.message).not.toMatch(/frozen/);

    // C sells 3 into B's resting buy: the 3 items go to A at once, in the batch's transaction.
    expect((await s.submit(place(c, "sell", 900, 3))).fills).toHaveLength(1);
    expect(await openDebts(t.db, b)).toEqual([{ asset: m.itemTypeId, owed: 3, creditor: a }]);
    expect(await wallet(t.db, b, m.itemTypeId)).toMatchObject({ items: 0 });
    expect(await wallet(t.db, a, m.itemTypeId)).toMatchObject({ items: 7 });
    const [settled] = await settledEvents(b);
    expect(settled!.payload.settled).toMatchObject([{ amount: 3, rest: 3 }]);
    expect((await s.submit(place(b, "buy", 1_000, 1))).code).toBe(RoomCode.IN_DEBT);

    // A game server grants B 5: 3 pay the rest, B keeps 2 and trades again.
    const quest = await server(["mint:items"]);
    const [type] = await rows<{ slug: string }>(t.db, sql`select slug from item_types where id = ${m.itemTypeId}`);
    await withTx(t.db, (tx) => applyGrants(tx, { actor: `server:${quest.name}` }, quest.server, [{ kind: "stack", playerId: b, itemType: type!.slug, quantity: 5 }], "quest reward"));
    expect(await openDebts(t.db, b)).toEqual([]);
    expect(await wallet(t.db, b, m.itemTypeId)).toMatchObject({ items: 2 });
    expect(await wallet(t.db, a, m.itemTypeId)).toMatchObject({ items: 10 });
    expect((await s.submit(place(b, "sell", 1_200, 1))).ok).toBe(true);
    await expectBooksBalance();
  });

  it("a debt of a unique item type is paid with the next item of that type the debtor receives", async () => {
    const swordType = await addItemType(t.db, false);
    const [a, b, e] = [await addPlayer(t.db), await fundedTrader(t.db, [], 10_000), await addPlayer(t.db)];
    const sword = await withTx(t.db, (tx) => ledger.mintUnique(tx, { actor: "test" }, { playerId: a, itemTypeId: swordType }));
    const spare = await withTx(t.db, (tx) => ledger.mintUnique(tx, { actor: "test" }, { playerId: e, itemTypeId: swordType }));
    const o = await offers.createOffer(t.db, { fromPlayerId: a, to: { playerId: b }, give: [{ kind: "unique", itemId: sword }], ask: [{ kind: "currency", quantity: 5_000 }] }, policy);
    if (!o.ok) throw new Error(o.message);
    expect((await offers.acceptOffer(t.db, { offerId: o.offer.id, playerId: b }, policy)).ok).toBe(true);
    await withTx(t.db, (tx) => ledger.transferUnique(tx, { actor: `player:${b}` }, { itemId: sword, from: b, to: e }));
    await requestRollback(t.db, { kind: "offer", targetId: o.offer.id, reason: "scam", by: ADMIN, approveAbove: HIGH });
    expect(await openDebts(t.db, b)).toEqual([{ asset: swordType, owed: 1, creditor: a }]);

    const gift = await offers.createOffer(t.db, { fromPlayerId: e, to: { playerId: b }, give: [{ kind: "unique", itemId: spare }], ask: [] }, policy);
    if (!gift.ok) throw new Error(gift.message);
    expect((await offers.acceptOffer(t.db, { offerId: gift.offer.id, playerId: b }, policy)).ok).toBe(true);
    expect(await openDebts(t.db, b)).toEqual([]);
    const [item] = await rows<{ owner: string; version: number }>(t.db, sql`select owner_id::text as owner, version from items where id = ${spare}`);
    expect(item!.owner).toBe(a);
    const [settled] = await settledEvents(b);
    expect(settled!.payload.settled).toMatchObject([{ asset: swordType, amount: 1, rest: 0 }]);
    await expectBooksBalance();
  });
});
