/** The /api/v1 route table. The OpenAPI document (openapi.server.ts) is generated from it. */
import { getInventory } from "../../db/inventory";
import { checkCredentials } from "../auth/signin.server";
import { downMessage, health, RETRY_AFTER_SECONDS } from "../health.server";
import { BUILD_MIGRATION, readiness } from "../ready.server";
import { createRedis } from "../redis.server";
import { recordSessionDevice } from "../../db/security/sessions";
import { describeDevice, describePlace } from "../security/device";
import { listApiTokens, openSession, revokeSession } from "../auth/sessions.server";
import { ApiError } from "./http.server";
import { searchItemTypes } from "./item-types.server";
import { route, type ApiRoute } from "./router.server";
import { marketRoutes } from "./markets.server";
import { offerRoutes } from "./offers.server";
import { alertRoutes } from "./alerts.server";
import { economyRoutes } from "./economy.server";
import { leaderboardRoutes } from "./leaderboards.server";
import { operatorRoutes, serverRoutes } from "../server-api/routes.server";
import { feedRoutes } from "../server-api/feed.server";
import { limitRoutes } from "../server-api/limits.server";
import { featureFlagRoutes } from "./feature-flags.server";
import { pushRoutes } from "./push.server";
import { passkeyRoutes } from "./passkeys.server";
import { adminRoutes } from "./admin.server";
import { auditRoutes } from "./audit.server";
import { adminTimelineRoutes } from "./admin-timeline.server";
import { reviewRoutes } from "./review.server";
import * as s from "./schemas";
import { hasSecondFactor } from "../../db/security/second-factor";
import { checkCodeLimited } from "../auth/second-factor.server";
import { masterSecret } from "../server-api/auth.server";

export const API_PREFIX = "/api/v1";

