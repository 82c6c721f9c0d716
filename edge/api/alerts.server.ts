/**
 * /api/v1 alerts (the notification center), price alerts and alert preferences: thin adapters over
 * db/alerts and edge/alerts. Every call is scoped to the token's player.
 */
import type { z } from "zod";
import { getPreferences, minutesToClock, clockToMinutes, savePreferences, withDefaults, type AlertPreferences } from "../../db/alerts/preferences";
import { getPriceAlert, listPriceAlerts, PRICE_ALERT_LIMIT } from "../../db/alerts/price-alerts";
import { decodeCursor, listAlerts, markAllRead, markRead, unreadCount } from "../../db/alerts/read";
import { addPriceAlert, removePriceAlert } from "../alerts/price-alerts.server";
import { ApiError, invalid } from "./http.server";
import * as s from "./alerts-schemas";
import { route, type ApiRoute } from "./router.server";

const P = "/api/v1";

function param<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error, "path");
  return parsed.data;
}

const prefsOut = (p: AlertPreferences) => ({
  kinds: p.kinds,
  quietHours: p.quietHours ? { start: minutesToClock(p.quietHours.start), end: minutesToClock(p.quietHours.end) } : null,
  timeZone: p.timeZone,
});

export const alertRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${P}/alerts`, operationId: "listAlerts",
    summary: "My alerts (the notification center), newest first, paged by cursor, with the unread count",
    auth: "bearer", query: s.AlertsQuery, status: 200, response: s.AlertPage,
    async handler({ context, query, session }) {
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      if (query.cursor !== undefined && !cursor) throw new ApiError(400, "invalid_cursor", "The cursor is not one this API gave out. Start again without it.");
      const page = await listAlerts(context.db, { playerId: session.player.id, limit: query.limit ?? 30, cursor });
      return { ...page, unread: await unreadCount(context.db, session.player.id) };
    },
  }),
  route({
    method: "POST", path: `${P}/alerts/read`, operationId: "markAlertsRead",
    summary: "Mark some of my alerts read (ids of alerts that are not mine change nothing)",
    auth: "bearer", body: s.MarkRead, status: 200, response: s.MarkedRead, errors: [413, 415],
    async handler({ context, body, session }) {
      const marked = await markRead(context.db, session.player.id, body.ids);
      return { marked, unread: await unreadCount(context.db, session.player.id) };
    },
  }),
  route({
    method: "POST", path: `${P}/alerts/read-all`, operationId: "markAllAlertsRead", summary: "Mark all my alerts read",
    auth: "bearer", status: 200, response: s.MarkedRead,
    async handler({ context, session }) {
      return { marked: await markAllRead(context.db, session.player.id), unread: 0 };
    },
  }),
  route({
    method: "GET", path: `${P}/price-alerts`, operationId: "listPriceAlerts",
    summary: "My price alerts (active first), optionally of one market",
    auth: "bearer", query: s.PriceAlertsQuery, status: 200, response: s.PriceAlertList,
    async handler({ context, query, session }) {
      return { priceAlerts: await listPriceAlerts(context.db, { playerId: session.player.id, market: query.market }), limit: PRICE_ALERT_LIMIT };
    },
  }),
  route({
    method: "POST", path: `${P}/price-alerts`, operationId: "createPriceAlert",
    summary: `Tell me when an item trades at or above / at or below a price (copper, on the market's tick); once or repeating with a cool-down. At most ${PRICE_ALERT_LIMIT} active per player`,
    auth: "bearer", body: s.CreatePriceAlert, status: 201, response: s.PriceAlertAnswer, errors: [404, 409, 413, 415, 503],
    async handler({ context, body, session }) {
      return { priceAlert: await addPriceAlert(context, session.player.id, body) };
    },
  }),
  route({
    method: "GET", path: `${P}/price-alerts/:id`, operationId: "getPriceAlert", summary: "One of my price alerts",
    auth: "bearer", params: s.PriceAlertParams, status: 200, response: s.PriceAlertAnswer, errors: [404],
    async handler({ context, params, session }) {
      const id = param(s.PriceAlertId, params.id);
      const found = await getPriceAlert(context.db, { playerId: session.player.id, id });
      if (!found) throw new ApiError(404, "price_alert_not_found", `You have no price alert ${id}.`);
      return { priceAlert: found };
    },
  }),
  route({
    method: "DELETE", path: `${P}/price-alerts/:id`, operationId: "deletePriceAlert", summary: "Delete one of my price alerts (it never fires after this)",
    auth: "bearer", params: s.PriceAlertParams, status: 204, errors: [404],
    async handler({ context, params, session }) {
      const id = param(s.PriceAlertId, params.id);
      if (!(await removePriceAlert(context, session.player.id, id))) throw new ApiError(404, "price_alert_not_found", `You have no price alert ${id}.`);
      return null;
    },
  }),
  route({
    method: "GET", path: `${P}/alert-preferences`, operationId: "getAlertPreferences",
    summary: "My alert settings: per kind push / inapp / off, quiet hours and their time zone",
    auth: "bearer", status: 200, response: s.PreferencesAnswer,
    async handler({ context, session }) {
      return prefsOut(await getPreferences(context.db, session.player.id));
    },
  }),
  route({
    method: "PUT", path: `${P}/alert-preferences`, operationId: "putAlertPreferences",
    summary: "Replace my alert settings (a kind left out is push; quietHours null for none)",
    auth: "bearer", body: s.Preferences, status: 200, response: s.PreferencesAnswer, errors: [413, 415],
    async handler({ context, body, session }) {
      const quiet = body.quietHours ? { start: clockToMinutes(body.quietHours.start)!, end: clockToMinutes(body.quietHours.end)! } : null;
      const saved = await savePreferences(context.db, session.player.id, { kinds: withDefaults(body.kinds), quietHours: quiet, timeZone: body.timeZone });
      if (!saved.ok) throw new ApiError(saved.status, saved.code, saved.message);
      return prefsOut(saved.preferences);
    },
  }),
];
