import { describe, expect, it } from "vitest";
import { EdgeOutcomes } from "./outcomes";

describe("edge outcome metrics", () => {
  it("renders sign-ins, rate-limit refusals, push results, flag arms and the outbox in the text format", () => {
    const m = new EdgeOutcomes();
    m.signIns.add("ok");
    m.signIns.add("invalid_credentials");
    m.signIns.add("invalid_credentials");
    m.rateLimited.add("orders");
    m.push.add("sent", 3);
    m.push.add("dead");
    m.flagDecision("economy-tab", "on");
    m.flagDecision("economy-tab", "off");
    m.flagDecision("economy-tab", "on");
    const text = m.render({ due: 4, lagSeconds: 12.5 });
    expect(text).toContain('bazaar_edge_sign_ins_total{result="ok"} 1\n');
    expect(text).toContain('bazaar_edge_sign_ins_total{result="invalid_credentials"} 2\n');
    expect(text).toContain('bazaar_edge_rate_limited_total{door="orders"} 1\n');
    expect(text).toContain('bazaar_edge_push_total{result="sent"} 3\n');
    expect(text).toContain('bazaar_edge_push_total{result="dead"} 1\n');
    expect(text).toContain('bazaar_flag_decisions_total{flag="economy-tab",arm="on"} 2\n');
    expect(text).toContain('bazaar_flag_decisions_total{flag="economy-tab",arm="off"} 1\n');
    expect(text).toContain("# TYPE bazaar_edge_push_outbox_due gauge\nbazaar_edge_push_outbox_due 4\n");
    expect(text).toContain("bazaar_edge_push_outbox_lag_seconds 12.5\n");
    expect(m.render()).not.toContain("outbox");
  });
});
