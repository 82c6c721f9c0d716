/**
 * The fraud rules, one scripted scenario each with the explanation expected, and a normal
 * randomized market storm of 20 players that must raise no flag (false-positive rate over seeds).
 */
import { describe, expect, it } from "vitest";
import { prng } from "../../tests/support/world";
import { defaultFraudConfig as c, newAccountValue, priceOutlier, sharedDeviceFunnel, velocity, washTrading, type Flag, type Trade } from "./rules";

const HOUR = 3_600_000;
let id = 0;
const trade = (seller: string, buyer: string, price = 100, quantity = 1, at = 0): Trade => ({ fillId: ++id, asset: 7, seller, buyer, price, quantity, at });

describe("fraud rules", () => {
  it("wash trading: the same two players back and forth", () => {
    const window = [1, 2, 3].flatMap(() => [trade("ann", "bob"), trade("bob", "ann")]);
    expect(washTrading(window.at(-1)!, window, c)).toEqual({
      rule: "wash_trading", score: 60, players: ["ann", "bob"], explanation: "bob and ann traded back and forth 3 times each way in the window.",
    });
    expect(washTrading(window[0]!, window.slice(0, 4), c)).toBeNull();
  });

  it("wash trading: a circular flow among three", () => {
    const window = [1, 2, 3].flatMap(() => [trade("ann", "bob"), trade("bob", "cat"), trade("cat", "ann")]);
    expect(washTrading(window[0]!, window, c)).toMatchObject({
      rule: "wash_trading", players: ["ann", "bob", "cat"], explanation: "Items went round ann -> bob -> cat -> ann 3 times in the window (a circular flow).",
    });
  });

  it("price far from the 24 h median: 5x or 1/5", () => {
    expect(priceOutlier(trade("ann", "bob", 5_000), 1_000, 40, c)).toEqual({
      rule: "price_outlier", score: 50, players: ["ann", "bob"], explanation: `Fill ${id} at 5000 copper is 5x of the 24 h median 1000 (40 trades).`,
    });
    expect(priceOutlier(trade("ann", "bob", 200), 1_000, 40, c)?.explanation).toBe(`Fill ${id} at 200 copper is 1/5 of the 24 h median 1000 (40 trades).`);
    expect(priceOutlier(trade("ann", "bob", 4_999), 1_000, 40, c)).toBeNull();
    expect(priceOutlier(trade("ann", "bob", 9_000), 1_000, 2, c)).toBeNull(); // too few trades behind the median
  });

  it("sudden velocity against the player's own history", () => {
    expect(velocity("ann", 2_000_000, 50_000, c)).toEqual({ rule: "velocity", score: 100, players: ["ann"], explanation: "ann traded 2000000 copper in the last hour, 40x their average hour (50000)." });
    expect(velocity("ann", 2_000_000, 0, c)?.explanation).toBe("ann traded 2000000 copper in the last hour, with no trading before.");
    expect(velocity("ann", 400_000, 1_000, c)).toBeNull(); // under the minimum value
    expect(velocity("ann", 2_000_000, 300_000, c)).toBeNull(); // 6.7x: within their habits
  });

  it("a new account receiving large value", () => {
    expect(newAccountValue("kid", 7_200, 1_000_000, c)).toEqual({ rule: "new_account_value", score: 80, players: ["kid"], explanation: "kid, an account 2 h old, received 1000000 copper of value in the window." });
    expect(newAccountValue("kid", 90_000, 1_000_000, c)).toBeNull();
  });

  it("many accounts behind one device moving value to one", () => {
    const senders = [{ player: "m1", sent: 200_000 }, { player: "m2", sent: 200_000 }, { player: "m3", sent: 200_000 }];
    expect(sharedDeviceFunnel("boss", "a1b2c3d4e5f6", senders, c)).toEqual({
      rule: "shared_device_funnel", score: 60, players: ["boss", "m1", "m2", "m3"], explanation: "3 accounts behind one device (a1b2c3d4) moved 600000 copper of value to boss.",
    });
    expect(sharedDeviceFunnel("boss", "a1b2c3d4e5f6", senders.slice(0, 2), c)).toBeNull();
  });

  it("a normal randomized market storm of 20 players raises no flag (false-positive rate over 10 seeds)", () => {
    let flags: Flag[] = [];
    let trades = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = prng(seed);
      const players = Array.from({ length: 20 }, (_, i) => `p${i}`);
      const born = new Map(players.map((p) => [p, 10 * 86_400 + Math.floor(r() * 30 * 86_400)]));
      let reference = 1_000;
      const all: Trade[] = [];
      for (let i = 0; i < 500; i++) {
        const at = Math.floor((i / 500) * 24 * HOUR);
        reference = Math.max(100, Math.round(reference * (1 + (r() - 0.5) * 0.02)));
        const seller = players[Math.floor(r() * 20)]!;
        let buyer = players[Math.floor(r() * 20)]!;
        if (buyer === seller) buyer = players[(players.indexOf(seller) + 1) % 20]!;
        const t = trade(seller, buyer, Math.max(1, Math.round(reference * (0.9 + r() * 0.2))), 1 + Math.floor(r() * 20), at);
        const lastDay = all.filter((x) => x.at > at - 24 * HOUR);
        const prices = lastDay.map((x) => x.price).sort((a, b) => a - b);
        const median = prices.length ? prices[Math.floor(prices.length / 2)]! : null;
        const hour = all.filter((x) => x.at > at - HOUR);
        const traded = (p: string, xs: Trade[]) => xs.filter((x) => x.seller === p || x.buyer === p).reduce((n, x) => n + x.price * x.quantity, 0);
        const found = [
          washTrading(t, [...hour, t], c),
          priceOutlier(t, median, prices.length, c),
          velocity(t.buyer, traded(t.buyer, [...hour, t]), traded(t.buyer, lastDay) / 24, c),
          newAccountValue(t.buyer, born.get(t.buyer)!, traded(t.buyer, [...hour, t]), c),
        ].filter((f): f is Flag => f !== null);
        flags = flags.concat(found);
        all.push(t);
        trades++;
      }
    }
    console.info(`market storm: ${flags.length} flags over ${trades} trades (10 seeds): false-positive rate ${(flags.length / trades) * 100}%`);
    expect(flags).toEqual([]);
  });
});
