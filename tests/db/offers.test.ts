/** Direct trade offers: atomic swaps, one winner under concurrency, clean failures (PGlite and Postgres). */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows, withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { CURRENCY } from "../../db/ledger";
import * as offers from "../../db/offers";
import type { OfferPolicy } from "../../db/offers";
import { openTestDb, type TestDb } from "../support/db";
import { addItemType, addPlayer, balanceOf, count } from "../support/world";

let t: TestDb;
let ore: number;
let swordType: number;
const policy: OfferPolicy = { ...offers.defaultOfferPolicy, minAccountAgeSeconds: 0, acceptDelaySeconds: 0 };
const ctx = { actor: "test:offers" };

beforeAll(async () => {
  t = await openTestDb({ poolSize: 60 });
  ore = await addItemType(t.db, true);
  swordType = await addItemType(t.db, false);
});
afterAll(async () => t?.close());

async function trader(copper = 1_000, oreQty = 100) {
  const id = await addPlayer(t.db);
  await withTx(t.db, async (tx) => {
    await ledger.mint(tx, ctx, { playerId: id, asset: CURRENCY, amount: copper });
    await ledger.mint(tx, ctx, { playerId: id, asset: ore, amount: oreQty });
  });
  const sword = await withTx(t.db, (tx) => ledger.mintUnique(tx, ctx, { playerId: id, itemTypeId: swordType, metadata: { damage: 12 } }));
  return { id, sword };
}

const offer = async (from: string, to: string, give: offers.OfferLineInput[], ask: offers.OfferLineInput[], p = policy) => {
  const r = await offers.createOffer(t.db, { fromPlayerId: from, to: { playerId: to }, give, ask }, p);
  if (!r.ok) throw new Error(r.message);
  return r.offer;
};

