/**
 * The edge's route labels (ADR 029): ids and names chosen by data never reach a label, so the
 * set of series stays bounded however many players, orders and markets there are.
 */
import { describe, expect, it } from "vitest";
import { EdgeMetrics, routeOf } from "../../edge/metrics/requests";

describe("routeOf", () => {
  it.each([
    ["/api/v1/orders/42", "/api/v1/orders/:id"],
    ["/api/v1/orders/1000", "/api/v1/orders/:id"],
    ["/markets/iron-ore", "/markets/:slug"],
    ["/markets/iron-ore.data", "/markets/:slug"],
    ["/api/v1/markets/iron-ore/book", "/api/v1/markets/:slug/book"],
    ["/api/v1/markets/m-1733412345/book", "/api/v1/markets/:id/book"],
    ["/api/v1/admin/players/7/freeze", "/api/v1/admin/players/:id/freeze"],
    ["/api/v1/tokens/ab12cd34ef56ab12cd34", "/api/v1/tokens/:id"],
    ["/offers/x-20261204-abc", "/offers/:id"],
    ["/api/v1/healthz", "/api/v1/healthz"],
    ["/build/entry.client-AbC123.js", "asset"],
  ])("%s -> %s", (path, route) => {
    expect(routeOf(path)).toBe(route);
  });

  it("keeps at most 256 routes and counts the rest as other", () => {
    const m = new EdgeMetrics();
    for (let i = 0; i < 300; i++) m.record(`/r${i}`, 200, 0.01);
    expect(m.count("/r0", 200)).toBe(1);
    expect(m.count("/r299", 200)).toBe(0);
    expect(m.count("other", 200)).toBe(44);
  });
});