export const apiRoutes: ApiRoute[] = [
  route({
    method: "GET",
    path: `${API_PREFIX}/healthz`,
    operationId: "getHealth",
    summary: "Health of each part: the database (a round trip) and the market rooms; 503 with Retry-After while one is down",
    auth: "none",
    status: 200,
    response: s.Health,
    errors: [503],
    async handler({ context }) {
      const state = await health(context.env);
      const down = downMessage(state);
      if (down) {
        console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "healthz: a part is down", requestId: context.requestId, traceId: context.traceId, ...state }));
        throw new ApiError(503, "unavailable", `${down} (database: ${state.db}, rooms: ${state.rooms})`, undefined, { "Retry-After": RETRY_AFTER_SECONDS });
      }
      return state;
    },
  }),
  route({
    method: "GET",
    path: `${API_PREFIX}/livez`,
    operationId: "getLiveness",
    summary: "Liveness: the worker answers (touches no database, so an outage elsewhere never restarts healthy workers)",
    auth: "none",
    status: 200,
    response: s.Liveness,
    async handler() {
      return { live: true as const };
    },
  }),
  route({
    method: "GET",
    path: `${API_PREFIX}/readyz`,
    operationId: "getReadiness",
    summary: "Readiness: the database answers and has every migration this build needs, and the market rooms answer; 503 naming what is not ready",
    auth: "none",
    status: 200,
    response: s.Readiness,
    errors: [503],
    async handler({ context }) {
      const state = await readiness(context.env);
      if (!state.ready) {
        console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "readyz: not ready", requestId: context.requestId, traceId: context.traceId, db: state.db, migrations: state.migrations, rooms: state.rooms }));
        throw new ApiError(503, "not_ready", `Not ready: ${state.problems.join("; ")}.`, undefined, { "Retry-After": RETRY_AFTER_SECONDS });
      }
      return { ready: true as const, db: state.db, migrations: state.migrations === "current" ? ("current" as const) : ("unknown" as const), rooms: state.rooms, build: { migrations: BUILD_MIGRATION.count, last: BUILD_MIGRATION.tag } };
    },
  }),
  route({
    method: "GET",
    path: `${API_PREFIX}/item-types`,
    operationId: "listItemTypes",
    summary: "Search the item catalog (full text, category), paged by cursor",
    auth: "none",
    query: s.ItemTypesQuery,
    status: 200,
    response: s.ItemTypePage,
    async handler({ context, query }) {
      return searchItemTypes(context.db, query);
    },
  }),
  route({
    method: "GET",
    path: `${API_PREFIX}/me`,
    operationId: "getMe",
    summary: "The player this token belongs to",
    auth: "bearer",
    status: 200,
    response: s.Me,
    async handler({ session }) {
      return session.player;
    },
  }),
  route({
    method: "GET",
    path: `${API_PREFIX}/inventory`,
    operationId: "getInventory",
    summary: "My currency (integer copper), stacks and unique items",
    auth: "bearer",
    status: 200,
    response: s.Inventory,
    async handler({ context, session }) {
      return getInventory(context.db, session.player.id);
    },
  }),
  route({
    method: "POST",
    path: `${API_PREFIX}/tokens`,
    operationId: "createToken",
    summary: "Exchange a username and password for a bearer token (valid 90 days)",
    auth: "none",
    body: s.CreateToken,
    status: 201,
    response: s.CreatedToken,
    errors: [401, 403, 413, 415, 429],
    async handler({ request, context, body }) {
      const checked = await checkCredentials(context.db, { username: body.username, password: body.password }, createRedis(context.env));
      if (!checked.ok) throw new ApiError(checked.status, checked.code, checked.message);
      // Two-factor sign-in on: a token is a sign-in too, so it needs the code (ADR 028).
      if (await hasSecondFactor(context.db, checked.playerId)) {
        if (!body.code) throw new ApiError(401, "second_factor_required", "This account has two-factor sign-in on: send the current 6-digit code (or a recovery code) in \"code\".");
        const factor = await checkCodeLimited(context.db, createRedis(context.env), masterSecret(context.env), checked.playerId, body.code);
        if (!factor.ok) throw new ApiError(factor.status, factor.code, factor.message);
      }
      const issued = await openSession(context.db, checked.playerId, "api", body.label);
      // Where the token was made, for my sessions list; a token is no "device" (no new-device alert).
      await recordSessionDevice(context.db, { sessionId: issued.id, playerId: checked.playerId, device: describeDevice(request.headers.get("User-Agent")), place: describePlace(request), deviceKey: null, apiToken: true });
      return { id: issued.id, label: body.label, expiresAt: issued.expiresAt.toISOString(), token: issued.token };
    },
  }),
  route({
    method: "GET",
    path: `${API_PREFIX}/tokens`,
    operationId: "listTokens",
    summary: "My live API tokens (never the tokens themselves)",
    auth: "bearer",
    status: 200,
    response: s.TokenList,
    async handler({ context, session }) {
      const tokens = await listApiTokens(context.db, session.player.id);
      const iso = (d: Date | null) => (d ? d.toISOString() : null);
      return { tokens: tokens.map((t) => ({ ...t, createdAt: iso(t.createdAt), expiresAt: iso(t.expiresAt), lastUsedAt: iso(t.lastUsedAt) })) };
    },
  }),
  route({
    method: "DELETE",
    path: `${API_PREFIX}/tokens/:id`,
    operationId: "revokeToken",
    summary: "Revoke one of my API tokens (it stops working at once)",
    auth: "bearer",
    params: s.TokenParams,
    status: 204,
    errors: [404],
    async handler({ context, session, params }) {
      const revoked = await revokeSession(context.db, session.player.id, params.id, "api");
      if (!revoked) throw new ApiError(404, "token_not_found", "you have no live token with this id");
      return null;
    },
  }),
  ...marketRoutes,
  ...offerRoutes,
  ...alertRoutes,
  ...economyRoutes,
  ...leaderboardRoutes,
  ...serverRoutes,
  ...feedRoutes,
  ...limitRoutes,
  ...featureFlagRoutes,
  ...operatorRoutes,
  ...pushRoutes,
  ...passkeyRoutes,
  ...adminRoutes,
  ...adminTimelineRoutes,
  ...auditRoutes,
  ...reviewRoutes,
];