describe(`offers on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("swaps a unique item and a stack for currency atomically, and records it for both", async () => {
    const [a, b] = [await trader(), await trader()];
    const o = await offer(a.id, b.id, [{ kind: "unique", itemId: a.sword }, { kind: "stack", itemTypeId: ore, quantity: 10 }], [{ kind: "currency", quantity: 700 }]);
    expect(o.status).toBe("pending");
    expect(await balanceOf(t.db, a.id)).toEqual({ available: 1_000, reserved: 0 }); // nothing escrowed while pending
    const r = await offers.acceptOffer(t.db, { offerId: o.id, playerId: b.id }, policy);
    expect(r.ok && r.offer.status).toBe("accepted");
    expect(await balanceOf(t.db, a.id)).toEqual({ available: 1_700, reserved: 0 });
    expect(await balanceOf(t.db, b.id)).toEqual({ available: 300, reserved: 0 });
    const [sword] = await rows<{ owner: string }>(t.db, sql`select owner_id::text as owner from items where id = ${a.sword}`);
    expect(sword!.owner).toBe(b.id);
    expect((await offers.listOffers(t.db, { playerId: a.id, box: "history" })).map((x) => x.id)).toEqual([o.id]);
    expect((await offers.listOffers(t.db, { playerId: b.id, box: "history" })).map((x) => x.id)).toEqual([o.id]);
    const types = await rows<{ type: string }>(t.db, sql`select type from events where stream = ${`offer:${o.id}`} order by version`);
    expect(types.map((e) => e.type)).toEqual(["offer_created", "offer_settled", "offer_accepted"]);
    expect((await checkLedger(t.db)).ok).toBe(true);
  });

  it("50 concurrent accepts of different offers sharing one item: exactly one succeeds, the rest fail cleanly", async () => {
    const seller = await trader();
    const buyers = await Promise.all(Array.from({ length: 50 }, () => trader(5_000)));
    const all = [];
    for (const b of buyers) all.push(await offer(seller.id, b.id, [{ kind: "unique", itemId: seller.sword }], [{ kind: "currency", quantity: 100 }]));
    const results = await Promise.all(all.map((o, i) => offers.acceptOffer(t.db, { offerId: o.id, playerId: buyers[i]!.id }, policy)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const failures = results.filter((r) => !r.ok);
    expect(failures).toHaveLength(49);
    for (const f of failures) expect(f).toMatchObject({ ok: false, status: 409, code: "offer_failed" });
    expect(failures[0]!.ok === false && failures[0]!.message).toMatch(/sender lacks .*not owned/);
    const [st] = await rows<{ accepted: number; failed: number }>(t.db, sql`
      select count(*) filter (where status = 'accepted')::int as accepted, count(*) filter (where status = 'failed')::int as failed
      from trade_offers where from_player_id = ${seller.id}`);
    expect(st).toEqual({ accepted: 1, failed: 49 });
    expect(await balanceOf(t.db, seller.id)).toEqual({ available: 1_100, reserved: 0 });
    expect((await checkLedger(t.db)).ok).toBe(true);
    expect((await replay(t.db)).differences).toEqual([]);
  });

  it("a double accept of one offer swaps once", async () => {
    const [a, b] = [await trader(), await trader()];
    const o = await offer(a.id, b.id, [{ kind: "stack", itemTypeId: ore, quantity: 5 }], [{ kind: "currency", quantity: 50 }]);
    const [r1, r2] = await Promise.all([1, 2].map(() => offers.acceptOffer(t.db, { offerId: o.id, playerId: b.id }, policy)));
    expect([r1!.ok, r2!.ok].sort()).toEqual([false, true]);
    expect([r1, r2].find((r) => !r!.ok)).toMatchObject({ status: 409, code: "offer_not_pending" });
    expect(await balanceOf(t.db, b.id)).toEqual({ available: 950, reserved: 0 });
    expect(await count(t.db, "events")).toBeGreaterThan(0);
  });

  it("fails cleanly when the stack was reserved by a sell order (or sold) between offer and accept", async () => {
    const [a, b] = [await trader(1_000, 20), await trader()];
    const o = await offer(a.id, b.id, [{ kind: "stack", itemTypeId: ore, quantity: 20 }], [{ kind: "currency", quantity: 100 }]);
    await withTx(t.db, (tx) => ledger.reserve(tx, ctx, { playerId: a.id, asset: ore, amount: 15, stream: "order:test" }));
    const r = await offers.acceptOffer(t.db, { offerId: o.id, playerId: b.id }, policy);
    expect(r).toMatchObject({ ok: false, status: 409, code: "offer_failed" });
    expect(!r.ok && r.message).toMatch(/20 x .* \(has 5 available\)/);
    expect((await offers.getOffer(t.db, { offerId: o.id, playerId: a.id }))?.status).toBe("failed");
    expect(await balanceOf(t.db, b.id)).toEqual({ available: 1_000, reserved: 0 });
  });

  it("counters, declines, cancels and expires", async () => {
    const [a, b] = [await trader(), await trader()];
    const o = await offer(a.id, b.id, [{ kind: "currency", quantity: 10 }], [{ kind: "stack", itemTypeId: ore, quantity: 1 }]);
    expect(await offers.counterOffer(t.db, { offerId: o.id, playerId: a.id, give: [], ask: [{ kind: "currency", quantity: 1 }] }, policy)).toMatchObject({ status: 403 });
    const c = await offers.counterOffer(t.db, { offerId: o.id, playerId: b.id, give: [{ kind: "stack", itemTypeId: ore, quantity: 1 }], ask: [{ kind: "currency", quantity: 20 }] }, policy);
    expect(c.ok && c.offer.counterOfId).toBe(o.id);
    expect((await offers.getOffer(t.db, { offerId: o.id, playerId: b.id }))?.status).toBe("countered");
    expect(await offers.acceptOffer(t.db, { offerId: o.id, playerId: b.id }, policy)).toMatchObject({ code: "offer_not_pending" });
    const counter = c.ok ? c.offer : undefined;
    expect(await offers.cancelOffer(t.db, { offerId: counter!.id, playerId: a.id })).toMatchObject({ status: 403, code: "not_sender" });
    expect(await offers.declineOffer(t.db, { offerId: counter!.id, playerId: a.id })).toEqual({ ok: true });
    const o2 = await offer(a.id, b.id, [{ kind: "currency", quantity: 10 }], []);
    expect(await offers.cancelOffer(t.db, { offerId: o2.id, playerId: a.id })).toEqual({ ok: true });
    const o3 = await offer(a.id, b.id, [{ kind: "currency", quantity: 10 }], []);
    await t.db.execute(sql`update trade_offers set expires_at = now() - interval '1 second' where id = ${o3.id}::uuid`);
    expect(await offers.expireOffers(t.db)).toBeGreaterThanOrEqual(1);
    expect((await offers.getOffer(t.db, { offerId: o3.id, playerId: b.id }))?.status).toBe("expired");
    expect(await offers.acceptOffer(t.db, { offerId: o3.id, playerId: b.id }, policy)).toMatchObject({ code: "offer_not_pending" });
  });

  it("protects: accept delay, new accounts, blocks, second confirmation for big offers", async () => {
    const [a, b] = [await trader(2_000_000), await trader()];
    const strict: OfferPolicy = { ...policy, acceptDelaySeconds: 60 };
    const o = await offer(a.id, b.id, [{ kind: "currency", quantity: 10 }], [], strict);
    expect(await offers.acceptOffer(t.db, { offerId: o.id, playerId: b.id }, strict)).toMatchObject({ status: 425, code: "too_early" });
    const young = await offers.createOffer(t.db, { fromPlayerId: a.id, to: { playerId: b.id }, give: [{ kind: "currency", quantity: 1 }], ask: [] }, { ...policy, minAccountAgeSeconds: 3600 });
    expect(young).toMatchObject({ status: 403, code: "account_too_new" });
    const big = await offer(a.id, b.id, [{ kind: "currency", quantity: 1_500_000 }], []);
    expect(await offers.acceptOffer(t.db, { offerId: big.id, playerId: b.id }, policy)).toMatchObject({ status: 428, code: "confirmation_required" });
    expect((await offers.acceptOffer(t.db, { offerId: big.id, playerId: b.id, confirmed: true }, policy)).ok).toBe(true);
    const [bName] = await rows<{ username: string }>(t.db, sql`select username from players where id = ${b.id}`);
    const [aName] = await rows<{ username: string }>(t.db, sql`select username from players where id = ${a.id}`);
    expect((await offers.blockPlayer(t.db, { playerId: b.id, username: aName!.username.toUpperCase() })).ok).toBe(true);
    expect(await offers.createOffer(t.db, { fromPlayerId: a.id, to: { username: bName!.username }, give: [{ kind: "currency", quantity: 1 }], ask: [] }, policy))
      .toMatchObject({ status: 403, code: "blocked" });
  });

  it("rejects bad offers with a clear 4xx and changes nothing", async () => {
    const [a, b] = [await trader(), await trader()];
    const before = [await count(t.db, "events"), await count(t.db, "items")];
    const [offersBefore] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from trade_offers`);
    const bad: Array<[string, Parameters<typeof offers.createOffer>[1], number, string]> = [
      ["what you do not own", { fromPlayerId: a.id, to: { playerId: b.id }, give: [{ kind: "unique", itemId: b.sword }], ask: [] }, 409, "not_owned"],
      ["more than you have", { fromPlayerId: a.id, to: { playerId: b.id }, give: [{ kind: "currency", quantity: 1_001 }], ask: [] }, 409, "not_owned"],
      ["what they do not have", { fromPlayerId: a.id, to: { playerId: b.id }, give: [], ask: [{ kind: "stack", itemTypeId: ore, quantity: 101 }] }, 409, "not_owned_by_recipient"],
      ["to yourself", { fromPlayerId: a.id, to: { playerId: a.id }, give: [{ kind: "currency", quantity: 1 }], ask: [] }, 400, "offer_to_self"],
      ["to nobody", { fromPlayerId: a.id, to: { username: "no-such-player" }, give: [{ kind: "currency", quantity: 1 }], ask: [] }, 404, "unknown_player"],
      ["negative", { fromPlayerId: a.id, to: { playerId: b.id }, give: [{ kind: "currency", quantity: -5 }], ask: [] }, 400, "invalid_quantity"],
      ["fractional", { fromPlayerId: a.id, to: { playerId: b.id }, give: [{ kind: "stack", itemTypeId: ore, quantity: 1.5 }], ask: [] }, 400, "invalid_quantity"],
      ["huge", { fromPlayerId: a.id, to: { playerId: b.id }, give: [{ kind: "currency", quantity: 2 ** 60 }], ask: [] }, 400, "invalid_quantity"],
      ["empty", { fromPlayerId: a.id, to: { playerId: b.id }, give: [], ask: [] }, 400, "empty_offer"],
      ["oversized", { fromPlayerId: a.id, to: { playerId: b.id }, give: Array.from({ length: 101 }, () => ({ kind: "currency" as const, quantity: 1 })), ask: [] }, 400, "too_many_lines"],
      ["a stack of a unique type", { fromPlayerId: a.id, to: { playerId: b.id }, give: [{ kind: "stack", itemTypeId: swordType, quantity: 1 }], ask: [] }, 409, "not_owned"],
      ["control characters", { fromPlayerId: a.id, to: { playerId: b.id }, give: [{ kind: "currency", quantity: 1 }], ask: [], message: "hi\u0000" }, 400, "invalid_message"],
    ];
    for (const [what, input, status, code] of bad) {
      expect(await offers.createOffer(t.db, input, policy), what).toMatchObject({ ok: false, status, code });
    }
    const [offersAfter] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from trade_offers`);
    expect(offersAfter!.n).toBe(offersBefore!.n);
    expect([await count(t.db, "events"), await count(t.db, "items")]).toEqual(before);
    expect(await offers.acceptOffer(t.db, { offerId: "nope", playerId: b.id }, policy)).toMatchObject({ status: 404 });
    expect(await offers.getOffer(t.db, { offerId: crypto.randomUUID(), playerId: b.id })).toBeUndefined();
  });
});
