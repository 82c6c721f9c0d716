/**
 * A player's timeline for operators (db/operators/timeline.ts): balances over time summed from the
 * events' postings meet the balances and holdings tables exactly after real trades, mints and
 * transfers; linked accounts find a shared browser and the most frequent counterparties; sessions
 * list where each was opened and never carry a token.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { balanceHistory, linkedAccounts, sessionHistory } from "../../db/operators/timeline";
import { openSession } from "../../edge/auth/sessions.server";
import { recordSessionDevice } from "../../db/security/sessions";
import { MarketSession } from "../../party/market/session";
import type { MarketCommand } from "../../party/settlement/types";
import { indexAllEvents } from "../support/audit-index";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { addPlayer } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 6 });
});
afterAll(async () => t?.close());

const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number): MarketCommand => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity,
});

describe(`a player's timeline on ${process.env.TEST_DB ?? "pglite"}`, () => {
  let a: string;
  let b: string;
  let c: string;
  let itemTypeId: number;

  beforeAll(async () => {
    const m = await addMarket(t.db, { makerBps: 100, takerBps: 200 });
    itemTypeId = m.itemTypeId;
    [a, b, c] = [await fundedTrader(t.db, [itemTypeId], 5_000_000, 100), await fundedTrader(t.db, [itemTypeId], 5_000_000, 100), await fundedTrader(t.db, [itemTypeId], 5_000_000, 100)];
    const s = (await MarketSession.open(() => t.db, m.slug))!;
    // a trades with b five times and with c once; one of a's orders stays open (reserved gold).
    for (let i = 0; i < 6; i++) {
      const other = i < 5 ? b : c;
      expect((await s.submit(place(a, "sell", 1_000 + i, 2 + i))).ok).toBe(true);
      expect((await s.submit(place(other, "buy", 1_000 + i, 2 + i))).fills).toHaveLength(1);
    }
    expect((await s.submit(place(a, "buy", 500, 7))).ok).toBe(true);
    await withTx(t.db, (tx) => ledger.transfer(tx, { actor: `player:${a}` }, { from: a, to: c, asset: ledger.CURRENCY, amount: 12_345 }));
    await indexAllEvents(t.db);
  });

  it("sums the postings to the balance and holding the tables hold, day by day", async () => {
    const history = await balanceHistory(t.db, a);
    const gold = history.series.find((x) => x.asset === ledger.CURRENCY)!;
    const item = history.series.find((x) => x.asset === itemTypeId)!;
    const w = await wallet(t.db, a, itemTypeId);
    expect(gold.name).toBe("gold");
    expect(gold.points.at(-1)!.balance).toBe(w.copper + w.copperReserved);
    expect(item.points.at(-1)!.balance).toBe(w.items + w.itemsReserved);
    expect(item.points.at(-1)!.balance).toBe(100 - (2 + 3 + 4 + 5 + 6 + 7));
    expect(history.through).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("gives one point per day the balance changed, a running sum", async () => {
    const fresh = await addPlayer(t.db);
    for (const [day, amount] of [["2026-03-01", 100], ["2026-03-01", 50], ["2026-03-04", 25]] as const) {
      await withTx(t.db, (tx) => ledger.mint(tx, { actor: "test" }, { playerId: fresh, asset: ledger.CURRENCY, amount }));
      // Events are append-only; the index row's time is what the history groups by, so move the event's there.
      await t.db.execute(sql`alter table events disable trigger events_no_update_delete`);
      await t.db.execute(sql`update events set created_at = ${`${day}T12:00:00Z`}::timestamptz where id = (select max(id) from events)`);
      await t.db.execute(sql`alter table events enable trigger events_no_update_delete`);
    }
    await indexAllEvents(t.db);
    const gold = (await balanceHistory(t.db, fresh)).series.find((x) => x.asset === ledger.CURRENCY)!;
    expect(gold.points).toEqual([{ day: "2026-03-01", balance: 150 }, { day: "2026-03-04", balance: 175 }]);
    expect((await balanceHistory(t.db, await addPlayer(t.db))).series).toEqual([]);
  });

  it("links the players trading with a most, and those signing in from a's browser", async () => {
    const linked = await linkedAccounts(t.db, a);
    const withB = linked.find((l) => l.playerId === b)!;
    const withC = linked.find((l) => l.playerId === c)!;
    expect(withB).toMatchObject({ trades: 5, sharedDevices: 0, tradedValue: [0, 1, 2, 3, 4].reduce((v, i) => v + (1_000 + i) * (2 + i), 0) });
    expect(withC).toMatchObject({ trades: 1, tradedValue: 1_005 * 7 });
    expect(linked.indexOf(withB)).toBeLessThan(linked.indexOf(withC));

    // d signs in from a's browser (same device cookie digest) twice; e from another browser.
    const [d, e] = [await addPlayer(t.db), await addPlayer(t.db)];
    const device = async (player: string, key: string | null) => {
      const s = await openSession(t.db, player, "web");
      await recordSessionDevice(t.db, { sessionId: s.id, playerId: player, device: "Chrome on Android", place: null, deviceKey: key });
    };
    await device(a, "k-shared");
    await device(d, "k-shared");
    await device(d, "k-shared");
    await device(e, "k-other");
    await device(a, null);
    const again = await linkedAccounts(t.db, a);
    expect(again[0]).toMatchObject({ playerId: d, sharedDevices: 1, trades: 0 });
    expect(again.some((l) => l.playerId === e)).toBe(false);
    expect(again.some((l) => l.playerId === a)).toBe(false);
  });

  it("lists sessions and tokens with device and times, never a token", async () => {
    const p = await addPlayer(t.db);
    const web = await openSession(t.db, p, "web");
    await recordSessionDevice(t.db, { sessionId: web.id, playerId: p, device: "Safari on iOS", place: "Oslo, NO", deviceKey: "k1" });
    await openSession(t.db, p, "api");
    const list = await sessionHistory(t.db, p);
    expect(list).toHaveLength(2);
    expect(list.find((s) => s.kind === "web")).toMatchObject({ device: "Safari on iOS", place: "Oslo, NO", revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(web.token);
    expect(JSON.stringify(list)).not.toContain(web.id);
  });
});
