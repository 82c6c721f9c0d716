/**
 * What every loader, action and API handler receives as `context`: the parsed env, the
 * Worker's ExecutionContext, a request id and a trace id for logs and error bodies, and the request's database handle (opened
 * lazily on first use, one Neon Pool per request, ended after the response).
 */
import type { Db } from "../db/db";
import { openNeon } from "../db/neon";
import { getEnv, type Env } from "./env.server";
import { newNonce } from "./security/headers";
import { edgeTracer, RequestTrace } from "./tracing.server";

export interface AppLoadContext {
  env: Env;
  ctx: ExecutionContext;
  requestId: string;
  /** The W3C trace this request belongs to (the caller's traceparent, else a new one) and its span here. */
  traceId?: string;
  spanId?: string;
  /** The request's trace (ADR 040): its span when sampled, and the traceparent for the rooms. */
  trace?: RequestTrace;
  /** The A/B arms of the flags decided for this request (observeFlags, edge/flags): on its log line. */
  flagArms?: Record<string, "on" | "off">;
  /** This response's Content-Security-Policy nonce (ADR 021): every inline script carries it. */
  cspNonce: string;
  /** The request's database; the first access opens the pool. */
  readonly db: Db;
}

export function createLoadContext(rawEnv: Record<string, unknown>, ctx: ExecutionContext, request?: Request) {
  const env = getEnv(rawEnv);
  const trace = RequestTrace.begin(edgeTracer(rawEnv), request?.headers.get("traceparent"), request?.method);
  let opened: ReturnType<typeof openNeon> | undefined;
  const context: AppLoadContext = {
    env,
    ctx,
    requestId: crypto.randomUUID(),
    traceId: trace.traceId,
    spanId: trace.spanId,
    trace,
    flagArms: {},
    cspNonce: newNonce(),
    get db() {
      opened ??= openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: env.DB_POOL_MAX, connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS });
      return opened.db;
    },
  };
  /** Call once the response is ready; ends the pool (if any) without delaying the response. */
  const done = () => {
    if (opened) ctx.waitUntil(opened.close());
  };
  return { context, done };
}
