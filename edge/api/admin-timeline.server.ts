/**
 * GET /api/v1/admin/players/:id/timeline (issue 18): a player's balances over time, linked
 * accounts and sessions, for support and up (the console's /console/players/:id/timeline shows the
 * same). The events themselves: GET /api/v1/admin/events?ref=<player id>.
 */
import { z } from "zod";
import { balanceHistory, linkedAccounts, sessionHistory } from "../../db/operators/timeline";
import { playerAccount } from "../operators/actions.server";
import * as srv from "../server-api/schemas";
import { ApiError } from "./http.server";
import { route, type ApiRoute } from "./router.server";
import { ADMIN_PREFIX } from "./admin.server";

const Time = z.string().nullable();
const Timeline = z.object({
  playerId: z.uuid(),
  balances: z.object({
    through: Time.describe("the newest event the audit index holds: the history is complete up to there"),
    series: z.array(z.object({
      asset: z.int().describe("0 is gold (copper units), else an item type's id"),
      name: z.string(),
      points: z.array(z.object({ day: z.string(), balance: z.int().describe("available + reserved at the end of the day") })),
    })),
  }),
  linked: z.array(z.object({
    playerId: z.uuid(), username: z.string(),
    sharedDevices: z.int().describe("browsers (device cookies) both players signed in from"),
    trades: z.int(), tradedValue: z.int().describe("copper that changed hands in fills between the two"), lastSeen: Time,
  })),
  sessions: z.array(z.object({
    kind: z.enum(["web", "api"]), label: z.string().nullable(), device: z.string().nullable(), place: z.string().nullable(),
    createdAt: z.string(), lastUsedAt: Time, expiresAt: z.string(), revokedAt: Time,
  })),
});

export const adminTimelineRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${ADMIN_PREFIX}/players/:id/timeline`, operationId: "adminPlayerTimeline",
    summary: "Operators: a player's balances day by day, linked accounts (shared browsers, frequent counterparties), sessions and tokens",
    auth: "bearer", policy: "player:read-any", params: srv.PlayerParams, status: 200, response: Timeline, errors: [403, 404],
    async handler({ context, params }) {
      if (!(await playerAccount(context, params.id))) throw new ApiError(404, "unknown_player", `there is no player ${params.id}`);
      const [balances, linked, sessions] = await Promise.all([balanceHistory(context.db, params.id), linkedAccounts(context.db, params.id), sessionHistory(context.db, params.id)]);
      return { playerId: params.id, balances, linked, sessions };
    },
  }),
];
