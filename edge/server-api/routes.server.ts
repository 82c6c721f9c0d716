/**
 * /api/v1/server/*: the game-server API (issue 17, ADR 015), and /api/v1/operator/game-servers for
 * operators. Thin adapters: authentication is the router's (auth "server": signed requests, scopes),
 * exactly-once answers are db/game-servers/idempotency.ts, the work is db/game-servers.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/db";
import {
  actorOf, addKey, applyBurn, applyGrants, createItemType, createServer, freezePlayer, GrantLineError, idempotent, listServers,
  MintLimitExceeded, openOrderMarkets, revokeKey, unfreezePlayer, updateItemType, updateServer, useNonce, type GrantLine, type StoredAnswer,
} from "../../db/game-servers";
import { getInventory } from "../../db/inventory";
import { LedgerError } from "../../db/ledger";
import type { Failure } from "../../db/result";
import type { ActiveSession } from "../auth/sessions.server";
import type { AppLoadContext } from "../context.server";
import { sendCommand } from "../market/room.server";
import { ApiError, json } from "../api/http.server";
import { route, type ApiRoute } from "../api/router.server";
import * as api from "../api/schemas";
import { masterSecret, replayed, type AuthedServer } from "./auth.server";
import * as s from "./schemas";

const P = "/api/v1/server";
const OP = "/api/v1/operator/game-servers";

const failure = (f: Failure) => new ApiError(f.status, f.code, f.message);

/** Expected failures thrown inside the transaction (it rolls back), as API errors. */
function asApiError(error: unknown): unknown {
  if (error instanceof GrantLineError) {
    return new ApiError(error.status, error.code, error.message, error.index === null ? undefined : [{ path: `grants.${error.index}`, message: error.message }]);
  }
  if (error instanceof LedgerError) return new ApiError(error.status === 500 ? 500 : error.status, error.code, error.message);
  if (error instanceof MintLimitExceeded) return new ApiError(429, "mint_limit_exceeded", error.message);
  return error;
}

/**
 * A mutating call, exactly once per Idempotency-Key: the key row, the action and the stored answer
 * commit together. A replay answers with the stored status and body, and `Idempotent-Replayed: true`.
 */
export async function once(context: AppLoadContext, server: AuthedServer, act: (tx: Db) => Promise<StoredAnswer>): Promise<Response> {
  if (!server.idempotencyKey) {
    throw new ApiError(400, "idempotency_key_required", "send an Idempotency-Key header (8-128 characters of A-Z a-z 0-9 _ . : -), new for each operation and the same on its retries, and include it in the signature");
  }
  let result;
  try {
    result = await idempotent(context.db, `server:${server.server.id}`, server.idempotencyKey, server.requestHash, act, server.pendingNonce ?? undefined);
  } catch (error) {
    // Rolled back with the action: record the nonce now, so that this failed request cannot be replayed later.
    const n = server.pendingNonce;
    if (n && !(await useNonce(context.db, n.keyId, n.nonce, n.windowSeconds).catch(() => true))) throw replayed(n.keyId, n.nonce);
    throw asApiError(error);
  }
  if ("replayedRequest" in result) throw replayed(server.keyId, server.pendingNonce?.nonce ?? "");
  if ("conflict" in result) throw new ApiError(409, "idempotency_key_reused", result.conflict);
  return json(result.body, result.status, { "Idempotent-Replayed": String(result.replayed) });
}

const ctxOf = (server: AuthedServer, context: AppLoadContext) => ({ actor: actorOf(server.server), correlationId: context.requestId });

function requireScopes(server: AuthedServer, lines: GrantLine[]): void {
  const needs = new Set(lines.map((l): "mint:currency" | "mint:items" => (l.kind === "currency" ? "mint:currency" : "mint:items")));
  for (const scope of needs) {
    if (!server.server.scopes.includes(scope)) {
      throw new ApiError(403, "missing_scope", `game server ${server.server.name} does not have the scope ${scope} that ${scope === "mint:currency" ? "currency" : "item"} grants need`);
    }
  }
}

