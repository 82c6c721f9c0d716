/**
 * One JSON line per request at the edge (issue 21): level, ids, route (never the raw path: ids
 * and names stay out, as in the metrics' labels), status, time. No query string, header, cookie
 * or body: nothing secret can reach the log from here. Pure.
 */
export interface RequestLog {
  requestId: string;
  traceId?: string;
  method: string;
  route: string;
  status: number;
  ms: number;
  /** The A/B arms of the flags decided for this request (ADR 026, 040), so an experiment can be read from the logs. */
  flags?: Readonly<Record<string, "on" | "off">>;
}

export type Ids = { requestId: string; traceId?: string };

export function requestLogLine(r: RequestLog, at = new Date()): string {
  const level = r.status >= 500 ? "error" : r.status >= 400 ? "warn" : "info";
  return JSON.stringify({ ts: at.toISOString(), level, msg: "request", requestId: r.requestId, traceId: r.traceId, method: r.method, route: r.route, status: r.status, ms: r.ms, ...(r.flags && Object.keys(r.flags).length > 0 ? { flags: r.flags } : {}) });
}
