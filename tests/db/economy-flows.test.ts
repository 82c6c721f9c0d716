/**
 * The faucets-and-sinks projection (db/economy, a consumer of the event feed): a randomized history
 * of mints and burns by several sources and market fees, with the consumer run at random moments
 * (and twice at once), equals what the history itself says per (asset, source); a rebuild from the
 * events gives the same table; money supply (minted - burned - sunk of the currency) agrees with
 * check:ledger's held total.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { withTx } from "../../db/db";
import { rebuild, runConsumer } from "../../db/consumers/run";
import { flowsConsumer, readFlows } from "../../db/economy/consumer";
import { sourceOf } from "../../db/economy/flows";
import { readEconomyFlows } from "../../db/economy/read";
import * as ledger from "../../db/ledger";
import { CURRENCY } from "../../db/ledger";
import { openTestDb, testDbTarget, type TestDb } from "../support/db";
import { addItemType, addPlayer, prng } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 8 });
});
afterAll(async () => t?.close());

it("incremental flows equal the history's own sums, also after a rebuild and with two consumers at once", async () => {
  const rand = prng(19);
  const players = await Promise.all(Array.from({ length: 6 }, () => addPlayer(t.db)));
  const ore = await addItemType(t.db, true);
  const expected = new Map<string, { minted: number; burned: number; sunk: number }>();
  const add = (asset: number, source: string, k: "minted" | "burned" | "sunk", n: number) => {
    const key = `${asset}|${source}`;
    const e = expected.get(key) ?? { minted: 0, burned: 0, sunk: 0 };
    e[k] += n;
    expected.set(key, e);
  };
  const actors = ["server:loot", "server:quests", "system:seed", "operator:ops"];
  const reasons = [undefined, "starter kit", "quest reward"];
  for (let step = 0; step < 120; step++) {
    const player = players[Math.floor(rand() * players.length)]!;
    const asset = rand() < 0.6 ? CURRENCY : ore;
    const actor = actors[Math.floor(rand() * actors.length)]!;
    const reason = reasons[Math.floor(rand() * reasons.length)];
    const amount = 1 + Math.floor(rand() * 1_000);
    const source = sourceOf({ type: "", actor, createdAt: "", payload: { reason } });
    const roll = rand();
    if (roll < 0.6) {
      await withTx(t.db, (tx) => ledger.mint(tx, { actor }, { playerId: player, asset, amount, reason }));
      add(asset, source, "minted", amount);
    } else if (roll < 0.8) {
      const burnt = await withTx(t.db, (tx) => ledger.burn(tx, { actor }, { playerId: player, asset, amount: 1 + Math.floor(amount / 10), reason })).then(() => true, () => false);
      if (burnt) add(asset, source, "burned", 1 + Math.floor(amount / 10));
    } else {
      // A market's fee: the player pays, nobody receives, the currency's supply shrinks.
      const fee = 1 + Math.floor(amount / 100);
      const paid = await withTx(t.db, (tx) => ledger.record(tx, { actor: "room:ore-market" }, {
        stream: "market:ore-market", type: "order_placed", postings: [{ player, asset: CURRENCY, available: -fee, reserved: 0 }], supply: [{ asset: CURRENCY, sunk: fee }],
      })).then(() => true, () => false);
      if (paid) add(CURRENCY, "fees:ore-market", "sunk", fee);
    }
    if (rand() < 0.1) {
      // Two at once on Postgres; in-process PGlite would run one inside the other's transaction.
      if (testDbTarget() === "postgres") await Promise.all([runConsumer(t.db, flowsConsumer, 7), runConsumer(t.db, flowsConsumer, 7)]);
      else await runConsumer(t.db, flowsConsumer, 7);
    }
  }
  // Caught up (what other files' open transactions hold back shows up once they end).
  const total = (flows: Awaited<ReturnType<typeof readFlows>>) => flows.reduce((s, f) => s + f.minted + f.burned + f.sunk, 0);
  const want = [...expected.values()].reduce((s, e) => s + e.minted + e.burned + e.sunk, 0);
  for (const end = Date.now() + 60_000; Date.now() < end && total(await readFlows(t.db)) !== want; ) await runConsumer(t.db, flowsConsumer);

  const summed = (flows: Awaited<ReturnType<typeof readFlows>>) => {
    const m = new Map<string, { minted: number; burned: number; sunk: number }>();
    for (const f of flows) {
      const e = m.get(`${f.asset}|${f.source}`) ?? { minted: 0, burned: 0, sunk: 0 };
      m.set(`${f.asset}|${f.source}`, { minted: e.minted + f.minted, burned: e.burned + f.burned, sunk: e.sunk + f.sunk });
    }
    return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
  };
  const live = await readFlows(t.db);
  expect(summed(live)).toEqual(Object.fromEntries([...expected].sort(([a], [b]) => (a < b ? -1 : 1))));
  expect(expected.size).toBeGreaterThan(10);

  await rebuild(t.db, flowsConsumer);
  expect(await readFlows(t.db)).toEqual(live);

  // Money supply from the projection = what players hold (check:ledger).
  const report = await checkLedger(t.db);
  const currency = report.assets.find((a) => a.asset === CURRENCY)!;
  const supply = live.filter((f) => f.asset === CURRENCY).reduce((s, f) => s + f.minted - f.burned - f.sunk, 0);
  expect(BigInt(supply)).toBe(currency.held);
  // The API's reading: today's money supply is the same figure; the sources add up.
  const summary = await readEconomyFlows(t.db, "all");
  expect(summary.days.at(-1)!.moneySupply).toBe(supply);
  expect(summary.sources.reduce((s, f) => s + f.minted + f.burned + f.sunk, 0)).toBe(want);
  expect(summary.asOf).not.toBeNull();
}, 120_000);
