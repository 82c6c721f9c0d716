import { describe, expect, it } from "vitest";
import { escapeLabel, Histogram } from "../metrics/prom";
import { RoomMetrics } from "./metrics";

/** Parses the text format back: name{labels} value, and checks every line is a HELP, TYPE or sample. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.trimEnd().split("\n")) {
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    expect(m, line).not.toBeNull();
    out.set(m![1]!, Number(m![2]!.replace("+Inf", "Infinity")));
  }
  return out;
}

describe("room metrics", () => {
  it("counts commands by kind and result, and renders parseable text", () => {
    const m = new RoomMetrics();
    m.command("place", { ok: true, code: 0, reason: "OK", message: "Done." });
    m.command("place", { ok: true, code: 0, reason: "OK", message: "Done." });
    m.command("place", { ok: false, code: 210, reason: "INSUFFICIENT_FUNDS", message: "x" });
    m.command("cancel", { ok: true, code: 0, reason: "OK", message: "Done." });
    m.batchSize.observe(3);
    m.commitSeconds.observe(0.004);
    m.retries.add("40001");
    const parsed = parse(m.render("iron-ore", { queued: 2, openOrders: 7, sockets: 1, sseClients: 0 }));
    expect(parsed.get('bazaar_market_commands_total{market="iron-ore",kind="place",result="OK"}')).toBe(2);
    expect(parsed.get('bazaar_market_commands_total{market="iron-ore",kind="place",result="INSUFFICIENT_FUNDS"}')).toBe(1);
    expect(parsed.get('bazaar_market_commands_total{market="iron-ore",kind="cancel",result="OK"}')).toBe(1);
    expect(parsed.get('bazaar_market_retries_total{market="iron-ore",code="40001"}')).toBe(1);
    expect(parsed.get('bazaar_market_queue_depth{market="iron-ore"}')).toBe(2);
    expect(parsed.get('bazaar_market_open_orders{market="iron-ore"}')).toBe(7);
    expect(parsed.get('bazaar_market_batch_size_bucket{market="iron-ore",le="2"}')).toBe(0);
    expect(parsed.get('bazaar_market_batch_size_bucket{market="iron-ore",le="5"}')).toBe(1);
    expect(parsed.get('bazaar_market_batch_size_bucket{market="iron-ore",le="+Inf"}')).toBe(1);
    expect(parsed.get('bazaar_market_commit_seconds_count{market="iron-ore"}')).toBe(1);
    expect(m.commandCount("place", "OK")).toBe(2);
  });

  it("histogram buckets are cumulative and end at the count", () => {
    const h = new Histogram([1, 10, 100]);
    for (const v of [0.5, 5, 50, 500, 10]) h.observe(v);
    expect([...h.counts]).toEqual([1, 3, 4]);
    expect(h.count).toBe(5);
    expect(h.sum).toBe(565.5);
  });

  it("escapes label values", () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
