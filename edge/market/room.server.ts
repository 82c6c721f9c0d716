/**
 * The edge's side of the room protocol: send a player's command to its market's room with a
 * short-lived service token, read the room's book, relay its SSE stream, and issue the connection
 * tokens players' sockets present. Room answers map to HTTP statuses here, once.
 */
import type { CommandMessage } from "../../party/protocol";
import type { Answer } from "../../party/settlement/types";
import { issueToken } from "../../party/tokens";
import type { Env } from "../env.server";
import { ApiError } from "../api/http.server";
import { SpanKind } from "../../party/telemetry/tracer";
import type { RequestTrace } from "../tracing.server";

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
/**
 * The rooms did not answer (`npm start` restarts them by itself). Not "nothing was changed": the
 * connection may have dropped after the room applied the command; an order sent again with the
 * same clientOrderId gets the first answer, never a second order.
 */
const ROOMS_RESTARTING = "The market rooms are restarting or not answering. Try again in a few seconds; an order sent again with the same clientOrderId is never placed twice.";

export function roomUrl(env: Env, slug: string): string {
  if (!env.PARTY_HOST) throw new ApiError(503, "markets_unavailable", "The market rooms are not configured (PARTY_HOST). Set PARTY_HOST and restart the server.");
  if (!SLUG.test(slug)) throw new ApiError(404, "unknown_market", `There is no market ${slug}. Check the market's slug in the list of markets.`);
  const local = /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(env.PARTY_HOST);
  return `${local ? "http" : "https"}://${env.PARTY_HOST}/parties/main/${slug}`;
}

export function connectToken(env: Env, playerId: string): Promise<string> {
  return issueToken(env.ROOM_SECRET, "player", playerId, 3_600);
}

/** A room that has not answered by then is reported as slow (the command may still commit: see SLOW_ANSWER). */
const COMMAND_TIMEOUT_MS = 20_000;
const SLOW_ANSWER =
  "The market did not answer within 20 s; your command may still be carried out. Send it again with the same clientOrderId: a place already made is answered with its order, never made twice.";

/**
 * `trace`: the request's (ADR 040). Its traceparent rides in the command, so that the room's
 * command, batch and SQL spans join the request's trace; a sampled request records the call as a
 * client span.
 */
export async function sendCommand(env: Env, slug: string, playerId: string, command: CommandMessage, trace?: RequestTrace): Promise<Answer> {
  const span = trace?.child(`market.command ${command.type}`, SpanKind.client, { "bazaar.market": slug, "bazaar.command": command.type });
  try {
    const answer = await commandRoom(env, slug, playerId, command, trace?.traceparent(span));
    span?.set("bazaar.answer", answer.reason ?? (answer.ok ? "OK" : "refused"));
    return answer;
  } catch (error) {
    span?.fail(error);
    throw error;
  } finally {
    span?.end();
  }
}

async function commandRoom(env: Env, slug: string, playerId: string, command: CommandMessage, traceparent: string | undefined): Promise<Answer> {
  const token = await issueToken(env.ROOM_SECRET, "service", "edge", 60);
  let response: Response;
  try {
    response = await fetch(roomUrl(env, slug), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(traceparent ? { playerId, command, traceparent } : { playerId, command }),
      signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
    });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof Error && error.name === "TimeoutError") {
      throw new ApiError(503, "market_slow", SLOW_ANSWER, undefined, { "Retry-After": "5" });
    }
    throw new ApiError(503, "market_unreachable", ROOMS_RESTARTING, undefined, { "Retry-After": "2" });
  }
  if (response.status === 404) throw new ApiError(404, "unknown_market", `There is no market ${slug}. Check the market's slug in the list of markets.`);
  // The room checks the command again with its own clock (expiresAt may have passed on the way):
  // its refusal is the client's to fix, not an outage.
  if (response.status === 400) throw new ApiError(400, "invalid_command", await roomRefusal(response));
  if (!response.ok) throw new ApiError(503, "market_unreachable", `${ROOMS_RESTARTING} (The market answered ${response.status}.)`, undefined, { "Retry-After": "2" });
  return (await response.json()) as Answer;
}

async function roomRefusal(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: unknown } } | undefined;
  const message = body?.error?.message;
  return typeof message === "string" && message.length > 0 ? message.slice(0, 300) : "The market refused the command as malformed. Check its fields and send it again.";
}

/** HTTP status for a room answer that is not ok. */
export function answerStatus(answer: Answer): number {
  const c = answer.code;
  if (c === 116) return 404; // order not found
  if (c === 200) return 403; // not the owner
  if (c === 230) return 429;
  if (c === 231) return 503; // the market is too far behind to take an order now (ADR 048): nothing changed
  if (c === 240) return 403; // account frozen
  if (c === 241) return 409; // in debt after a rollback (ADR 038): lifts when the debt is paid
  if (c === 250) return 429; // buy limit reached (ADR 027): Retry-After says when enough frees up
  if (c === 251 || c === 252) return 403; // account too new to sell, order worth more than a new account may place
  if (c === 500) return 503;
  if (c >= 100 && c < 200) return 400;
  return 409; // insufficient funds/items, market not open, post-only would cross, FOK not fillable...
}

export function throwIfRejected(answer: Answer): Answer {
  if (answer.ok) return answer;
  // A trading limit that lifts at a known time says when, in seconds, as Retry-After (and in its message).
  const lifts = answer.resetsAt === undefined ? undefined : { "Retry-After": String(Math.max(1, Math.ceil((answer.resetsAt - Date.now()) / 1_000))) };
  throw new ApiError(answerStatus(answer), answer.reason.toLowerCase(), answer.message, undefined, answer.code === 500 || answer.code === 231 ? { "Retry-After": "1" } : lifts);
}

export async function fetchRoom(env: Env, slug: string, init: RequestInit & { query?: string } = {}): Promise<Response> {
  try {
    const response = await fetch(`${roomUrl(env, slug)}${init.query ?? ""}`, init);
    if (response.status === 404) throw new ApiError(404, "unknown_market", `There is no market ${slug}. Check the market's slug in the list of markets.`);
    return response;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(503, "market_unreachable", ROOMS_RESTARTING, undefined, { "Retry-After": "2" });
  }
}
