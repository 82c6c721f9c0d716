import { describe, expect, it } from "vitest";
import { TickMark, tickLabel } from "./tick-labels";

const at = (iso: string) => Date.parse(iso) / 1000;

describe("the chart's time-axis labels", () => {
  it.each([
    ["2026-01-01T00:00:00Z", TickMark.Year, "2026"],
    ["2026-12-01T00:00:00Z", TickMark.Month, "Dec"],
    ["2026-02-01T00:00:00Z", TickMark.Month, "Feb"],
    ["2026-12-05T00:00:00Z", TickMark.DayOfMonth, "5"],
    ["2026-12-31T23:59:59Z", TickMark.DayOfMonth, "31"],
    ["2026-12-05T00:00:00Z", TickMark.Time, "00:00"],
    ["2026-12-05T09:05:00Z", TickMark.Time, "09:05"],
    ["2026-12-05T23:55:00Z", TickMark.Time, "23:55"],
    ["2026-12-05T09:05:07Z", TickMark.TimeWithSeconds, "09:05:07"],
  ])("%s as mark %i reads %s (UTC wall time, whatever the machine's zone)", (iso, type, label) => {
    expect(tickLabel(at(iso), type)).toBe(label);
  });

  it("agree with the library's default (UTC wall time, en-US) but in the midnight hour, where it says 24:05 (Node 20, Chromium 156)", () => {
    const library = (time: number, options: Intl.DateTimeFormatOptions) => new Date(time * 1000).toLocaleString("en-US", { ...options, timeZone: "UTC" });
    for (let t = at("2026-12-05T01:05:00Z"); t < at("2026-12-06T00:00:00Z"); t += 3_600 + 300) {
      expect(tickLabel(t, TickMark.Time)).toBe(library(t, { hour12: false, hour: "2-digit", minute: "2-digit" }));
      expect(tickLabel(t, TickMark.DayOfMonth)).toBe(library(t, { day: "numeric" }));
      expect(tickLabel(t, TickMark.Month)).toBe(library(t, { month: "short" }));
    }
  });

  it("leave business-day times and unknown kinds to the library", () => {
    expect(tickLabel({ year: 2026, month: 12, day: 5 }, TickMark.DayOfMonth)).toBeNull();
    expect(tickLabel("2026-12-05", TickMark.DayOfMonth)).toBeNull();
    expect(tickLabel(at("2026-12-05T00:00:00Z"), 9)).toBeNull();
  });
});
