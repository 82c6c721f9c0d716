/** Replay equals live after a seeded random sequence of ledger operations (PGlite and Postgres). */
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { CURRENCY, LedgerError } from "../../db/ledger";
import { openTestDb, type TestDb } from "../support/db";
import { addItemType, addPlayer, prng } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

it("rebuilds balances, holdings and unique items from events alone, equal to live", async () => {
  const rand = prng(20261124);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const players = await Promise.all(Array.from({ length: 6 }, () => addPlayer(t.db)));
  const stacks = [await addItemType(t.db, true), await addItemType(t.db, true)];
  const uniqueType = await addItemType(t.db, false);
  const fungible = [CURRENCY, ...stacks];
  const uniques: string[] = [];
  const ctx = { actor: "test:replay" };
  let done = 0;
  let refused = 0;
  for (let i = 0; i < 400; i++) {
    const a = pick(players);
    const b = pick(players.filter((p) => p !== a));
    const asset = pick(fungible);
    const amount = 1 + Math.floor(rand() * 200);
    const op = rand();
    try {
      await withTx(t.db, async (tx) => {
        if (op < 0.2) await ledger.mint(tx, ctx, { playerId: a, asset, amount: amount * 3 });
        else if (op < 0.4) await ledger.transfer(tx, ctx, { from: a, to: b, asset, amount });
        else if (op < 0.55) await ledger.reserve(tx, ctx, { playerId: a, asset, amount });
        else if (op < 0.65) await ledger.release(tx, ctx, { playerId: a, asset, amount });
        else if (op < 0.72) await ledger.burn(tx, ctx, { playerId: a, asset, amount });
        else if (op < 0.8) uniques.push(await ledger.mintUnique(tx, ctx, { playerId: a, itemTypeId: uniqueType, metadata: { roll: i } }));
        else if (uniques.length > 0) {
          const item = pick(uniques);
          if (op < 0.9) await ledger.transferUnique(tx, ctx, { itemId: item, from: a, to: b });
          else if (op < 0.95) await ledger.setEscrow(tx, ctx, { itemId: item, playerId: a, escrowed: rand() < 0.5 });
          else await ledger.burnUnique(tx, ctx, { itemId: item, playerId: a });
        }
      });
      done++;
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      refused++;
    }
  }
  expect(done).toBeGreaterThan(150);
  expect(refused).toBeGreaterThan(20); // the sequence exercises refusals too
  const result = await replay(t.db);
  expect(result.differences).toEqual([]);
  expect(result.counts.balances).toBeGreaterThan(0);
  expect(result.counts.items).toBeGreaterThan(0);
  expect((await checkLedger(t.db)).ok).toBe(true);
});
