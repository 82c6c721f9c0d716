import { describe, expect, it } from "vitest";
import { EdgeMetrics, routeOf } from "./requests";

describe("edge request metrics", () => {
  it("names routes without ids, slugs or players", () => {
    expect(routeOf("/api/v1/orders/42")).toBe("/api/v1/orders/:id");
    expect(routeOf("/markets/iron-ore")).toBe("/markets/:slug");
    expect(routeOf("/markets/iron-ore.data")).toBe("/markets/:slug");
    expect(routeOf("/offers/0b9f3a52-6a3c-4a2e-9b1e-2f1c7d9e8a01")).toBe("/offers/:id");
    expect(routeOf("/assets/entry-ABC.js")).toBe("asset");
    expect(routeOf("/")).toBe("/");
  });

  it("counts by route and status and keeps histogram buckets consistent", () => {
    const m = new EdgeMetrics();
    m.record("/api/v1/orders", 201, 0.02);
    m.record("/api/v1/orders", 201, 0.3);
    m.record("/api/v1/orders", 400, 0.001);
    expect(m.count("/api/v1/orders", 201)).toBe(2);
    const text = m.render();
    expect(text).toContain('bazaar_edge_requests_total{route="/api/v1/orders",status="201"} 2');
    expect(text).toContain('bazaar_edge_requests_total{route="/api/v1/orders",status="400"} 1');
    expect(text).toContain('bazaar_edge_request_seconds_bucket{route="/api/v1/orders",le="+Inf"} 3');
    expect(text).toContain('bazaar_edge_request_seconds_bucket{route="/api/v1/orders",le="0.025"} 2');
    expect(text).toContain('bazaar_edge_request_seconds_count{route="/api/v1/orders"} 3');
  });

  it("caps the number of routes (garbage paths fold into other)", () => {
    const m = new EdgeMetrics();
    for (let i = 0; i < 300; i++) m.record(`/junk${i}`, 404, 0.001);
    expect(m.render().match(/bazaar_edge_request_seconds_count/g)!.length).toBe(257); // 256 routes and "other";
    expect(m.count("other", 404)).toBe(300 - 256);
  });
});
