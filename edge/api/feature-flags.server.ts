/**
 * Feature flags over /api/v1 (issue 21, ADR 026): a player reads the flags decided for them (the
 * same decision the pages get); admins list the rules and change one, with a reason, as a
 * `feature_flag_changed` event. The console's /console/features page calls the same functions.
 */
import { z } from "zod";
import { changeFeatureFlag, listFeatureFlags, type FeatureFlag } from "../../db/feature-flags";
import { flagsFor } from "../flags/flags.server";
import { ROLES } from "../policy/policy";
import { ApiError } from "./http.server";
import { route, type ApiRoute } from "./router.server";

const FlagKey = z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, "a flag key is lowercase letters, digits and -");
const Username = z.string().regex(/^[A-Za-z0-9_]{3,32}$/, "overrides name players by username (3 to 32 letters, digits, _)");
const Override = z.boolean().nullable();
export const FlagChangeBody = z.strictObject({
  enabled: z.boolean().optional().meta({ description: "off for everyone but the overrides when false" }),
  rolloutPercent: z.int("rolloutPercent must be a whole number from 0 to 100").min(0, "rolloutPercent must be at least 0").max(100, "rolloutPercent must be at most 100").optional()
    .meta({ description: "the share of signed-in players, by a stable hash of the flag and the player's id, who get it while enabled" }),
  players: z.record(Username, Override).optional().meta({ description: "username -> true/false (wins over everything), null removes the override" }),
  roles: z.record(z.enum(ROLES, `roles are ${ROLES.join(", ")}`), Override).optional().meta({ description: "role -> true/false (wins over the rollout), null removes the override" }),
  reason: z.string().trim().min(3, "say why in a few words (reason: 3 to 500 characters)").max(500, "reason: at most 500 characters"),
});
const Flag = z.object({
  key: z.string(), description: z.string(), enabled: z.boolean(), rolloutPercent: z.int(),
  players: z.record(z.string(), z.object({ username: z.string(), on: z.boolean() })).describe("player id -> the override"),
  roles: z.record(z.string(), z.boolean()), updatedBy: z.string().nullable(), updatedByName: z.string().nullable().describe("the operator's username"), updatedAt: z.string(),
});
const FlagParams = z.strictObject({ key: FlagKey });

export const shapeFlag = (f: FeatureFlag) => ({
  key: f.key, description: f.description, enabled: f.enabled, rolloutPercent: f.rolloutPercent, roles: f.roles, updatedBy: f.updatedBy, updatedByName: f.updatedByName, updatedAt: f.updatedAt,
  players: Object.fromEntries(Object.entries(f.players).map(([id, on]) => [id, { username: f.playerNames[id] ?? id, on }])),
});

export const featureFlagRoutes: ApiRoute[] = [
  route({
    method: "GET", path: "/api/v1/me/flags", operationId: "getMyFlags", summary: "The feature flags decided for me: flag key -> on/off (stable per player: an A/B arm does not change between calls)",
    auth: "bearer", status: 200, response: z.object({ flags: z.record(z.string(), z.boolean()) }), errors: [401],
    async handler({ context, session }) {
      return { flags: await flagsFor(context, session.player) };
    },
  }),
  route({
    method: "GET", path: "/api/v1/admin/feature-flags", operationId: "adminListFeatureFlags", summary: "Operators: every feature flag's rule (on/off, rollout percentage, per-role and per-player overrides)",
    auth: "bearer", policy: "audit:read", status: 200, response: z.object({ flags: z.array(Flag) }), errors: [403],
    async handler({ context }) {
      return { flags: (await listFeatureFlags(context.db)).map(shapeFlag) };
    },
  }),
  route({
    method: "PATCH", path: "/api/v1/admin/feature-flags/:key", operationId: "adminChangeFeatureFlag",
    summary: "Admins: change a feature flag (fields left out stay); recorded with the reason as a feature_flag_changed event. Every isolate sees it within FLAG_CACHE_TTL_MS (10 s).",
    auth: "bearer", policy: "feature-flag:change", params: FlagParams, body: FlagChangeBody, status: 200,
    response: z.object({ flag: Flag, changed: z.boolean() }), errors: [400, 403, 404],
    async handler({ context, session, params, body }) {
      const done = await changeFeatureFlag(context.db, `operator:${session.player.id}`, params.key, body, ROLES);
      if (!done.ok) throw new ApiError(done.status, done.code, done.message);
      return { flag: shapeFlag(done.flag), changed: done.changed };
    },
  }),
];
