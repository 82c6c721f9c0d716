/**
 * The edge's request metrics (issue 21, ADR 029): requests by route and status and a latency
 * histogram by route, in the Prometheus text format of party/metrics/prom (ADR 025). Counters live
 * in the isolate (per-isolate, as the rooms' do). Routes are a bounded set of names made from the
 * path (ids become ":id"; at most MAX_ROUTES, then "other"), never a player or a query string.
 */
import { family, Histogram, sample } from "../../party/metrics/prom";

export const EDGE_METRICS_PATH = "/metrics";
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// The app has about 150 route shapes (API and pages); 64 filled up in one http test run and pushed real routes into "other".
const MAX_ROUTES = 256;

const SLUGGED = new Set(["markets", "items", "players", "item-types"]);
const ID = /^(\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{16,}|[A-Za-z0-9_-]{21,})$/i;

/** "/api/v1/orders/42" -> "/api/v1/orders/:id"; "/markets/iron-ore" -> "/markets/:slug"; assets -> "asset". */
export function routeOf(pathname: string): string {
  if (/\.(js|css|png|svg|ico|webmanifest|woff2?|json)$/.test(pathname) && !pathname.startsWith("/api/")) return "asset";
  const parts = pathname.split("/").filter(Boolean).slice(0, 6);
  const named = parts.map((p, i) => {
    if (ID.test(p) || /\d{3}/.test(p)) return ":id";
    // Right below a collection is a name chosen by data (a market slug, an item), on pages and in the API.
    if (i > 0 && SLUGGED.has(parts[i - 1]!)) return ":slug";
    return /^[a-z0-9._-]{1,40}$/.test(p) ? p : ":id";
  });
  return `/${named.join("/")}`.replace(/\.data$/, "");
}

type RouteStats = { byStatus: Map<number, number>; latency: Histogram };

export class EdgeMetrics {
  private readonly routes = new Map<string, RouteStats>();

  record(route: string, status: number, seconds: number): void {
    let stats = this.routes.get(route);
    if (!stats) {
      const key = this.routes.size >= MAX_ROUTES ? "other" : route;
      stats = this.routes.get(key);
      if (!stats) this.routes.set(key, (stats = { byStatus: new Map(), latency: new Histogram(BOUNDS) }));
    }
    stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
    stats.latency.observe(seconds);
  }

  count(route: string, status: number): number {
    return this.routes.get(route)?.byStatus.get(status) ?? 0;
  }

  render(): string {
    const counts: string[] = [];
    const latency: string[] = [];
    for (const [route, stats] of this.routes) {
      for (const [status, n] of stats.byStatus) counts.push(sample("bazaar_edge_requests_total", { route, status: String(status) }, n));
      stats.latency.lines("bazaar_edge_request_seconds", { route }, latency);
    }
    return (
      family("bazaar_edge_requests_total", "counter", "Requests the edge answered, by route and status.", counts) +
      family("bazaar_edge_request_seconds", "histogram", "Time from request to response at the edge, by route.", latency)
    );
  }
}

/** The isolate's one instance. */
export const edgeMetrics = new EdgeMetrics();
