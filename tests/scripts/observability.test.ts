/**
 * docs/observability (issue 21, ADR 040): Debian's promtool checks the alert rules and runs their
 * unit tests (alerts.test.yml: each alert fires on what should wake someone and stays quiet on a
 * healthy market and edge), and each dashboard names only metrics that are exposed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EdgeOutcomes } from "../../edge/metrics/outcomes";
import { EdgeMetrics } from "../../edge/metrics/requests";
import { RoomMetrics } from "../../party/market/metrics";

const promtool = (...args: string[]) => execFileSync("timeout", ["60", "/usr/bin/promtool", ...args], { encoding: "utf8" });
const metricNames = (text: string) => new Set([...text.matchAll(/bazaar_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, "")));

describe("alert rules", () => {
  it("pass promtool check rules, and name every alert the issue asks for", () => {
    expect(promtool("check", "rules", "docs/observability/alerts.yml")).toContain("SUCCESS: 8 rules found");
    const rules = readFileSync("docs/observability/alerts.yml", "utf8");
    for (const alert of ["MarketStalled", "MarketCommitP99High", "MarketErrorRate", "MarketBusy", "EdgeErrorRate", "PushOutboxLagging", "PushFailures"]) expect(rules).toContain(`alert: ${alert}\n`);
  });

  it("fire and stay quiet as their unit tests say (promtool test rules)", () => {
    expect(promtool("test", "rules", "docs/observability/alerts.test.yml")).toContain("SUCCESS");
  });
});

describe("dashboards and rules name only exposed metrics", () => {
  const edge = new EdgeMetrics();
  edge.record("/", 200, 0.01);
  const outcomes = new EdgeOutcomes();
  const exposed = [
    edge.render(),
    outcomes.render({ due: 0, lagSeconds: 0 }),
    new RoomMetrics().render("m", { queued: 0, openOrders: 0, sockets: 0, sseClients: 0 }),
  ].join("");
  for (const file of ["docs/observability/grafana-edge.json", "docs/observability/grafana-markets.json", "docs/observability/alerts.yml"]) {
    it(file, () => {
      const text = readFileSync(file, "utf8");
      if (file.endsWith(".json")) expect(JSON.parse(text).panels.length).toBeGreaterThan(0);
      const names = metricNames(text);
      expect(names.size).toBeGreaterThan(0);
      for (const name of names) expect(exposed, name).toContain(`# TYPE ${name} `);
    });
  }
});
