/**
 * /api/v1/admin/events (issue 18, ADR 020): audit search over the event log for staff (support,
 * moderator, admin: the policy's "audit:read"), and one event's story. ?format=csv (or Accept:
 * text/csv) answers the page as CSV.
 */
import { z } from "zod";
import { auditCsv, decodeAuditCursor, eventStory, searchEvents } from "../../db/audit-search/search";
import { EVENT_TYPE } from "../../db/feed/read";
import { ApiError } from "./http.server";
import { route, type ApiRoute } from "./router.server";
import { ADMIN_PREFIX } from "./admin.server";

const isoTime = (field: string) =>
  z.string().refine((v) => /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)?)?$/.test(v) && !Number.isNaN(Date.parse(v)), `${field} must be an ISO date or time, like 2026-12-04 or 2026-12-04T18:00:00Z`);

export const AuditQuery = z.strictObject({
  q: z.string().trim().min(1, "q must not be empty").max(200, "q: at most 200 characters").optional().meta({ description: "full text over the payload, type, actor and stream (web-search syntax)" }),
  player: z.uuid("player must be a player's id (a UUID)").optional().meta({ description: "events naming this player (anywhere in the payload, the stream or the actor)" }),
  ref: z.uuid("ref must be an id (a UUID): an order, an offer, an item, a server").optional().meta({ description: "events naming this id" }),
  type: z.string().regex(EVENT_TYPE, "type must be an event type, like minted or market_batch").optional(),
  actor: z.string().min(1).max(100, "actor: at most 100 characters").optional().meta({ description: "who acted: player:<id>, server:<id>, operator:<id>, room:<market>, system:seed" }),
  market: z.string().regex(/^[a-z0-9-]{1,64}$/, "market must be a market's slug, like iron-ore").optional(),
  from: isoTime("from").optional(),
  to: isoTime("to").optional(),
  cursor: z.string().refine((c) => decodeAuditCursor(c) !== undefined, "cursor is not one this search handed out").optional(),
  limit: z.coerce.number("limit must be a number").int("limit must be a whole number").min(1, "limit must be at least 1").max(500, "limit must be at most 500").default(50),
  format: z.enum(["json", "csv"], "format must be json or csv").default("json"),
});

const AuditEvent = z.object({
  eventId: z.uuid(), createdAt: z.string(), type: z.string(), actor: z.string(), stream: z.string(), version: z.number().int(),
  correlationId: z.uuid(), causationId: z.uuid().nullable(), payload: z.record(z.string(), z.unknown()),
});
const AuditPageSchema = z.object({
  events: z.array(AuditEvent),
  nextCursor: z.string().nullable(),
  indexedUntil: z.string().nullable().meta({ description: "the newest event the audit index holds (it follows the log within a minute)" }),
});
const EventParams = z.strictObject({ id: z.uuid("the event id must be a UUID") });
const EventStorySchema = z.object({ event: AuditEvent, cause: AuditEvent.nullable(), related: z.array(AuditEvent) });

export const auditRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${ADMIN_PREFIX}/events`, operationId: "adminSearchEvents",
    summary: "Staff: search the event log (full text, player or any id, type, actor, market, time), newest first, paged by cursor; ?format=csv for CSV",
    auth: "bearer", policy: "audit:read", query: AuditQuery, status: 200, response: AuditPageSchema, errors: [403],
    async handler({ context, query, request }) {
      if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) throw new ApiError(400, "invalid_query", "from must be before to.");
      if (query.player && query.ref) throw new ApiError(400, "invalid_query", "give player or ref, not both.");
      const page = await searchEvents(context.db, { ...query, ref: query.player ?? query.ref });
      const csv = query.format === "csv" || (request.headers.get("accept") ?? "").includes("text/csv");
      if (!csv) return page;
      const headers: Record<string, string> = { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="bazaar-events.csv"', "cache-control": "no-store" };
      if (page.nextCursor) headers.link = `<?cursor=${encodeURIComponent(page.nextCursor)}>; rel="next"`;
      return new Response(auditCsv(page.events), { headers });
    },
  }),
  route({
    method: "GET", path: `${ADMIN_PREFIX}/events/:id`, operationId: "adminGetEvent",
    summary: "Staff: one event and its story (the event that caused it, every event of its correlation)",
    auth: "bearer", policy: "audit:read", params: EventParams, status: 200, response: EventStorySchema, errors: [403, 404],
    async handler({ context, params }) {
      const story = await eventStory(context.db, params.id);
      if (!story) throw new ApiError(404, "unknown_event", `there is no event ${params.id}`);
      return story;
    },
  }),
];
