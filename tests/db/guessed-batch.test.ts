/**
 * A market batch planned on the room's remembered wallets and settled in one statement (ADR 042),
 * on PGlite and on the real Postgres: it settles when the wallets hold amounts for which the plan is
 * the same, and otherwise changes nothing and is planned again on a locked read, with the answers a
 * read would have given from the start. Wallets are changed behind the room's back by the ledger
 * (as offers and game servers do), freezes, trading limits, retried client order ids, and a lost
 * answer from the one statement.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { rows, useNamedStatements, withTx, type Db } from "../../db/db";
import * as ledger from "../../db/ledger";
import { CURRENCY } from "../../db/ledger";
import { freezePlayer } from "../../db/game-servers/freeze";
import { setTradingLimits } from "../../db/limits/trading-limits";
import { MarketSession } from "../../party/market/session";
import { RoomCode } from "../../party/settlement/codes";
import type { MarketCommand } from "../../party/settlement/types";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { addPlayer } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 20 });
});
afterAll(async () => t?.close());

type Place = Extract<MarketCommand, { type: "place" }>;
const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number, extra: Partial<Place> = {}): Place => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity, ...extra,
});

async function ledgerOk() {
  const report = await checkLedger(t.db);
  expect(report.problems).toEqual([]);
}

/** Moves copper between two players outside any market (as an offer or a game server would). */
async function move(from: string, to: string, amount: number) {
  await withTx(t.db, (tx) => ledger.transfer(tx, { actor: "test" }, { from, to, asset: CURRENCY, amount }));
}

/** A market and two traders whose wallets the room has seen (one batch each, planned on a read). */
async function warmRoom() {
  const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
  const [seller, buyer] = [await fundedTrader(t.db, [m.itemTypeId], 10_000, 100), await fundedTrader(t.db, [m.itemTypeId], 10_000, 100)];
  const session = (await MarketSession.open(() => t.db, m.slug))!;
  expect((await session.submit(place(seller, "sell", 100, 1))).ok).toBe(true);
  expect((await session.submit(place(buyer, "buy", 50, 1))).ok).toBe(true);
  return { m, seller, buyer, session };
}

