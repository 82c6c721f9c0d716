/**
 * Which door a request comes through, for the rate limits (ADR 022). Pure: a function of the
 * method, path and query, unit-tested against every API route (a new mutating route without a
 * door fails the sweep in doors.test.ts).
 *
 * Limits count per identifier: the caller's address (every door) and, where the caller shows a
 * credential, that credential (the session cookie, the bearer token, or the game server's key id):
 * "per player" without a database read on the way in.
 */
export type Door = "signup" | "signin" | "tokens" | "orders" | "offers" | "game-server" | "search";

export interface DoorLimit {
  /** Requests per window from one address. */
  perAddress: number;
  /** Requests per window with one credential (absent: the door is before sign-in). */
  perCredential?: number;
  windowSeconds: number;
  /** "sign-ups", for the message: "too many sign-ups from this address". */
  what: string;
}

export const DOOR_LIMITS: Record<Door, DoorLimit> = {
  signup: { perAddress: 10, windowSeconds: 3600, what: "sign-ups" },
  // Per name, ten failures per 15 minutes are refused too (ADR 008, edge/auth/signin.server.ts).
  signin: { perAddress: 30, windowSeconds: 900, what: "sign-in attempts" },
  tokens: { perAddress: 20, perCredential: 20, windowSeconds: 3600, what: "API token requests" },
  orders: { perAddress: 600, perCredential: 120, windowSeconds: 60, what: "order requests" },
  offers: { perAddress: 120, perCredential: 30, windowSeconds: 60, what: "offer actions" },
  "game-server": { perAddress: 1200, perCredential: 600, windowSeconds: 60, what: "game-server calls" },
  search: { perAddress: 120, windowSeconds: 60, what: "searches" },
};

const API = "/api/v1";
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The door of a request, or undefined when no limit applies beyond the room's and sign-in's own. */
export function doorOf(method: string, pathname: string, search: URLSearchParams): Door | undefined {
  // Remix single fetch posts a form to "/signup.data" (the root's data to "/_root.data").
  const trimmed = (pathname.length > 1 ? pathname.replace(/\/$/, "") : pathname).replace(/\.data$/, "");
  const path = trimmed === "/_root" ? "/" : trimmed;
  const write = MUTATING.has(method);
  if (path.startsWith(`${API}/server/`) || path === `${API}/server`) return "game-server";
  // Operators' consoles (game servers, trading limits, /admin): limited like game-server calls.
  if (path.startsWith(`${API}/operator/`) || path.startsWith(`${API}/admin/`)) return "game-server";
  if (path.startsWith(API)) {
    if (path === `${API}/tokens` && method === "POST") return "tokens";
    // Password-less sign-in for API clients (ADR 036): a token comes out, like POST /tokens.
    if (path.startsWith(`${API}/passkeys/authentication`) && method === "POST") return "tokens";
    if (/^\/api\/v1\/markets\/[^/]+\/(orders(\/[^/]+(\/amend)?)?|cancel-all|connect-token)$/.test(path) && write) return "orders";
    if (/^\/api\/v1\/offers(\/|$)/.test(path) && write) return "offers";
    if ((path === `${API}/markets` && search.has("search")) || (path === `${API}/item-types` && search.has("q"))) return "search";
    return undefined;
  }
  if (!write) {
    if ((path === "/markets" || path === "/items") && (search.has("q") || search.has("search"))) return "search";
    // The room's connection token (GET): orders then go over the socket, throttled by the room.
    if (/^\/markets\/[^/]+\/token$/.test(path)) return "orders";
    return undefined;
  }
  if (path === "/signup" || path === "/signup/social") return "signup";
  // The current password is guessed here too: the sign-in door limits it.
  if (path === "/signin" || path === "/signin/code" || path === "/signin/passkey" || path.startsWith("/signin/social/") || path === "/security/password") return "signin";
  if (path === "/orders" || /^\/markets\/[^/]+$/.test(path)) return "orders";
  if (path === "/offers" || path.startsWith("/offers/")) return "offers";
  return undefined;
}
