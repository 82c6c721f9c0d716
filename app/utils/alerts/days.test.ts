import { describe, expect, it } from "vitest";
import { groupByDay } from "./days";

describe("alerts grouped by day", () => {
  it("groups newest first by the player's local day, with Today and Yesterday", () => {
    const now = Date.parse("2026-12-04T10:00:00Z");
    const alerts = ["2026-12-04T09:30:00Z", "2026-12-04T00:30:00Z", "2026-12-03T23:30:00Z", "2026-12-01T12:00:00Z"].map((createdAt) => ({ createdAt }));
    const utc = groupByDay(alerts, "UTC", now);
    expect(utc.map((g) => [g.label, g.alerts.map((a) => a.time)])).toEqual([
      ["Today", ["09:30", "00:30"]],
      ["Yesterday", ["23:30"]],
      ["Tue, 1 Dec 2026", ["12:00"]],
    ]);
    // In New York (UTC-5) 00:30Z and 23:30Z are both on the 3rd, 19:30 and 18:30 local.
    const ny = groupByDay(alerts, "America/New_York", now);
    expect(ny.map((g) => [g.label, g.alerts.length])).toEqual([["Today", 1], ["Yesterday", 2], ["Tue, 1 Dec 2026", 1]]);
  });
});
