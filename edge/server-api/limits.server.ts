/**
 * Trading limits per item type (issue 17, ADR 027): a game server with the "limits" scope, or an
 * operator allowed "trading-limits:change" by the policy module, reads and replaces them. Players
 * read the limits of a market's item (no secrets in them) to know before they trade.
 */
import { z } from "zod";
import { getTradingLimits, setTradingLimits, type ItemTypeLimits } from "../../db/limits/trading-limits";
import type { Failure } from "../../db/result";
import type { TradingLimits } from "../../party/settlement/limits";
import { ApiError } from "../api/http.server";
import { route, type ApiRoute } from "../api/router.server";
import { once } from "./routes.server";
import { actorOf } from "../../db/game-servers";

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "the item type must be given by its slug (lowercase letters, digits, -)");
const Params = z.strictObject({ slug: Slug });
const seconds = (field: string, min: number, max: number) =>
  z.int(`${field} must be a whole number of seconds`).min(min, `${field} must be at least ${min}`).max(max, `${field} must be at most ${max}`);
const count = (field: string, unit: string) => z.int(`${field} must be a whole number of ${unit}`).min(1, `${field} must be at least 1`).max(Number.MAX_SAFE_INTEGER);

export const LimitsIn = z.strictObject({
  buyLimit: count("buyLimit", "items").nullable().meta({ description: "items a player may buy in the item's market per rolling window (null: no limit)" }),
  buyWindowSeconds: seconds("buyWindowSeconds", 60, 2_592_000).default(14_400).meta({ description: "the buy limit's rolling window (default 4 hours)" }),
  minAccountAgeSeconds: seconds("minAccountAgeSeconds", 1, 31_536_000).nullable().meta({ description: "account age before a player may sell the item or put it in an offer they send (null: none)" }),
  newAccountMaxOrderValue: count("newAccountMaxOrderValue", "copper").nullable().meta({ description: "largest order value (copper) a new account may place; with newAccountAgeSeconds" }),
  newAccountAgeSeconds: seconds("newAccountAgeSeconds", 1, 31_536_000).nullable().meta({ description: "until this age an account is new (null with newAccountMaxOrderValue)" }),
});
export const LimitsOut = z.object({
  itemType: z.string(), market: z.string().nullable(), buyLimit: z.int().nullable(), buyWindowSeconds: z.int(), minAccountAgeSeconds: z.int().nullable(),
  newAccountMaxOrderValue: z.int().nullable(), newAccountAgeSeconds: z.int().nullable(), updatedBy: z.string().nullable(), updatedAt: z.string().nullable(),
});

const failure = (f: Failure) => new ApiError(f.status, f.code, f.message);
const DESCRIBE = "Buy limit per player per rolling window, account age to sell or offer, largest order value for new accounts. Refusals: 429 buy_limit_reached, 403 account_too_new / order_value_too_high, with Retry-After and the time in the message.";

async function read(db: Parameters<typeof getTradingLimits>[0], slug: string): Promise<ItemTypeLimits> {
  const found = await getTradingLimits(db, slug);
  if (!found.ok) throw failure(found);
  return found.limits;
}

export const limitRoutes: ApiRoute[] = [
  route({
    method: "GET", path: "/api/v1/item-types/:slug/limits", operationId: "getTradingLimits", summary: `An item type's trading limits. ${DESCRIBE}`,
    auth: "none", params: Params, status: 200, response: LimitsOut, errors: [404],
    async handler({ context, params }) {
      return read(context.db, params.slug);
    },
  }),
  route({
    method: "PUT", path: "/api/v1/server/item-types/:slug/limits", operationId: "serverSetTradingLimits", summary: `Replace an item type's trading limits (null turns one off). ${DESCRIBE}`,
    auth: "server", scope: "limits", idempotent: true, params: Params, body: LimitsIn, status: 200, response: LimitsOut, errors: [400, 401, 403, 404],
    async handler({ context, server, params, body }) {
      return once(context, server, async (tx) => {
        const set = await setTradingLimits(tx, params.slug, body as TradingLimits, actorOf(server.server));
        if (!set.ok) throw failure(set);
        return { status: 200, body: set.limits };
      });
    },
  }),
  route({
    method: "PUT", path: "/api/v1/operator/item-types/:slug/limits", operationId: "operatorSetTradingLimits", summary: `Operators: replace an item type's trading limits. ${DESCRIBE}`,
    auth: "bearer", policy: "trading-limits:change", params: Params, body: LimitsIn, status: 200, response: LimitsOut, errors: [400, 403, 404],
    async handler({ context, session, params, body }) {
      const set = await setTradingLimits(context.db, params.slug, body as TradingLimits, `operator:${session.player.id}`);
      if (!set.ok) throw failure(set);
      return set.limits;
    },
  }),
];
