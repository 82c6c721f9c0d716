/** What a game server may do. Each route of the server API names the one scope it needs. */
export const SCOPES = ["mint:currency", "mint:items", "burn", "catalog", "players:freeze", "players:read", "events:read", "limits"] as const;
export type Scope = (typeof SCOPES)[number];
export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

/** Per clock hour: copper the server may mint, and items (stack quantities plus unique items). */
export interface MintLimits {
  currency?: number;
  items?: number;
}

export interface GameServer {
  id: string;
  name: string;
  scopes: Scope[];
  mintLimits: MintLimits;
  status: "active" | "disabled";
}

/** The ledger actor of everything a server does: "server:<name>". */
export const actorOf = (server: Pick<GameServer, "name">) => `server:${server.name}`;

export const SERVER_NAME = /^[a-z0-9][a-z0-9-]{1,39}$/;
