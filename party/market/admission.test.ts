import { describe, expect, it } from "vitest";
import type { MarketCommand } from "../settlement/types";
import { Admission, mayBeRefused } from "./admission";

const playerId = "00000000-0000-4000-8000-000000000001";
const orderId = "00000000-0000-4000-8000-000000000002";
const commands: Record<MarketCommand["type"], MarketCommand> = {
  place: { type: "place", playerId, clientOrderId: "c1", side: "buy", orderType: "limit", price: 10, quantity: 1 },
  amend: { type: "amend", playerId, orderId, quantity: 2 },
  cancel: { type: "cancel", playerId, orderId },
  cancelAll: { type: "cancelAll", playerId },
  expire: { type: "expire", now: 1 },
};

describe("a room's admission of new orders (ADR 048)", () => {
  const a = new Admission(5_000, 1_000);

  it("takes everything while the queue is short and young", () => {
    for (const c of Object.values(commands)) {
      expect(a.refuses(c, 0, undefined, 100_000)).toBe(false);
      expect(a.refuses(c, 999, 95_001, 100_000)).toBe(false);
    }
  });

  it("refuses places and amends once the oldest queued command has waited the limit", () => {
    expect(a.refuses(commands.place, 1, 95_000, 100_000)).toBe(true);
    expect(a.refuses(commands.amend, 1, 90_000, 100_000)).toBe(true);
    expect(a.refuses(commands.place, 1, 95_001, 100_000)).toBe(false);
  });

  it("refuses places and amends once the queue holds the most commands, whatever their age", () => {
    expect(a.refuses(commands.place, 1_000, 100_000, 100_000)).toBe(true);
    expect(a.refuses(commands.amend, 5_000, 100_000, 100_000)).toBe(true);
  });

  it("never refuses a cancel, a cancel-all or an expiry: a trader can always take orders off the book", () => {
    for (const type of ["cancel", "cancelAll", "expire"] as const) {
      expect(mayBeRefused(commands[type])).toBe(false);
      expect(a.refuses(commands[type], 1_000_000, 0, 100_000)).toBe(false);
    }
    expect(mayBeRefused(commands.place) && mayBeRefused(commands.amend)).toBe(true);
  });
});
