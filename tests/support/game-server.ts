/**
 * Driving the real /api/v1 router (edge/api) in Node against a test database: signed game-server
 * requests, bearer requests, and a stand-in for the market rooms' HTTP endpoint backed by
 * MarketSession, so that the edge's own room calls (a freeze's cancel-all) reach a real session.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "../../db/db";
import { allApiRoutes } from "../../edge/api/index.server";
import { dispatch } from "../../edge/api/router.server";
import type { AppLoadContext } from "../../edge/context.server";
import { getEnv } from "../../edge/env.server";
import { signRequest } from "../../edge/server-api/signature";
import type { MarketSession } from "../../party/market/session";
import { checkToken } from "../../party/tokens";

export const MASTER = "m".repeat(48);
export const ROOM_SECRET = "r".repeat(48);

export function apiContext(db: Db, extra: Record<string, string> = {}): AppLoadContext {
  const env = getEnv({ DATABASE_URL: "postgres://unused", SESSION_SECRET: MASTER, ROOM_SECRET, APP_ENV: "test", ...extra });
  return { env, ctx: { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext, requestId: crypto.randomUUID(), cspNonce: "", db };
}

export interface Key {
  keyId: string;
  secret: string;
}

export interface SignedCall {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  body?: unknown;
  idempotencyKey?: string | null;
  key: Key;
  /** Sign with this instead of the key's secret. */
  signSecret?: string;
  /** Send this body instead of the signed one. */
  sendBody?: string;
  nowMs?: number;
  /** Exact headers to send (a replay). */
  headers?: Record<string, string>;
}

export async function signed(context: AppLoadContext, c: SignedCall) {
  const method = c.method ?? (c.body === undefined ? "GET" : "POST");
  const text = c.body === undefined ? "" : JSON.stringify(c.body);
  const headers = c.headers ?? (await signRequest({
    keyId: c.key.keyId, secret: c.signSecret ?? c.key.secret, method, pathAndQuery: c.path, body: text,
    idempotencyKey: c.idempotencyKey === undefined ? `k-${crypto.randomUUID()}` : c.idempotencyKey, nowMs: c.nowMs,
  }));
  const request = new Request(`http://bazaar.test${c.path}`, {
    method,
    headers: { ...headers, ...(c.body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: c.body === undefined ? undefined : (c.sendBody ?? text),
  });
  const res = await dispatch(allApiRoutes, request, context);
  const json = res.status === 204 ? null : ((await res.json()) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  return { status: res.status, json: json!, headers, replayed: res.headers.get("Idempotent-Replayed") };
}

export async function bearer(context: AppLoadContext, token: string, method: string, path: string, body?: unknown) {
  const res = await dispatch(allApiRoutes, new Request(`http://bazaar.test${path}`, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }), context);
  return { status: res.status, json: res.status === 204 ? null : ((await res.json()) as Record<string, any>) }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** POST /parties/main/<slug> {playerId, command} -> the session's answer, like party/market.ts (service token checked). */
export async function fakeRooms(sessions: Map<string, MarketSession>): Promise<{ host: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let data = "";
    req.on("data", (d) => (data += d));
    req.on("end", async () => {
      const slug = decodeURIComponent(req.url!.split("/").pop()!);
      const session = sessions.get(slug);
      const ok = await checkToken(ROOM_SECRET, "service", (req.headers.authorization ?? "").replace(/^Bearer /, ""));
      if (!session || !ok) {
        res.writeHead(session ? 401 : 404).end("{}");
        return;
      }
      const { playerId, command } = JSON.parse(data) as { playerId: string; command: { type: string } };
      const answer = command.type === "cancelAll" ? await session.submit({ type: "cancelAll", playerId }) : { ok: false, code: 121, reason: "INVALID_COMMAND", message: "fake room: cancelAll only" };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}
