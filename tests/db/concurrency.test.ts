/**
 * Money safety under concurrency. Meaningful on the real Postgres (TEST_DB=postgres, a pool of 60
 * connections); PGlite runs one transaction at a time, so there it only checks the same outcomes.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { pgErrorCode, rows, withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { CURRENCY, LedgerError } from "../../db/ledger";
import { openTestDb, type TestDb } from "../support/db";
import { addItemType, addPlayer, balanceOf, prng } from "../support/world";

let t: TestDb;
const ctx = { actor: "test:concurrency" };
beforeAll(async () => {
  t = await openTestDb({ poolSize: 60 });
});
afterAll(async () => t?.close());

/** Run all at once; every outcome must be success or an expected LedgerError, never a raw DB error. */
async function settle(tasks: Array<() => Promise<unknown>>) {
  const results = await Promise.allSettled(tasks.map((task) => task()));
  const unexpected = results.filter((r) => r.status === "rejected" && !(r.reason instanceof LedgerError));
  expect(unexpected.map((r) => `${pgErrorCode((r as PromiseRejectedResult).reason)} ${String((r as PromiseRejectedResult).reason)}`)).toEqual([]);
  return { ok: results.filter((r) => r.status === "fulfilled").length, refused: results.filter((r) => r.status === "rejected").length };
}

it("50 concurrent withdrawals from one balance never overdraw: exactly floor(balance / amount) succeed", async () => {
  const payer = await addPlayer(t.db);
  const payees = await Promise.all(Array.from({ length: 50 }, () => addPlayer(t.db)));
  await withTx(t.db, (tx) => ledger.mint(tx, ctx, { playerId: payer, asset: CURRENCY, amount: 1_000 }));
  const outcome = await settle(payees.map((to, i) => () =>
    withTx(t.db, (tx) => i % 2 === 0
      ? ledger.transfer(tx, ctx, { from: payer, to, asset: CURRENCY, amount: 30 })
      : ledger.reserve(tx, ctx, { playerId: payer, asset: CURRENCY, amount: 30 }))));
  expect(outcome).toEqual({ ok: 33, refused: 17 });
  const left = await balanceOf(t.db, payer);
  expect(left.available).toBe(10);
  expect(left.available + left.reserved).toBe(1_000 - 30 * (33 - Math.floor(left.reserved / 30)));
  expect((await checkLedger(t.db)).ok).toBe(true);
});

it("50 concurrent transfers and reservations criss-crossing 8 players conserve and never go negative", async () => {
  const players = await Promise.all(Array.from({ length: 8 }, () => addPlayer(t.db)));
  const ore = await addItemType(t.db, true);
  await withTx(t.db, async (tx) => {
    for (const p of players) {
      await ledger.mint(tx, ctx, { playerId: p, asset: CURRENCY, amount: 500 });
      await ledger.mint(tx, ctx, { playerId: p, asset: ore, amount: 50 });
    }
  });
  const rand = prng(7);
  let totalOk = 0;
  for (let round = 0; round < 4; round++) {
    const tasks = Array.from({ length: 50 }, () => {
      const a = players[Math.floor(rand() * 8)]!;
      const b = players.filter((p) => p !== a)[Math.floor(rand() * 7)]!;
      const asset = rand() < 0.5 ? CURRENCY : ore;
      const amount = 1 + Math.floor(rand() * (asset === CURRENCY ? 200 : 20));
      const kind = rand();
      return () => withTx(t.db, async (tx) => {
        if (kind < 0.6) {
          // Two calls in one transaction, in opposite orders across tasks: the deadlock-prone case,
          // made safe by taking every row lock up front in the global order.
          await ledger.lockAccounts(tx, [a, b]);
          await ledger.transfer(tx, ctx, { from: a, to: b, asset, amount });
          await ledger.transfer(tx, ctx, { from: b, to: a, asset: asset === CURRENCY ? ore : CURRENCY, amount: 1 });
        } else if (kind < 0.85) await ledger.reserve(tx, ctx, { playerId: a, asset, amount });
        else await ledger.release(tx, ctx, { playerId: a, asset, amount });
      });
    });
    totalOk += (await settle(tasks)).ok;
  }
  expect(totalOk).toBeGreaterThan(50);
  const [neg] = await rows<{ n: string }>(t.db, sql`
    select count(*)::text as n from balances where available < 0 or reserved < 0`);
  expect(neg!.n).toBe("0");
  const [sum] = await rows<{ c: string; o: string }>(t.db, sql`
    select (select sum(available + reserved) from balances where player_id = any(${`{${players.join(",")}}`}::uuid[]))::text as c,
      (select sum(available + reserved) from holdings where item_type_id = ${ore})::text as o`);
  expect(sum).toEqual({ c: "4000", o: "400" });
  expect((await checkLedger(t.db)).ok).toBe(true);
  expect((await replay(t.db)).differences).toEqual([]);
});

it("50 concurrent transfers of one unique item: exactly one wins", async () => {
  const owner = await addPlayer(t.db);
  const others = await Promise.all(Array.from({ length: 50 }, () => addPlayer(t.db)));
  const sword = await addItemType(t.db, false);
  const itemId = await withTx(t.db, (tx) => ledger.mintUnique(tx, ctx, { playerId: owner, itemTypeId: sword }));
  const outcome = await settle(others.map((to) => () => withTx(t.db, (tx) => ledger.transferUnique(tx, ctx, { itemId, from: owner, to }))));
  expect(outcome).toEqual({ ok: 1, refused: 49 });
  const [item] = await rows<{ version: number }>(t.db, sql`select version from items where id = ${itemId}`);
  expect(item!.version).toBe(2);
  expect((await checkLedger(t.db)).ok).toBe(true);
});
