/**
 * /api/v1/admin (issue 18): operators' API. Each route names its policy action (edge/policy/policy.ts);
 * the router demands it before the handler runs, and the operator is the actor of every event written.
 */
import { z } from "zod";
import { changeRoles } from "../../db/operators/roles";
import { resetSecondFactor } from "../../db/security/reset";
import type { Failure } from "../../db/result";
import { operatorCtx, operatorFreeze, operatorUnfreeze, playerAccount, playerInventory } from "../operators/actions.server";
import { ROLES } from "../policy/policy";
import * as srv from "../server-api/schemas";
import { ApiError } from "./http.server";
import { route, type ApiRoute } from "./router.server";
import * as s from "./schemas";

export const ADMIN_PREFIX = "/api/v1/admin";

const Reason = z.string().trim().min(3, "say why in a few words (reason: 3 to 200 characters)").max(200, "reason: at most 200 characters");
const RoleName = z.enum(ROLES, `roles are ${ROLES.join(", ")}`);
const RolesBody = z.strictObject({ roles: z.array(RoleName).max(ROLES.length), reason: Reason });
const FreezeBody = z.strictObject({ reason: Reason });
const AdminPlayer = z.object({
  id: z.uuid(), username: z.string(), status: z.string(), roles: z.array(z.string()),
  frozen: z.boolean(), frozenAt: z.string().nullable(), frozenBy: z.string().nullable(), frozenReason: z.string().nullable(),
  secondFactor: z.enum(["off", "pending", "on"]).describe("the player's two-factor sign-in"),
  inventory: s.Inventory,
});
const ResetBody = z.strictObject({ reason: Reason });
const ResetAnswer = z.object({
  playerId: z.uuid(),
  secondFactor: z.literal("off"),
  recoveryCodesRemoved: z.number().int().describe("unused recovery codes deleted"),
  sessionsRevoked: z.number().int().describe("web sessions and API tokens revoked"),
});
const RolesAnswer = z.object({ playerId: z.uuid(), roles: z.array(z.string()), previous: z.array(z.string()), changed: z.boolean() });

const failure = (f: Failure) => new ApiError(f.status, f.code, f.message);

export const adminRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${ADMIN_PREFIX}/players/:id`, operationId: "adminGetPlayer", summary: "Operators: a player's account, roles, freeze state and inventory",
    auth: "bearer", policy: "player:read-any", params: srv.PlayerParams, status: 200, response: AdminPlayer, errors: [403, 404],
    async handler({ context, params }) {
      const account = await playerAccount(context, params.id);
      if (!account) throw new ApiError(404, "unknown_player", `there is no player ${params.id}`);
      return { ...account, inventory: await playerInventory(context, params.id) };
    },
  }),
  route({
    method: "PUT", path: `${ADMIN_PREFIX}/players/:id/roles`, operationId: "adminSetRoles", summary: "Admins: set a player's roles (player is always kept); recorded as a player_roles_changed event",
    auth: "bearer", policy: "roles:change", params: srv.PlayerParams, body: RolesBody, status: 200, response: RolesAnswer, errors: [403, 404],
    async handler({ context, session, params, body }) {
      const done = await changeRoles(context.db, operatorCtx(session.player.id), { playerId: params.id, roles: body.roles, reason: body.reason });
      if (!done.ok) throw failure(done);
      return { playerId: params.id, roles: done.roles, previous: done.previous, changed: done.changed };
    },
  }),
  route({
    method: "POST", path: `${ADMIN_PREFIX}/players/:id/freeze`, operationId: "adminFreezePlayer",
    summary: "Moderators: freeze a player with a reason (the same freeze as the game-server API's: trading and API refused, open orders cancelled)",
    auth: "bearer", policy: "player:freeze", params: srv.PlayerParams, body: FreezeBody, status: 200, response: srv.FreezeAnswer, errors: [403, 404, 409],
    async handler({ context, session, params, body }) {
      const done = await operatorFreeze(context, session.player.id, params.id, body.reason);
      if (!done.ok) throw failure(done);
      return { ...done.state, changed: done.changed, ordersCancelledIn: done.ordersCancelledIn, cancelFailedIn: done.cancelFailedIn };
    },
  }),
  route({
    method: "POST", path: `${ADMIN_PREFIX}/players/:id/unfreeze`, operationId: "adminUnfreezePlayer", summary: "Moderators: unfreeze a player with a reason, whoever froze them",
    auth: "bearer", policy: "player:freeze", stepUp: "player:unfreeze", params: srv.PlayerParams, body: FreezeBody, status: 200, response: srv.FreezeAnswer, errors: [403, 404],
    async handler({ context, session, params, body }) {
      const done = await operatorUnfreeze(context, session.player.id, params.id, body.reason);
      if (!done.ok) throw failure(done);
      return { ...done.state, changed: done.changed, ordersCancelledIn: [], cancelFailedIn: [] };
    },
  }),
  route({
    method: "POST", path: `${ADMIN_PREFIX}/players/:id/second-factor/reset`, operationId: "adminResetSecondFactor",
    summary: "Admins: reset a player's two-factor sign-in with a reason (the factor and recovery codes deleted, every session and API token revoked); recorded as a second_factor_reset event",
    auth: "bearer", policy: "second-factor:reset", params: srv.PlayerParams, body: ResetBody, status: 200, response: ResetAnswer, errors: [403, 404, 409],
    async handler({ context, session, params, body }) {
      const done = await resetSecondFactor(context.db, operatorCtx(session.player.id), { playerId: params.id, reason: body.reason });
      if (!done.ok) throw failure(done);
      return { playerId: params.id, secondFactor: "off" as const, recoveryCodesRemoved: done.recoveryCodesRemoved, sessionsRevoked: done.sessionsRevoked };
    },
  }),
];
