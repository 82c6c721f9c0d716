/**
 * A typed client for game servers: openapi-fetch over the generated schema (schema.ts), with a
 * middleware that signs every request (edge/server-api/signature.ts: the one implementation of the
 * canonical string). Retries are the caller's: keep the Idempotency-Key, and every attempt is
 * signed afresh (new timestamp and nonce) by the middleware.
 *
 *   const bazaar = gameServerClient({ baseUrl: "https://bazaar.example", keyId, secret });
 *   const { data, error } = await bazaar.POST("/api/v1/server/currency/mint", {
 *     params: { header: { "Idempotency-Key": newIdempotencyKey() } },
 *     body: { playerId, amount: 500, reason: "quest: the lost ring" },
 *   });
 */
import createClient, { type Middleware } from "openapi-fetch";
import { HEADER, newNonce, signRequest } from "../../edge/server-api/signature";
import type { paths } from "./schema";

export type { paths } from "./schema";

export interface GameServerClientOptions {
  /** Origin of the Bazaar deployment, e.g. http://127.0.0.1:8787 (no path). */
  baseUrl: string;
  keyId: string;
  secret: string;
  /** For tests and benches: another fetch, another clock. */
  fetch?: typeof fetch;
  now?: () => number;
}

export function signingMiddleware(o: Pick<GameServerClientOptions, "keyId" | "secret" | "now">): Middleware {
  return {
    async onRequest({ request }) {
      const url = new URL(request.url);
      const body = new Uint8Array(await request.clone().arrayBuffer());
      const headers = await signRequest({
        keyId: o.keyId, secret: o.secret, method: request.method, pathAndQuery: url.pathname + url.search, body,
        idempotencyKey: request.headers.get(HEADER.idempotencyKey), nowMs: o.now?.(),
      });
      for (const [k, v] of Object.entries(headers)) request.headers.set(k, v);
      return request;
    },
  };
}

export function gameServerClient(o: GameServerClientOptions) {
  const client = createClient<paths>({ baseUrl: o.baseUrl, ...(o.fetch ? { fetch: o.fetch } : {}) });
  client.use(signingMiddleware(o));
  return client;
}

/** A fresh Idempotency-Key: one per operation, reused on that operation's retries. */
export const newIdempotencyKey = (prefix = "op") => `${prefix}-${newNonce()}`;
