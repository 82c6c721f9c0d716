/** Schemas of the alert endpoints (validation and OpenAPI share them). Prices: integer copper. */
import { z } from "zod";
import { ALERT_KINDS } from "../../app/utils/alerts/text";
import { MAX_COOLDOWN_SECONDS, MIN_COOLDOWN_SECONDS } from "../../app/utils/alerts/price-form";
import { MAX_PRICE } from "../../party/bounds";
import { positiveSafeInt, queryPositiveInt } from "../validation";

export const AlertsQuery = z.strictObject({
  cursor: z.string().max(200, "cursor must be at most 200 characters").optional().describe("nextCursor of the previous page"),
  limit: queryPositiveInt("limit", 100).optional().describe("alerts per page, 1-100 (default 30)"),
});

const Alert = z.object({
  id: z.uuid().describe("idempotent id: the push message's tag and the center's key"),
  kind: z.enum(ALERT_KINDS),
  title: z.string(),
  body: z.string(),
  url: z.string().describe("where the alert leads in the app"),
  icon: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export const AlertPage = z.object({ alerts: z.array(Alert), nextCursor: z.string().nullable(), unread: z.int().describe("unread alerts, counted up to 100") });

export const MarkRead = z.strictObject({
  ids: z.array(z.uuid("each id must be an alert's uuid"), "ids must be an array of alert ids").min(1, "ids must name at least one alert").max(100, "ids may name at most 100 alerts"),
});
export const MarkedRead = z.object({ marked: z.int(), unread: z.int() });

const Direction = z.enum(["above", "below"], "direction must be above or below");
export const CreatePriceAlert = z.strictObject({
  market: z.string("market must be a market's slug").regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "market must be a market's slug (lowercase letters, digits and -)"),
  direction: Direction.describe("above: fires on a trade at or above price; below: at or below"),
  price: positiveSafeInt("price", MAX_PRICE).describe("copper per item, a multiple of the market's tick size"),
  cooldownSeconds: z
    .number("cooldownSeconds must be a number or null")
    .int("cooldownSeconds must be a whole number")
    .min(MIN_COOLDOWN_SECONDS, `cooldownSeconds must be at least ${MIN_COOLDOWN_SECONDS}`)
    .max(MAX_COOLDOWN_SECONDS, `cooldownSeconds must be at most ${MAX_COOLDOWN_SECONDS} (7 days)`)
    .nullable()
    .default(null)
    .describe("null (default): fires once; otherwise repeats, at most once per this many seconds"),
});
export const PriceAlert = z.object({
  id: z.uuid(), market: z.string(), itemName: z.string(), direction: Direction, price: z.int(), cooldownSeconds: z.int().nullable(),
  status: z.enum(["active", "triggered"]), createdAt: z.string(), lastFiredAt: z.string().nullable(),
});
export const PriceAlertAnswer = z.object({ priceAlert: PriceAlert });
export const PriceAlertList = z.object({ priceAlerts: z.array(PriceAlert), limit: z.int() });
export const PriceAlertsQuery = z.strictObject({
  market: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "market must be a market's slug").optional(),
});
export const PriceAlertParams = z.strictObject({ id: z.string() });
export const PriceAlertId = z.uuid("price alert id must be a uuid");

const Mode = z.enum(["push", "inapp", "off"], "each kind must be push, inapp or off");
const Clock = z.string("times must be HH:MM strings").regex(/^([01]\d|2[0-3]):[0-5]\d$/, "times must be HH:MM, 00:00-23:59");
export const Preferences = z.strictObject({
  kinds: z.partialRecord(z.enum(ALERT_KINDS), Mode).describe("per kind: push, inapp (the notification center only) or off; a kind left out is push"),
  quietHours: z.strictObject({ start: Clock, end: Clock }).nullable().describe("pushes inside these local hours wait until they end"),
  timeZone: z.string("timeZone must be a string").min(1).max(64, "timeZone must be at most 64 characters").describe("IANA time zone of the quiet hours, e.g. Europe/Paris"),
});
export const PreferencesAnswer = z.object({
  kinds: z.record(z.enum(ALERT_KINDS), Mode),
  quietHours: z.object({ start: Clock, end: Clock }).nullable(),
  timeZone: z.string(),
});
