/**
 * Rollback by compensating events (issue 18, ADR 024) on PGlite and on the real Postgres: a simple
 * fill; a fill whose items were resold twice; an offer whose gold was spent; a mint by a compromised
 * game server (two admins). Exact balances and debts, preview equal to apply, asking twice changes
 * nothing, and check:ledger and replay stay OK after each.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import * as ledger from "../../db/ledger";
import { CURRENCY } from "../../db/ledger";
import * as offers from "../../db/offers";
import type { OfferPolicy } from "../../db/offers";
import { approveRollback, openDebts, planRollback, requestRollback, RollbackError } from "../../db/rollbacks";
import { MarketSession } from "../../party/market/session";
import type { MarketCommand } from "../../party/settlement/types";
import { applyGrants } from "../../db/game-servers/grants";
import { createServer } from "../../db/game-servers/servers";
import { MASTER } from "../support/game-server";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { addItemType, addPlayer } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 4 });
});
afterAll(async () => t?.close());

const ADMIN = "operator:11111111-1111-4111-8111-111111111111";
const OTHER_ADMIN = "operator:22222222-2222-4222-8222-222222222222";
const HIGH = 1_000_000_000;
const policy: OfferPolicy = { ...offers.defaultOfferPolicy, minAccountAgeSeconds: 0, acceptDelaySeconds: 0, confirmAboveCopper: HIGH };

const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number): MarketCommand => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity,
});

async function trade(s: MarketSession, seller: string, buyer: string, price: number, quantity: number): Promise<string> {
  expect((await s.submit(place(seller, "sell", price, quantity))).ok).toBe(true);
  const took = await s.submit(place(buyer, "buy", price, quantity));
  expect(took.fills).toHaveLength(1);
  const [f] = await rows<{ id: string }>(t.db, sql`select id::text as id from fills order by id desc limit 1`);
  return f!.id;
}

async function expectBooksBalance() {
  const report = await checkLedger(t.db);
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
  expect((await replay(t.db)).differences).toEqual([]);
}

describe(`rollbacks on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("a simple fill: the items go back to the seller, the seller's proceeds back to the buyer; fees stay sunk", async () => {
    const m = await addMarket(t.db, { makerBps: 100, takerBps: 200 });
    const seller = await fundedTrader(t.db, [m.itemTypeId], 50_000, 100);
    const buyer = await fundedTrader(t.db, [], 50_000);
    const s = (await MarketSession.open(() => t.db, m.slug))!;
    const fill = await trade(s, seller, buyer, 1_000, 10); // seller maker fee 100, buyer taker fee 200
    expect(await wallet(t.db, seller, m.itemTypeId)).toMatchObject({ copper: 59_900, items: 90 });
    expect(await wallet(t.db, buyer, m.itemTypeId)).toMatchObject({ copper: 39_800, items: 10 });

    const preview = await planRollback(t.db, "fill", fill);
    const done = await requestRollback(t.db, { kind: "fill", targetId: fill, reason: "stolen account", by: ADMIN, approveAbove: HIGH });
    expect(done.rollback.state).toBe("applied");
    expect(done.rollback.plan).toEqual(preview);
    expect(preview.debts).toEqual([]);
    expect(preview.value).toBe(10 * 1_000 + 9_900);
    expect(await wallet(t.db, seller, m.itemTypeId)).toMatchObject({ copper: 50_000, items: 100 });
    expect(await wallet(t.db, buyer, m.itemTypeId)).toMatchObject({ copper: 49_700, items: 0 });

    // Asking again answers the first rollback and moves nothing.
    const events = await rows(t.db, sql`select 1 from events`);
    const again = await requestRollback(t.db, { kind: "fill", targetId: fill, reason: "again", by: OTHER_ADMIN, approveAbove: HIGH });
    expect(again).toMatchObject({ created: false, rollback: { id: done.rollback.id, state: "applied" } });
    expect((await rows(t.db, sql`select 1 from events`)).length).toBe(events.length);
    const [e] = await rows<{ type: string; actor: string }>(t.db, sql`select type, actor from events where stream = ${`rollback:${done.rollback.id}`}`);
    expect(e).toEqual({ type: "rollback_applied", actor: ADMIN });
    await expectBooksBalance();
  });

  it("a fill whose items were resold twice: what the buyer still holds goes back, the rest is a debt that blocks their orders", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const a = await fundedTrader(t.db, [m.itemTypeId], 1, 10);
    const [b, c, d] = [await fundedTrader(t.db, [], 20_000), await fundedTrader(t.db, [], 20_000), await fundedTrader(t.db, [], 20_000)];
    const s = (await MarketSession.open(() => t.db, m.slug))!;
    const fill = await trade(s, a, b, 1_000, 10);
    await trade(s, b, c, 1_100, 6);
    await trade(s, c, d, 1_200, 6);
    expect(await wallet(t.db, b, m.itemTypeId)).toMatchObject({ copper: 16_600, items: 4 });

    const preview = await planRollback(t.db, "fill", fill);
    const done = await requestRollback(t.db, { kind: "fill", targetId: fill, reason: "duplicated items", by: ADMIN, approveAbove: HIGH });
    expect(done.rollback.plan).toEqual(preview);
    expect(preview.debts).toEqual([{ player: b, asset: m.itemTypeId, amount: 6, creditor: a }]);
    expect(preview.notes).toContain(`${b} holds 4 of the 10 of item type ${m.itemTypeId} to give back: 6 stays owed as a debt.`);
    expect(await wallet(t.db, a, m.itemTypeId)).toMatchObject({ copper: 1, items: 4 });
    expect(await wallet(t.db, b, m.itemTypeId)).toMatchObject({ copper: 26_600, items: 0 });
    expect(await wallet(t.db, c, m.itemTypeId)).toMatchObject({ copper: 20_600, items: 0 });
    expect(await wallet(t.db, d, m.itemTypeId)).toMatchObject({ copper: 12_800, items: 6 });
    expect(await openDebts(t.db, b)).toEqual([{ asset: m.itemTypeId, owed: 6, creditor: a }]);

    // The debt blocks B's orders (withdrawals of value), as a freeze does; D, who bought in good faith, trades on.
    const refused = await s.submit(place(b, "buy", 1_000, 1));
    expect(refused.ok).toBe(false);
    expect((await s.submit(place(d, "sell", 5_000, 1))).ok).toBe(true);
    await expectBooksBalance();
  });

  it("an offer whose gold was spent: the rest of the gold comes back, the sword goes home, the shortfall is owed", async () => {
    const swordType = await addItemType(t.db, false);
    const a = await fundedTrader(t.db, [], 10_000);
    const b = await addPlayer(t.db);
    const e = await addPlayer(t.db);
    const sword = await withTx(t.db, (tx) => ledger.mintUnique(tx, { actor: "test" }, { playerId: b, itemTypeId: swordType }));
    const o = await offers.createOffer(t.db, { fromPlayerId: a, to: { playerId: b }, give: [{ kind: "currency", quantity: 5_000 }], ask: [{ kind: "unique", itemId: sword }] }, policy);
    if (!o.ok) throw new Error(o.message);
    expect((await offers.acceptOffer(t.db, { offerId: o.offer.id, playerId: b }, policy)).ok).toBe(true);
    await withTx(t.db, (tx) => ledger.transfer(tx, { actor: `player:${b}` }, { from: b, to: e, asset: CURRENCY, amount: 4_000 }));

    const preview = await planRollback(t.db, "offer", o.offer.id);
    const done = await requestRollback(t.db, { kind: "offer", targetId: o.offer.id, reason: "scam", by: ADMIN, approveAbove: HIGH });
    expect(done.rollback.plan).toEqual(preview);
    expect(preview.takes).toEqual([
      { from: b, to: a, asset: CURRENCY, amount: 1_000 },
      { from: a, to: b, asset: swordType, amount: 1, item: sword },
    ]);
    expect(preview.debts).toEqual([{ player: b, asset: CURRENCY, amount: 4_000, creditor: a }]);
    expect((await wallet(t.db, a, swordType)).copper).toBe(6_000);
    expect((await wallet(t.db, b, swordType)).copper).toBe(0);
    expect((await wallet(t.db, e, swordType)).copper).toBe(4_000);
    const [item] = await rows<{ owner: string; state: string }>(t.db, sql`select owner_id::text as owner, state from items where id = ${sword}`);
    expect(item).toEqual({ owner: b, state: "held" });
    // B may not give anything in an offer while in debt.
    const blocked = await offers.createOffer(t.db, { fromPlayerId: b, to: { playerId: a }, give: [{ kind: "unique", itemId: sword }], ask: [] }, policy);
    expect(blocked).toMatchObject({ ok: false, status: 409, code: "in_debt" });
    await expectBooksBalance();
  });

  it("a mint by a compromised game server: what is left is burned, the spent part owed; above the threshold two admins", async () => {
    const m = await addPlayer(t.db);
    const n = await addPlayer(t.db);
    const name = `raid-${Math.random().toString(36).slice(2, 8)}`;
    const created = await createServer(t.db, MASTER, { name, scopes: ["mint:currency"], mintLimits: { currency: 10_000_000 }, createdBy: "test" });
    if (!created.ok) throw new Error(created.message);
    await withTx(t.db, (tx) => applyGrants(tx, { actor: `server:${name}` }, created.server, [{ kind: "currency", playerId: m, amount: 1_000_000 }], "quest reward"));
    const [ev] = await rows<{ id: string }>(t.db, sql`select event_id::text as id from events where stream = ${`player:${m}`} and type = 'minted'`);
    await withTx(t.db, (tx) => ledger.transfer(tx, { actor: `player:${m}` }, { from: m, to: n, asset: CURRENCY, amount: 600_000 }));
    const [supplyBefore] = await rows<{ burned: string }>(t.db, sql`select burned::text as burned from supply where asset = 0`);

    const preview = await planRollback(t.db, "mint", ev!.id);
    const asked = await requestRollback(t.db, { kind: "mint", targetId: ev!.id, reason: "leaked server key", by: ADMIN, approveAbove: 500_000 });
    expect(asked.rollback).toMatchObject({ state: "pending", value: 1_000_000 });
    expect((await wallet(t.db, m, 1)).copper).toBe(400_000); // nothing moved yet
    await expect(approveRollback(t.db, { id: asked.rollback.id, by: ADMIN })).rejects.toThrow(RollbackError);
    const applied = await approveRollback(t.db, { id: asked.rollback.id, by: OTHER_ADMIN });
    expect(applied).toMatchObject({ state: "applied", approvedBy: OTHER_ADMIN, requestedBy: ADMIN });
    expect(applied.plan).toEqual(preview);
    expect(preview.takes).toEqual([{ from: m, to: null, asset: CURRENCY, amount: 400_000 }]);
    expect(await openDebts(t.db, m)).toEqual([{ asset: CURRENCY, owed: 600_000, creditor: null }]);
    expect((await wallet(t.db, m, 1)).copper).toBe(0);
    expect((await wallet(t.db, n, 1)).copper).toBe(600_000);
    const [supplyAfter] = await rows<{ burned: string }>(t.db, sql`select burned::text as burned from supply where asset = 0`);
    expect(Number(supplyAfter!.burned) - Number(supplyBefore!.burned)).toBe(400_000);
    // Approving again answers the applied rollback and moves nothing.
    expect(await approveRollback(t.db, { id: asked.rollback.id, by: OTHER_ADMIN })).toMatchObject({ state: "applied" });
    expect((await wallet(t.db, n, 1)).copper).toBe(600_000);
    await expectBooksBalance();
  });

  it("refuses bad targets by name and changes nothing", async () => {
    await expect(planRollback(t.db, "fill", "abc")).rejects.toThrow(/fill id must be a number/);
    await expect(requestRollback(t.db, { kind: "fill", targetId: "999999999", reason: "x", by: ADMIN, approveAbove: HIGH })).rejects.toThrow(/There is no fill 999999999/);
    await expect(requestRollback(t.db, { kind: "mint", targetId: crypto.randomUUID(), reason: " ", by: ADMIN, approveAbove: HIGH })).rejects.toThrow(/needs a reason/);
  });
});