async function grant(context: AppLoadContext, server: AuthedServer, lines: GrantLine[], reason: string | undefined, shape: (r: Awaited<ReturnType<typeof applyGrants>>) => unknown, batch = false) {
  requireScopes(server, lines);
  return once(context, server, async (tx) => ({ status: 201, body: shape(await applyGrants(tx, ctxOf(server, context), server.server, lines, reason ?? null, batch)) }));
}

/** After a freeze committed: cancel the player's open orders through each market's room (the book stays right). */
export async function cancelOpenOrders(context: AppLoadContext, playerId: string) {
  const cancelled: string[] = [];
  const failed: string[] = [];
  for (const slug of await openOrderMarkets(context.db, playerId)) {
    try {
      const answer = await sendCommand(context.env, slug, playerId, { type: "cancelAll" }, context.trace);
      (answer.ok ? cancelled : failed).push(slug);
    } catch {
      failed.push(slug);
    }
  }
  return { ordersCancelledIn: cancelled, cancelFailedIn: failed };
}


export const serverRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${P}/me`, operationId: "serverGetMe", summary: "The calling game server: its name, scopes, mint limits and what it minted this hour",
    auth: "server", status: 200, response: s.ServerMe, errors: [401],
    async handler({ context, server }) {
      const used = await rows<{ kind: "currency" | "items"; amount: string }>(context.db, sql`
        select kind, amount::text from server_mint_usage where server_id = ${server.server.id} and hour = date_trunc('hour', now())`);
      const minted = { currency: 0, items: 0 };
      for (const u of used) minted[u.kind] = Number(u.amount);
      return { name: server.server.name, keyId: server.keyId, scopes: server.server.scopes, mintLimits: server.server.mintLimits, mintedThisHour: minted };
    },
  }),
  route({
    method: "POST", path: `${P}/currency/mint`, operationId: "serverMintCurrency", summary: "Mint currency (copper) to a player: a faucet",
    auth: "server", scope: "mint:currency", idempotent: true, body: s.MintCurrency, status: 201, response: s.GrantResult, errors: [401, 403, 404, 409, 429],
    async handler({ context, server, body }) {
      return grant(context, server, [{ kind: "currency", playerId: body.playerId, amount: body.amount }], body.reason, (r) => r[0]);
    },
  }),
  route({
    method: "POST", path: `${P}/currency/burn`, operationId: "serverBurnCurrency", summary: "Burn currency from a player's available balance: a sink",
    auth: "server", scope: "burn", idempotent: true, body: s.BurnCurrency, status: 200, response: s.Burned, errors: [401, 403, 404, 409],
    async handler({ context, server, body }) {
      return once(context, server, async (tx) => {
        await applyBurn(tx, ctxOf(server, context), server.server, { kind: "currency", playerId: body.playerId, amount: body.amount }, body.reason ?? null);
        return { status: 200, body: { burned: true } };
      });
    },
  }),
  route({
    method: "POST", path: `${P}/items/grant`, operationId: "serverGrantItems", summary: "Grant a quantity of a stackable item type to a player",
    auth: "server", scope: "mint:items", idempotent: true, body: s.GrantStack, status: 201, response: s.GrantResult, errors: [401, 403, 404, 409, 429],
    async handler({ context, server, body }) {
      return grant(context, server, [{ kind: "stack", playerId: body.playerId, itemType: body.itemType, quantity: body.quantity }], body.reason, (r) => r[0]);
    },
  }),
  route({
    method: "POST", path: `${P}/items/burn`, operationId: "serverBurnItems", summary: "Burn a quantity of a stackable item from a player's available holding",
    auth: "server", scope: "burn", idempotent: true, body: s.BurnStack, status: 200, response: s.Burned, errors: [401, 403, 404, 409],
    async handler({ context, server, body }) {
      return once(context, server, async (tx) => {
        await applyBurn(tx, ctxOf(server, context), server.server, { kind: "stack", playerId: body.playerId, itemType: body.itemType, quantity: body.quantity }, body.reason ?? null);
        return { status: 200, body: { burned: true } };
      });
    },
  }),
  route({
    method: "POST", path: `${P}/items/mint`, operationId: "serverMintUnique", summary: "Mint one unique item with metadata (checked against its item type's metadataSchema)",
    auth: "server", scope: "mint:items", idempotent: true, body: s.MintUnique, status: 201, response: s.GrantResult, errors: [401, 403, 404, 409, 429],
    async handler({ context, server, body }) {
      return grant(context, server, [{ kind: "unique", playerId: body.playerId, itemType: body.itemType, metadata: body.metadata }], body.reason, (r) => r[0]);
    },
  }),
  route({
    method: "POST", path: `${P}/items/:id/burn`, operationId: "serverBurnUnique", summary: "Burn one unique item its owner holds (not escrowed in an offer)",
    auth: "server", scope: "burn", idempotent: true, params: s.ItemParams, body: s.BurnUnique, status: 200, response: s.Burned, errors: [401, 403, 404, 409],
    async handler({ context, server, body, params }) {
      return once(context, server, async (tx) => {
        await applyBurn(tx, ctxOf(server, context), server.server, { kind: "unique", playerId: body.playerId, itemId: params.id }, body.reason ?? null);
        return { status: 200, body: { burned: true } };
      });
    },
  }),
  route({
    method: "POST", path: `${P}/grants`, operationId: "serverGrantBatch",
    summary: "Many grants (currency, stacks, unique items) in one transaction, all or nothing (a raid's loot); a bad line is named by index (issues[0].path = grants.<i>)",
    auth: "server", idempotent: true, body: s.Grants, status: 201, response: s.GrantsAnswer, errors: [401, 403, 404, 409, 429],
    async handler({ context, server, body }) {
      return grant(context, server, body.grants, body.reason, (r) => ({ grants: r }), true);
    },
  }),
  route({
    method: "POST", path: `${P}/item-types`, operationId: "serverCreateItemType", summary: "Create an item type; a stackable one gets its market (tick, lot, fees)",
    auth: "server", scope: "catalog", idempotent: true, body: s.CreateItemType, status: 201, response: s.ServerItemType, errors: [401, 403, 409],
    async handler({ context, server, body }) {
      return once(context, server, async (tx) => {
        const made = await createItemType(tx, ctxOf(server, context), body);
        if (!made.ok) throw failure(made);
        return { status: 201, body: made.itemType };
      });
    },
  }),
  route({
    method: "PATCH", path: `${P}/item-types/:slug`, operationId: "serverUpdateItemType", summary: "Change an item type's name, description, category, icon or metadataSchema",
    auth: "server", scope: "catalog", idempotent: true, params: s.ItemTypeParams, body: s.UpdateItemType, status: 200, response: s.ServerItemType, errors: [401, 403, 404],
    async handler({ context, server, body, params }) {
      return once(context, server, async (tx) => {
        const changed = await updateItemType(tx, ctxOf(server, context), params.slug, body);
        if (!changed.ok) throw failure(changed);
        return { status: 200, body: changed.itemType };
      });
    },
  }),
  route({
    method: "POST", path: `${P}/players/:id/freeze`, operationId: "serverFreezePlayer",
    summary: "Freeze a player: no trading, no API; open orders cancelled through their markets; funds and items stay theirs",
    auth: "server", scope: "players:freeze", idempotent: true, params: s.PlayerParams, body: s.Freeze, status: 200, response: s.FreezeAnswer, errors: [401, 403, 404, 409],
    async handler({ context, server, body, params }) {
      const response = await once(context, server, async (tx) => {
        const done = await freezePlayer(tx, ctxOf(server, context), { playerId: params.id, reason: body.reason });
        if (!done.ok) throw failure(done);
        return { status: 200, body: { ...done.state, changed: done.changed } };
      });
      // Also on a replay: cancelling is idempotent, and a market that did not answer the first time gets another go.
      const stored = (await response.json()) as Record<string, unknown>;
      return json({ ...stored, ...(await cancelOpenOrders(context, params.id)) }, 200, { "Idempotent-Replayed": response.headers.get("Idempotent-Replayed") ?? "false" });
    },
  }),
  route({
    method: "POST", path: `${P}/players/:id/unfreeze`, operationId: "serverUnfreezePlayer", summary: "Unfreeze a player frozen by a game server: trading and API calls work again",
    auth: "server", scope: "players:freeze", idempotent: true, params: s.PlayerParams, body: s.Unfreeze, status: 200, response: s.FreezeAnswer, errors: [401, 403, 404],
    async handler({ context, server, body, params }) {
      return once(context, server, async (tx) => {
        const done = await unfreezePlayer(tx, ctxOf(server, context), { playerId: params.id, reason: body.reason ?? null });
        if (!done.ok) throw failure(done);
        return { status: 200, body: { ...done.state, changed: done.changed, ordersCancelledIn: [], cancelFailedIn: [] } };
      });
    },
  }),
  route({
    method: "GET", path: `${P}/players/:id/inventory`, operationId: "serverGetInventory", summary: "A player's currency, stacks and unique items",
    auth: "server", scope: "players:read", params: s.PlayerParams, status: 200, response: api.Inventory, errors: [401, 403, 404],
    async handler({ context, params }) {
      const [player] = await rows(context.db, sql`select 1 from players where id = ${params.id}`);
      if (!player) throw new ApiError(404, "unknown_player", `there is no player ${params.id}`);
      return getInventory(context.db, params.id);
    },
  }),
];

export const operatorRoutes: ApiRoute[] = [
  route({
    method: "GET", path: OP, operationId: "operatorListGameServers", summary: "Operators: every game server with its live keys (never the secrets)",
    auth: "bearer", policy: "game-server:manage", status: 200, response: s.ServerList, errors: [403],
    async handler({ context, session }) {
      return { servers: (await listServers(context.db)).map(({ id: _id, ...rest }) => rest) };
    },
  }),
  route({
    method: "POST", path: OP, operationId: "operatorCreateGameServer", summary: "Operators: create a game server; its first key's secret is shown once",
    auth: "bearer", policy: "game-server:manage", body: s.CreateServer, status: 201, response: s.CreatedServer, errors: [403, 409],
    async handler({ context, session, body }) {
      const made = await createServer(context.db, masterSecret(context.env), { ...body, createdBy: `operator:${session.player.id}` });
      if (!made.ok) throw failure(made);
      return { name: made.server.name, scopes: made.server.scopes, mintLimits: made.server.mintLimits, keyId: made.keyId, secret: made.secret };
    },
  }),
  route({
    method: "PATCH", path: `${OP}/:name`, operationId: "operatorUpdateGameServer", summary: "Operators: change a game server's scopes, hourly mint limits or status (disabled refuses every key)",
    auth: "bearer", policy: "game-server:manage", params: s.ServerParams, body: s.UpdateServer, status: 200, response: s.ServerInfo, errors: [403, 404],
    async handler({ context, session, params, body }) {
      const done = await updateServer(context.db, params.name, body, `operator:${session.player.id}`);
      if (!done.ok) throw failure(done);
      const { id: _id, ...server } = done.server;
      return server;
    },
  }),
  route({
    method: "POST", path: `${OP}/:name/keys`, operationId: "operatorAddGameServerKey", summary: "Operators: a second key for rotation (at most two live); the secret is shown once",
    auth: "bearer", policy: "game-server:manage", params: s.ServerParams, status: 201, response: s.IssuedKey, errors: [403, 404, 409],
    async handler({ context, session, params }) {
      const added = await addKey(context.db, masterSecret(context.env), params.name, `operator:${session.player.id}`);
      if (!added.ok) throw failure(added);
      return { keyId: added.keyId, secret: added.secret };
    },
  }),
  route({
    method: "DELETE", path: `${OP}/:name/keys/:keyId`, operationId: "operatorRevokeGameServerKey", summary: "Operators: revoke a key (refused at once from then on)",
    auth: "bearer", policy: "game-server:manage", params: s.KeyParams, status: 204, errors: [403, 404],
    async handler({ context, session, params }) {
      const revoked = await revokeKey(context.db, params.name, params.keyId, `operator:${session.player.id}`);
      if (!revoked.ok) throw failure(revoked);
      return null;
    },
  }),
];
