/**
 * /api/v1/leaderboards: the top traders, and /me: my own rank on a board, also outside the top.
 * /api/v1/privacy: whether I show on the leaderboards (players who hid themselves are left out of
 * every board others read, and others' ranks skip them; I still see my own place, marked hidden).
 */
import { z } from "zod";
import { BOARDS, WINDOWS, type Board, type Window } from "../../db/leaderboards/periods";
import { setShownOnLeaderboards, showsOnLeaderboards } from "../../db/leaderboards/privacy";
import { rankOf, topOf } from "../leaderboards/boards.server";
import { createRedis } from "../redis.server";
import { ApiError } from "./http.server";
import { route, type ApiRoute } from "./router.server";

const BoardQuery = {
  board: z.enum(BOARDS).optional().describe("profit (realised on market trades, FIFO cost basis, fees included), volume (copper traded, both sides) or worth (copper + stacks at last prices, now); default profit"),
  window: z.enum(WINDOWS).optional().describe("day (this UTC day), week (from Monday, UTC) or all; default all. worth has only all"),
};
const TopQuery = z.strictObject({ ...BoardQuery, limit: z.coerce.number().int().min(1).max(100).optional().describe("how many from the top (default 100, at most 100)") });
const MeQuery = z.strictObject(BoardQuery);

const Head = {
  board: z.enum(BOARDS),
  window: z.enum(WINDOWS),
  period: z.string().describe('"all", "d:<UTC day>" or "w:<Monday>"'),
  asOf: z.string().nullable().describe("When the boards last took in the event log (they follow it within about a minute)"),
  players: z.number().int().describe("How many players are on this board (players who hid themselves are not counted)"),
};
const Top = z.object({
  ...Head,
  entries: z.array(z.object({ rank: z.number().int(), playerId: z.string(), username: z.string(), bot: z.boolean().describe("An NPC trader of the demo world"), score: z.number().int().describe("Copper") })),
});
const Me = z.object({
  ...Head,
  players: z.number().int().describe("How many players are on this board as I see it: those shown, and I"),
  rank: z.number().int().nullable().describe("1 = top, among the players shown (hidden players above me do not count); null when I am not on this board (no trade in the window)"),
  score: z.number().int().nullable(),
  hidden: z.boolean().describe("I hid myself from the leaderboards (PUT /api/v1/privacy): only I see this rank, as the place I would have among those shown"),
});
const Privacy = z.strictObject({
  showOnLeaderboards: z.boolean().describe("Show me on the leaderboards (default true). When false, others do not see me on any board and their ranks skip me"),
});

function chosen(query: { board?: Board; window?: Window }): { board: Board; window: Window } {
  const board = query.board ?? "profit";
  const window = query.window ?? "all";
  if (board === "worth" && window !== "all") throw new ApiError(400, "invalid_request", "net worth is now: the worth board has only the window all", [{ path: "window", message: "use all (or leave it out) with board=worth" }]);
  return { board, window };
}

export const leaderboardRoutes: ApiRoute[] = [
  route({
    method: "GET",
    path: "/api/v1/leaderboards",
    operationId: "getLeaderboard",
    summary: "The top traders of a board (realised profit, traded value, net worth) for a window (day, week, all), from the Redis copy of the leaderboards; players who hid themselves are left out and the ranks close up",
    auth: "none",
    query: TopQuery,
    status: 200,
    response: Top,
    async handler({ context, query }) {
      const { board, window } = chosen(query);
      const top = await topOf({ redis: createRedis(context.env), db: context.db }, board, window, query.limit ?? 100);
      return { board, window, ...top };
    },
  }),
  route({
    method: "GET",
    path: "/api/v1/leaderboards/me",
    operationId: "getMyLeaderboardRank",
    summary: "My rank and score on a board for a window, also far outside the top 100",
    auth: "bearer",
    query: MeQuery,
    status: 200,
    response: Me,
    async handler({ context, query, session }) {
      const { board, window } = chosen(query);
      const boards = { redis: createRedis(context.env), db: context.db };
      return { board, window, ...(await rankOf(boards, session.player.id, board, window)) };
    },
  }),
  route({
    method: "GET",
    path: "/api/v1/privacy",
    operationId: "getPrivacy",
    summary: "My privacy settings: whether I show on the leaderboards",
    auth: "bearer",
    status: 200,
    response: Privacy,
    async handler({ context, session }) {
      return { showOnLeaderboards: await showsOnLeaderboards(context.db, session.player.id) };
    },
  }),
  route({
    method: "PUT",
    path: "/api/v1/privacy",
    operationId: "putPrivacy",
    summary: "Change my privacy settings: showOnLeaderboards false hides me from every leaderboard others see (a leaderboard_visibility_changed event records each change)",
    auth: "bearer",
    body: Privacy,
    status: 200,
    response: Privacy,
    errors: [413, 415],
    async handler({ context, body, session }) {
      const saved = await setShownOnLeaderboards(context.db, session.player.id, body.showOnLeaderboards);
      return { showOnLeaderboards: saved.shown };
    },
  }),
];
