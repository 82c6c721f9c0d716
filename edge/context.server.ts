/**
 * What every loader, action and API handler receives as `context`: the parsed env, the
 * Worker's ExecutionContext, a request id for logs, and the request's database handle (opened
 * lazily on first use, one Neon Pool per request, ended after the response).
 */
import type { Db } from "../db/db";
import { openNeon } from "../db/neon";
import { getEnv, type Env } from "./env.server";

export interface AppLoadContext {
  env: Env;
  ctx: ExecutionContext;
  requestId: string;
  /** The request's database; the first access opens the pool. */
  readonly db: Db;
}

export function createLoadContext(rawEnv: Record<string, unknown>, ctx: ExecutionContext) {
  const env = getEnv(rawEnv);
  let opened: ReturnType<typeof openNeon> | undefined;
  const context: AppLoadContext = {
    env,
    ctx,
    requestId: crypto.randomUUID(),
    get db() {
      opened ??= openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: env.DB_POOL_MAX });
      return opened.db;
    },
  };
  /** Call once the response is ready; ends the pool (if any) without delaying the response. */
  const done = () => {
    if (opened) ctx.waitUntil(opened.close());
  };
  return { context, done };
}
