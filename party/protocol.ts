/**
 * Placeholder wire protocol between clients (and the edge) and a market room. A later issue
 * replaces it with the real one (commands, snapshots, deltas, fills); keep it a plain,
 * platform-free module so that app/, edge/ and party/ can all import it.
 */

/** Messages a market room sends. */
export type ServerMessage = { type: "hello"; market: string };

/** Messages a client may send (none yet but a ping, answered with hello). */
export type ClientMessage = { type: "ping" };

export const hello = (market: string): ServerMessage => ({ type: "hello", market });

export function parseServerMessage(text: string): ServerMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<ServerMessage>;
    return value && value.type === "hello" && typeof value.market === "string" ? (value as ServerMessage) : undefined;
  } catch {
    return undefined;
  }
}
