/** The ledger suite: runs unchanged on PGlite and on the real Postgres (TEST_DB). */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows, withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { CURRENCY, LedgerError } from "../../db/ledger";
import { openTestDb, type TestDb } from "../support/db";
import { addItemType, addPlayer, balanceOf, count } from "../support/world";

let t: TestDb;
const ctx = { actor: "test" };
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

const fails = async (p: Promise<unknown>, code: string) => {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error, `expected ${code}`).toBeInstanceOf(LedgerError);
  expect((error as LedgerError).code).toBe(code);
};

describe(`ledger on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("mints, transfers, reserves, releases and burns currency, one event each", async () => {
    const [a, b] = [await addPlayer(t.db), await addPlayer(t.db)];
    await withTx(t.db, async (tx) => {
      await ledger.mint(tx, ctx, { playerId: a, asset: CURRENCY, amount: 1_000 });
      await ledger.transfer(tx, ctx, { from: a, to: b, asset: CURRENCY, amount: 300 });
      await ledger.reserve(tx, ctx, { playerId: a, asset: CURRENCY, amount: 200 });
      await ledger.release(tx, ctx, { playerId: a, asset: CURRENCY, amount: 50 });
      await ledger.burn(tx, ctx, { playerId: b, asset: CURRENCY, amount: 100 });
    });
    expect(await balanceOf(t.db, a)).toEqual({ available: 550, reserved: 150 });
    expect(await balanceOf(t.db, b)).toEqual({ available: 200, reserved: 0 });
    const stream = await rows<{ version: number; type: string }>(t.db, sql`
      select version, type from events where stream = ${`player:${a}`} order by version`);
    expect(stream.map((e) => [e.version, e.type])).toEqual([[1, "minted"], [2, "transferred"], [3, "reserved"], [4, "released"]]);
    expect((await checkLedger(t.db)).ok).toBe(true);
  });

  it("refuses overdrafts, bad amounts and unknown things, and rolls back the whole transaction", async () => {
    const [a, b] = [await addPlayer(t.db), await addPlayer(t.db)];
    const ore = await addItemType(t.db, true);
    const sword = await addItemType(t.db, false);
    await withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: CURRENCY, amount: 100 }));
    const before = await count(t.db, "events");
    // The mint succeeds inside the transaction, then the transfer fails: nothing may remain.
    await fails(withTx(t.db, async (tx) => {
      await ledger.mint(tx, ctx, { playerId: b, asset: CURRENCY, amount: 5 });
      await ledger.transfer(tx, ctx, { from: a, to: b, asset: CURRENCY, amount: 101 });
    }), "insufficient_funds");
    await fails(withTx(t.db, (tx) => ledger.reserve(tx, ctx, { playerId: a, asset: ore, amount: 1 })), "insufficient_items");
    await fails(withTx(t.db, (tx) => ledger.release(tx, ctx, { playerId: a, asset: CURRENCY, amount: 1 })), "insufficient_funds");
    for (const amount of [0, -5, 1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY, "7" as unknown as number]) {
      await fails(withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: CURRENCY, amount })), "invalid_amount");
    }
    await fails(withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: 999_999, amount: 1 })), "unknown_item_type");
    await fails(withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: sword, amount: 1 })), "not_stackable");
    await fails(withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: crypto.randomUUID(), asset: CURRENCY, amount: 1 })), "unknown_player");
    await fails(withTx(t.db, (tx) => ledger.transfer(tx, ctx, { from: a, to: a, asset: CURRENCY, amount: 1 })), "invalid_amount");
    expect(await count(t.db, "events")).toBe(before);
    expect(await balanceOf(t.db, a)).toEqual({ available: 100, reserved: 0 });
    expect(await balanceOf(t.db, b)).toEqual({ available: 0, reserved: 0 });
  });

  it("keeps every asset's supply within 2^53 - 1", async () => {
    const a = await addPlayer(t.db);
    const gem = await addItemType(t.db, true);
    await withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: gem, amount: Number.MAX_SAFE_INTEGER - 1 }));
    await withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: gem, amount: 1 }));
    await fails(withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: gem, amount: 1 })), "supply_limit");
    await withTx(t.db, (tx) => ledger.burn(tx, ctx, { playerId: a, asset: gem, amount: 10 }));
    await withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: gem, amount: 10 }));
    expect((await checkLedger(t.db)).ok).toBe(true);
  });

  it("refuses entries that would create or destroy value", async () => {
    const a = await addPlayer(t.db);
    await fails(withTx(t.db, (tx) => ledger.record(tx, ctx, {
      stream: "test", type: "bogus", postings: [{ player: a, asset: CURRENCY, available: 10, reserved: 0 }],
    })), "unbalanced");
    await fails(withTx(t.db, (tx) => ledger.record(tx, ctx, {
      stream: "test", type: "bogus", postings: [{ player: a, asset: CURRENCY, available: 10, reserved: 0 }], supply: [{ asset: CURRENCY, sunk: 10 }],
    })), "unbalanced");
  });

  it("moves unique items only from their owner, and not while escrowed", async () => {
    const [a, b] = [await addPlayer(t.db), await addPlayer(t.db)];
    const sword = await addItemType(t.db, false);
    const id = await withTx(t.db, (tx) => ledger.mintUnique(tx, ctx, { playerId: a, itemTypeId: sword, metadata: { damage: 9 } }));
    await fails(withTx(t.db, (tx) => ledger.transferUnique(tx, ctx, { itemId: id, from: b, to: a })), "not_owner");
    await withTx(t.db, (tx) => ledger.setEscrow(tx, ctx, { itemId: id, playerId: a, escrowed: true }));
    await fails(withTx(t.db, (tx) => ledger.transferUnique(tx, ctx, { itemId: id, from: a, to: b })), "item_unavailable");
    await withTx(t.db, (tx) => ledger.setEscrow(tx, ctx, { itemId: id, playerId: a, escrowed: false }));
    await withTx(t.db, (tx) => ledger.transferUnique(tx, ctx, { itemId: id, from: a, to: b }));
    await fails(withTx(t.db, (tx) => ledger.transferUnique(tx, ctx, { itemId: crypto.randomUUID(), from: a, to: b })), "unknown_item");
    await fails(withTx(t.db, (tx) => ledger.transferUnique(tx, ctx, { itemId: "not-a-uuid", from: a, to: b })), "unknown_item");
    const [item] = await rows<{ owner: string; version: number }>(t.db, sql`select owner_id::text as owner, version from items where id = ${id}`);
    expect(item).toEqual({ owner: b, version: 4 });
    await withTx(t.db, (tx) => ledger.burnUnique(tx, ctx, { itemId: id, playerId: b }));
    const report = await checkLedger(t.db);
    expect(report.ok).toBe(true);
    expect(report.assets.find((l) => l.asset === sword)).toMatchObject({ minted: 1n, burned: 1n, held: 0n });
  });

  it("rejects UPDATE, DELETE and TRUNCATE on events", async () => {
    const a = await addPlayer(t.db);
    await withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: CURRENCY, amount: 1 }));
    const n = await count(t.db, "events");
    for (const statement of [sql`update events set type = 'x'`, sql`delete from events`, sql`truncate events`]) {
      await expect(t.db.execute(statement)).rejects.toThrow();
    }
    expect(await count(t.db, "events")).toBe(n);
  });

  it("check:ledger and replay catch a read model changed behind the ledger's back", async () => {
    const a = await addPlayer(t.db);
    await withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: a, asset: CURRENCY, amount: 500 }));
    expect((await replay(t.db)).differences).toEqual([]);
    await t.db.execute(sql`update balances set available = available + 1 where player_id = ${a}`);
    const report = await checkLedger(t.db);
    expect(report.ok).toBe(false);
    expect(report.assets.find((l) => l.asset === CURRENCY)?.ok).toBe(false);
    expect((await replay(t.db)).differences.length).toBeGreaterThan(0);
    await t.db.execute(sql`update balances set available = available - 1 where player_id = ${a}`);
    expect((await checkLedger(t.db)).ok).toBe(true);
  });
});
