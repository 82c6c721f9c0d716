/**
 * The event feed and webhooks for game servers (scope events:read; ADR 017): page the economic
 * events after a cursor to mirror ownership, or have them POSTed, signed, to a URL. A webhook's
 * signing secret is never stored (not even in the idempotency store): it is recomputed on request.
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { rows } from "../../db/db";
import { decodeCursor } from "../../db/feed/cursor";
import { EVENT_TYPE, readFeed } from "../../db/feed/read";
import { webhookSecret } from "../../db/feed/signing";
import { createWebhook } from "../../db/feed/webhooks";
import { ApiError } from "../api/http.server";
import { route, type ApiRoute } from "../api/router.server";
import type { AppLoadContext } from "../context.server";
import { once } from "./routes.server";

const P = "/api/v1/server";
const Types = z.string().max(1000).optional().describe("Comma-separated event types (all when absent), e.g. order_placed,item_transferred,offer_accepted");
const FeedQuery = z.strictObject({
  after: z.string().max(64).optional().describe("The cursor of the previous page (absent: from the start of the log)"),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe("Events per page (default 200)"),
  types: Types,
});
const FeedEvent = z.object({
  eventId: z.string(), stream: z.string(), version: z.number().int(), type: z.string(), actor: z.string(),
  payload: z.record(z.string(), z.unknown()), createdAt: z.string(),
});
const FeedPage = z.object({
  events: z.array(FeedEvent),
  cursor: z.string().describe("Pass as `after` next time (the same cursor when nothing was new)"),
  more: z.boolean().describe("True when the page was full: ask again at once"),
});
const WebhookIn = z.strictObject({
  url: z.string().max(2048).describe("https:// (http://127.0.0.1 only outside production)"),
  types: z.array(z.string().regex(EVENT_TYPE, "an event type: lower-case letters, digits and _")).max(50).optional(),
  from: z.enum(["now", "start"]).optional().describe("Deliver from now on (default) or the whole log"),
});
const Webhook = z.object({
  id: z.string(), url: z.string(), types: z.array(z.string()), cursor: z.string(), attempts: z.number().int(),
  lastError: z.string().nullable(), delivered: z.number().int(), disabled: z.boolean(),
});
const WebhookParams = z.strictObject({ id: z.uuid("the webhook id must be a uuid") });

function typesOf(text: string | undefined): string[] | undefined {
  if (!text) return undefined;
  const types = text.split(",").map((t) => t.trim()).filter((t) => t.length > 0);
  const bad = types.find((t) => !EVENT_TYPE.test(t));
  if (bad !== undefined) throw new ApiError(400, "invalid_types", `"${bad.slice(0, 64)}" is not an event type (lower-case letters, digits and _)`);
  return types;
}

function checkUrl(context: AppLoadContext, text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ApiError(400, "invalid_url", "url must be an absolute URL, e.g. https://game.example/bazaar-hook");
  }
  const loopback = url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost");
  if (url.protocol !== "https:" && !(loopback && context.env.APP_ENV !== "production")) {
    throw new ApiError(400, "invalid_url", "url must use https:// (http://127.0.0.1 is allowed only outside production)");
  }
}

type Row = { id: string; url: string; types: string[]; cursor: string; attempts: number; last_error: string | null; delivered: string; disabled: boolean };
const out = (r: Row) => ({ id: r.id, url: r.url, types: r.types, cursor: r.cursor, attempts: r.attempts, lastError: r.last_error, delivered: Number(r.delivered), disabled: r.disabled });
const columns = sql`id::text as id, url, types, cursor, attempts, last_error, delivered::text as delivered, disabled_at is not null as disabled`;

async function ownWebhook(context: AppLoadContext, owner: string, id: string): Promise<Row> {
  const [row] = await rows<Row>(context.db, sql`select ${columns} from webhooks where id = ${id}::uuid and owner = ${owner}`);
  if (!row) throw new ApiError(404, "unknown_webhook", `this game server has no webhook ${id}`);
  return row;
}

export const feedRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${P}/events`, operationId: "serverReadEvents",
    summary: "The event log after a cursor: every committed economic event once, in an order safe against out-of-order commits",
    auth: "server", scope: "events:read", query: FeedQuery, status: 200, response: FeedPage, errors: [400, 401, 403],
    async handler({ context, query }) {
      const after = query.after === undefined ? undefined : decodeCursor(query.after);
      if (query.after !== undefined && !after) throw new ApiError(400, "invalid_cursor", "after is not a cursor this feed gave out; start without it");
      return readFeed(context.db, { after, limit: query.limit ?? 200, types: typesOf(query.types) });
    },
  }),
  route({
    method: "GET", path: `${P}/webhooks`, operationId: "serverListWebhooks", summary: "This game server's webhooks and how their deliveries go",
    auth: "server", scope: "events:read", status: 200, response: z.object({ webhooks: z.array(Webhook) }), errors: [401, 403],
    async handler({ context, server }) {
      const found = await rows<Row>(context.db, sql`select ${columns} from webhooks where owner = ${`server:${server.server.id}`} order by created_at`);
      return { webhooks: found.map(out) };
    },
  }),
  route({
    method: "POST", path: `${P}/webhooks`, operationId: "serverCreateWebhook",
    summary: "POST the feed's events to a URL, signed (Bazaar-Timestamp, Bazaar-Signature: v1=HMAC-SHA256(secret, timestamp.body)); get the secret from .../secret",
    auth: "server", scope: "events:read", idempotent: true, body: WebhookIn, status: 201, response: z.object({ webhook: Webhook }), errors: [400, 401, 403, 409],
    async handler({ context, server, body }) {
      checkUrl(context, body.url);
      return once(context, server, async (tx) => {
        const { webhook } = await createWebhook(tx, { owner: `server:${server.server.id}`, url: body.url, types: body.types, from: body.from }, context.env.SESSION_SECRET);
        return { status: 201, body: { webhook: { ...webhook, lastError: null, delivered: 0, disabled: false } } };
      });
    },
  }),
  route({
    method: "GET", path: `${P}/webhooks/:id/secret`, operationId: "serverWebhookSecret",
    summary: "The webhook's signing secret (recomputed, never stored): verify Bazaar-Signature with it",
    auth: "server", scope: "events:read", params: WebhookParams, status: 200, response: z.object({ secret: z.string() }), errors: [401, 403, 404],
    async handler({ context, server, params }) {
      const hook = await ownWebhook(context, `server:${server.server.id}`, params.id);
      return { secret: await webhookSecret(context.env.SESSION_SECRET, hook.id) };
    },
  }),
  route({
    method: "DELETE", path: `${P}/webhooks/:id`, operationId: "serverDisableWebhook", summary: "Stop a webhook's deliveries",
    auth: "server", scope: "events:read", idempotent: true, params: WebhookParams, status: 200, response: z.object({ webhook: Webhook }), errors: [401, 403, 404, 409],
    async handler({ context, server, params }) {
      await ownWebhook(context, `server:${server.server.id}`, params.id);
      return once(context, server, async (tx) => {
        const [row] = await rows<Row>(tx, sql`update webhooks set disabled_at = coalesce(disabled_at, now()) where id = ${params.id}::uuid returning ${columns}`);
        return { status: 200, body: { webhook: out(row!) } };
      });
    },
  }),
];
