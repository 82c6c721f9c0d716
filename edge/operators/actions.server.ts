/**
 * What an operator does to a player, shared by /api/v1/admin and the console pages: the same data
 * functions, the operator as the actor of every event. Callers demand the policy action first.
 */
import { sql } from "drizzle-orm";
import { rows, withTx } from "../../db/db";
import { freezePlayer, unfreezePlayer } from "../../db/game-servers";
import { getInventory } from "../../db/inventory";
import type { AppLoadContext } from "../context.server";
import { cancelOpenOrders } from "../server-api/routes.server";

export const operatorCtx = (operatorId: string) => ({ actor: `operator:${operatorId}` });

/** Freeze (the game-server API's freeze), then cancel the player's open orders through the rooms. */
export async function operatorFreeze(context: AppLoadContext, operatorId: string, playerId: string, reason: string) {
  const done = await withTx(context.db, (tx) => freezePlayer(tx, operatorCtx(operatorId), { playerId, reason }));
  if (!done.ok) return done;
  return { ...done, ...(await cancelOpenOrders(context, playerId)) };
}

export async function operatorUnfreeze(context: AppLoadContext, operatorId: string, playerId: string, reason: string) {
  const done = await withTx(context.db, (tx) => unfreezePlayer(tx, operatorCtx(operatorId), { playerId, reason }));
  if (!done.ok) return done;
  return { ...done, ordersCancelledIn: [] as string[], cancelFailedIn: [] as string[] };
}

export interface PlayerAccount {
  id: string;
  username: string;
  status: string;
  roles: string[];
  frozen: boolean;
  frozenAt: string | null;
  frozenBy: string | null;
  frozenReason: string | null;
  secondFactor: "off" | "pending" | "on";
}

export async function playerAccount(context: AppLoadContext, playerId: string): Promise<PlayerAccount | undefined> {
  const [p] = await rows<{ id: string; username: string; status: string; roles: string[]; frozen_at: string | null; frozen_by: string | null; frozen_reason: string | null; factor: "off" | "pending" | "on" }>(context.db, sql`
    select p.id::text as id, p.username, p.status, p.roles, p.frozen_at::text, p.frozen_by, p.frozen_reason,
      case when f.player_id is null then 'off' when f.confirmed_at is null then 'pending' else 'on' end as factor
    from players p left join second_factors f on f.player_id = p.id where p.id = ${playerId}`);
  if (!p) return undefined;
  return {
    id: p.id, username: p.username, status: p.status, roles: p.roles, frozen: p.frozen_at !== null,
    frozenAt: p.frozen_at ? new Date(p.frozen_at).toISOString() : null, frozenBy: p.frozen_by, frozenReason: p.frozen_reason,
    secondFactor: p.factor,
  };
}

export const playerInventory = (context: AppLoadContext, playerId: string) => getInventory(context.db, playerId);

/** Players whose username starts with the text (the console's find box). */
export async function findPlayers(context: AppLoadContext, text: string, limit = 20) {
  const like = `${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return rows<{ id: string; username: string; roles: string[]; frozen: boolean }>(context.db, sql`
    select id::text as id, username, roles, frozen_at is not null as frozen from players
    where lower(username) like ${like} order by username limit ${limit}`);
}

/** The player's own stream, newest first (the timeline proper is issue 18's later step). */
export async function recentPlayerEvents(context: AppLoadContext, playerId: string, limit = 20) {
  return rows<{ version: number; type: string; actor: string; at: string; payload: Record<string, unknown> }>(context.db, sql`
    select version, type, actor, created_at::text as at, payload from events where stream = ${`player:${playerId}`} order by version desc limit ${limit}`);
}