// The batch's one statement is prepared on the wire (named statements) or inside the backend
// (bazaar_prepared, ADR 047: the embedded stack, and poolers that cannot carry names).
describe.each(["protocol", "server"] as const)(`market batches settled in one statement on ${process.env.TEST_DB ?? "pglite"}, prepared by %s`, (preparing) => {
  beforeAll(() => useNamedStatements(preparing));
  afterAll(() => useNamedStatements("protocol"));

    it("a warm room settles its batches in one statement, exactly as a read would have", async () => {
      const { m, seller, buyer, session } = await warmRoom();
      const before = session.guessed;
      const answers = await session.submitMany([place(buyer, "buy", 100, 1), place(seller, "sell", 90, 2), place(buyer, "buy", 95, 3)]);
      expect(answers.map((a) => [a.ok, a.order?.status, a.order?.filled])).toEqual([[true, "filled", 1], [true, "open", 0], [true, "open", 2]]);
      expect(session.guessed).toBe(before + 1);
      expect(session.guessMisses).toBe(0);
      // The seller sold 1 at 100 (the buyer took the ask) and 2 at 90 (the buyer's 95 took the resting 90 ask, at the maker's price).
      expect(await wallet(t.db, seller, m.itemTypeId)).toMatchObject({ copper: 10_000 + 100 + 2 * 90, items: 97, itemsReserved: 0 });
      // The buyer paid 100 + 180, and holds back 50 (the warm-up's bid) and 95 (one left of the 95 bid).
      expect(await wallet(t.db, buyer, m.itemTypeId)).toMatchObject({ copper: 10_000 - 100 - 180 - 50 - 95, copperReserved: 50 + 95, items: 103 });
      await ledgerOk();
    });

    it("a wallet changed elsewhere, inside the plan's range, still settles in one statement, and the room learns its amount", async () => {
      const { m, buyer, session } = await warmRoom();
      const other = await fundedTrader(t.db, [], 5_000, 0);
      await move(other, buyer, 1_000); // the room still remembers 10,000 - 50
      await move(buyer, other, 500);
      const misses = session.guessMisses;
      const a = await session.submit(place(buyer, "buy", 10, 900)); // needs 9,000: fits both the remembered and the real amount
      expect(a.ok).toBe(true);
      expect(session.guessMisses).toBe(misses);
      // Learned: the buyer holds 10,000 - 50 + 500 - 9,000 = 1,450; 1,400 fits, 1,500 does not.
      const fits = await session.submit(place(buyer, "buy", 1, 1_400));
      const short = await session.submit(place(buyer, "buy", 1, 100));
      expect([fits.ok, short.ok, short.code]).toEqual([true, false, RoomCode.INSUFFICIENT_FUNDS]);
      expect(session.guessMisses).toBe(misses);
      expect(await wallet(t.db, buyer, m.itemTypeId)).toMatchObject({ copper: 0 + 50, copperReserved: 50 + 9_000 + 1_400 });
      await ledgerOk();
    });

    it("a wallet drained elsewhere below what the plan needs: nothing of the guess stays, and the read's answer is given", async () => {
      const { m, buyer, session } = await warmRoom();
      const other = await addPlayer(t.db);
      await move(buyer, other, 9_000); // the room remembers 9,950; the buyer holds 950
      const misses = session.guessMisses;
      const a = await session.submit(place(buyer, "buy", 10, 100)); // 1,000
      expect([a.ok, a.code]).toEqual([false, RoomCode.INSUFFICIENT_FUNDS]);
      expect(session.guessMisses).toBe(misses + 1);
      expect(await wallet(t.db, buyer, m.itemTypeId)).toMatchObject({ copper: 950, copperReserved: 50 });
      const [n] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from orders where player_id = ${buyer} and status <> 'rejected'`);
      expect(n!.n).toBe(1); // the warm-up's bid only
      await ledgerOk();
    });

    it("a refusal made on a remembered low amount is not kept: a player funded elsewhere gets the order", async () => {
      const { m, buyer, session } = await warmRoom();
      const other = await fundedTrader(t.db, [], 50_000, 0);
      await move(other, buyer, 40_000); // the room remembers 9,950
      const misses = session.guessMisses;
      const a = await session.submit(place(buyer, "buy", 10, 2_000)); // 20,000
      expect(a.ok).toBe(true);
      expect(session.guessMisses).toBe(misses + 1);
      expect(await wallet(t.db, buyer, m.itemTypeId)).toMatchObject({ copper: 49_950 - 20_000, copperReserved: 20_050 });
      await ledgerOk();
    });

    it("a wallet frozen after the room saw it: the place is refused ACCOUNT_FROZEN, and a cancel still goes through", async () => {
      const { buyer, session } = await warmRoom();
      const resting = await session.submit(place(buyer, "buy", 40, 1));
      await withTx(t.db, (tx) => freezePlayer(tx, { actor: "test" }, { playerId: buyer, reason: "test" }));
      const a = await session.submit(place(buyer, "buy", 10, 1));
      expect([a.ok, a.code]).toEqual([false, RoomCode.ACCOUNT_FROZEN]);
      const c = await session.submit({ type: "cancel", playerId: buyer, orderId: resting.order!.id });
      expect(c).toMatchObject({ ok: true, canceled: [resting.order!.id] });
      await ledgerOk();
    });

    it("trading limits set after the room saw none: the next batch reads them and keeps them", async () => {
      const { m, buyer, session } = await warmRoom();
      const [item] = await rows<{ slug: string }>(t.db, sql`select slug from item_types where id = ${m.itemTypeId}`);
      const set = await setTradingLimits(t.db, item!.slug, { buyLimit: 2, buyWindowSeconds: 3_600, minAccountAgeSeconds: null, newAccountMaxOrderValue: null, newAccountAgeSeconds: null }, "test");
      expect(set.ok).toBe(true);
      const seller = await fundedTrader(t.db, [m.itemTypeId], 1_000, 10);
      await session.submit(place(seller, "sell", 60, 5)); // a read (a new player), which finds the limits
      const guessed = session.guessed;
      const a = await session.submit(place(buyer, "buy", 60, 3));
      expect(a.ok).toBe(false);
      expect(session.guessed).toBe(guessed); // a market with limits is always read first
    });

    it("a retried client order id in a later batch gets its first answer, once", async () => {
      const { m, buyer, session } = await warmRoom();
      const first = place(buyer, "buy", 20, 2);
      const a = await session.submit(first);
      const misses = session.guessMisses;
      const again = await session.submit({ ...first });
      expect(again).toMatchObject({ ok: true, replayed: true, order: { id: a.order!.id } });
      expect(session.guessMisses).toBe(misses + 1); // the guessed statement hit the (player, client order id) key
      const [n] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from orders where player_id = ${buyer} and client_order_id = ${first.clientOrderId}`);
      expect(n!.n).toBe(1);
      expect(await wallet(t.db, buyer, m.itemTypeId)).toMatchObject({ copperReserved: 50 + 40 });
      await ledgerOk();
    });

    it("a one-statement batch whose answer is lost: the room reloads, and nothing is done twice", async () => {
      const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
      const [seller, buyer] = [await fundedTrader(t.db, [m.itemTypeId], 10_000, 100), await fundedTrader(t.db, [m.itemTypeId], 10_000, 100)];
      // The statement runs and commits; then the room is told it failed (a connection lost after COMMIT).
      let loseNext = false;
      const lose = async <T>(run: () => Promise<T>): Promise<T> => {
        const out = await run();
        if (loseNext) {
          loseNext = false;
          throw new Error("injected: connection lost after the statement");
        }
        return out;
      };
      // Outside a transaction the batch's statement goes through db.execute (PGlite) or the session's
      // prepared query (node-postgres, db/db.ts rowsPrepared).
      type Prepared = { execute(): Promise<unknown> };
      type Session = { prepareQuery(...a: unknown[]): Prepared };
      const lossy = new Proxy(t.db, {
        get(target, prop) {
          if (prop === "execute") return (...args: unknown[]) => lose(() => (target.execute as (...a: unknown[]) => Promise<unknown>).apply(target, args));
          if (prop === "session") {
            const session = Reflect.get(target, prop) as Session;
            return new Proxy(session, {
              get(s, q) {
                if (q !== "prepareQuery") return Reflect.get(s, q);
                return (...a: unknown[]) => {
                  const prepared = s.prepareQuery(...a);
                  return { execute: () => lose(() => prepared.execute()) };
                };
              },
            });
          }
          return Reflect.get(target, prop);
        },
      }) as Db;
      const session = (await MarketSession.open(() => lossy, m.slug))!;
      await session.submit(place(seller, "sell", 100, 5));
      await session.submit(place(buyer, "buy", 1, 1));
      loseNext = true;
      const buy = place(buyer, "buy", 100, 3);
      const a = await session.submit(buy);
      expect(session.guessMisses).toBe(1);
      expect(a).toMatchObject({ ok: true, replayed: true, order: { filled: 3 } });
      expect(await wallet(t.db, buyer, m.itemTypeId)).toMatchObject({ copper: 10_000 - 1 - 300, items: 103 });
      expect(await wallet(t.db, seller, m.itemTypeId)).toMatchObject({ copper: 10_300, items: 95, itemsReserved: 2 });
      const [f] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from fills where market_slug = ${m.slug}`);
      expect(f!.n).toBe(1);
      await ledgerOk();
    });
});
