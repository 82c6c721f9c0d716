/**
 * The fraud rules as a feed consumer on PGlite and on the real Postgres: real market trades through
 * the market session, the consumer run over the feed, the flags in fraud_flags with their
 * explanation; a second run adds nothing.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { rebuild, runConsumer } from "../../db/consumers/run";
import { ECONOMY_CONSUMERS } from "../../db/economy/consumers";
import { fraudConsumer } from "../../db/fraud/consumer";
import { defaultFraudConfig } from "../../db/fraud/rules";
import { recordSessionDevice } from "../../db/security/sessions";
import { openSession } from "../../edge/auth/sessions.server";
import { MarketSession } from "../../party/market/session";
import type { MarketCommand } from "../../party/settlement/types";
import { openTestDb, type TestDb } from "../support/db";
import { addMarket, fundedTrader } from "../support/market";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 4 });
});
afterAll(async () => t?.close());

const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number): MarketCommand => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity,
});

describe(`fraud flags consumer on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("flags a real-money price and a pair trading back and forth, once", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const [a, b, c] = [await fundedTrader(t.db, [m.itemTypeId], 100_000, 100), await fundedTrader(t.db, [m.itemTypeId], 100_000, 100), await fundedTrader(t.db, [m.itemTypeId], 100_000, 100)];
    const s = (await MarketSession.open(() => t.db, m.slug))!;
    const trade = async (seller: string, buyer: string, price: number) => {
      expect((await s.submit(place(seller, "sell", price, 1))).ok).toBe(true);
      expect((await s.submit(place(buyer, "buy", price, 1))).fills).toHaveLength(1);
    };
    for (let i = 0; i < 3; i++) await trade(a, b, 100 + i);
    for (let i = 0; i < 3; i++) await trade(b, a, 100 + i);
    await trade(c, a, 1_000); // 10x the median of the six before
    const [last] = await rows<{ id: string }>(t.db, sql`select id::text as id from fills where market_slug = ${m.slug} order by id desc limit 1`);
    const config = { ...defaultFraudConfig, velocityMinValue: 10_000_000, newAccountMinValue: 10_000_000 };
    await runConsumer(t.db, fraudConsumer(config));
    const flags = await rows<{ rule: string; explanation: string; subject: string }>(t.db, sql`
      select rule, explanation, subject from fraud_flags where ${a}::uuid = any(players) order by created_at, rule`);
    // The wash flag comes with the sixth trade (b sold back to a for the third time); the outlier with the seventh.
    expect(flags.sort((x, y) => (x.rule < y.rule ? 1 : -1))).toEqual([
      { rule: "wash_trading", subject: `fill:${Number(last!.id) - 1}`, explanation: `${b} and ${a} traded back and forth 3 times each way in the window.` },
      { rule: "price_outlier", subject: `fill:${last!.id}`, explanation: `Fill ${last!.id} at 1000 copper is 9.9x of the 24 h median 101 (6 trades).` },
    ]);
    const before = (await rows(t.db, sql`select 1 from fraud_flags`)).length;
    await t.db.execute(sql`delete from consumer_cursors where name = 'fraud_flags'`);
    await runConsumer(t.db, fraudConsumer(config));
    expect((await rows(t.db, sql`select 1 from fraud_flags`)).length).toBe(before);
  });

  it("keeps its open flags (the same rows) through a rebuild of the economy consumers and of its own", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const [a, b] = [await fundedTrader(t.db, [m.itemTypeId], 100_000, 100), await fundedTrader(t.db, [m.itemTypeId], 100_000, 100)];
    const s = (await MarketSession.open(() => t.db, m.slug))!;
    for (const [seller, buyer] of [[a, b], [a, b], [a, b], [b, a], [b, a], [b, a]] as const) {
      expect((await s.submit(place(seller, "sell", 100, 1))).ok).toBe(true);
      expect((await s.submit(place(buyer, "buy", 100, 1))).fills).toHaveLength(1);
    }
    const config = { ...defaultFraudConfig, velocityMinValue: 10_000_000, newAccountMinValue: 10_000_000 };
    const fraud = fraudConsumer(config);
    await runConsumer(t.db, fraud);
    const mine = async () => rows<{ id: string; rule: string; status: string }>(t.db, sql`
      select id::text as id, rule, status from fraud_flags where ${a}::uuid = any(players) order by id`);
    const flags = await mine();
    expect(flags.map((f) => f.rule)).toEqual(["wash_trading"]);
    const [{ n: total }] = (await rows<{ n: string }>(t.db, sql`select count(*)::text as n from fraud_flags`)) as [{ n: string }];
    for (const c of ECONOMY_CONSUMERS) await rebuild(t.db, c);
    expect(await mine()).toEqual([{ ...flags[0]!, status: "open" }]); // the same row: not deleted and made again
    await rebuild(t.db, fraud);
    expect(await mine()).toEqual([{ ...flags[0]!, status: "open" }]); // the same row: not deleted and made again
    expect((await rows<{ n: string }>(t.db, sql`select count(*)::text as n from fraud_flags`))[0]!.n).toBe(total);
    const [cursor] = await rows<{ name: string }>(t.db, sql`select name from consumer_cursors where name = 'fraud_flags'`);
    expect(cursor?.name).toBe("fraud_flags");
  });

  it("flags many accounts behind one device trading with one player, once a day, from session_devices", async () => {
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const boss = await fundedTrader(t.db, [m.itemTypeId], 1_000_000, 100);
    const alts = [await fundedTrader(t.db, [m.itemTypeId], 100_000, 100), await fundedTrader(t.db, [m.itemTypeId], 100_000, 100), await fundedTrader(t.db, [m.itemTypeId], 100_000, 100)];
    const stranger = await fundedTrader(t.db, [m.itemTypeId], 100_000, 100);
    const phone = `dev-${crypto.randomUUID()}`;
    const signIn = async (player: string, deviceKey: string) => {
      const s = await openSession(t.db, player, "web");
      await recordSessionDevice(t.db, { sessionId: s.id, playerId: player, device: "Chrome on Android", place: null, deviceKey });
    };
    for (const p of [boss, ...alts]) await signIn(p, phone);
    await signIn(stranger, `dev-${crypto.randomUUID()}`);
    const s = (await MarketSession.open(() => t.db, m.slug))!;
    const sell = async (seller: string, price: number) => {
      expect((await s.submit(place(seller, "sell", price, 1))).ok).toBe(true);
      expect((await s.submit(place(boss, "buy", price, 1))).fills).toHaveLength(1);
    };
    // The stranger's trade with the boss shares no device: never part of the flag.
    await sell(stranger, 50_000);
    await sell(alts[0]!, 60_000);
    await sell(alts[1]!, 60_000);
    const config = { ...defaultFraudConfig, velocityMinValue: 1e12, newAccountMinValue: 1e12, funnelMinAccounts: 3, funnelMinValue: 150_000 };
    await runConsumer(t.db, fraudConsumer(config));
    const funnel = () => rows<{ players: string[]; explanation: string; subject: string }>(t.db, sql`
      select players::text[] as players, explanation, subject from fraud_flags where rule = 'shared_device_funnel' and ${boss}::uuid = any(players)`);
    expect(await funnel()).toEqual([]); // two accounts so far: under the rule's three
    await sell(alts[2]!, 60_000);
    await sell(alts[0]!, 10_000);
    await runConsumer(t.db, fraudConsumer(config));
    const flags = await funnel();
    expect(flags).toHaveLength(1); // the fourth trade crossed the line; the fifth, same day, adds nothing
    expect(flags[0]!.players).toEqual([boss, ...[...alts].sort()]);
    expect(flags[0]!.explanation).toBe(`3 accounts behind one device (${phone.slice(0, 8)}) moved 180000 copper of value to ${boss}.`);
    expect(flags[0]!.subject).toMatch(new RegExp(`^device:${phone.slice(0, 16)}:${boss}:\\d{4}-\\d\\d-\\d\\d$`));
  });
});
