/**
 * JSON API plumbing: the one error shape, strict body and query parsing, bearer auth.
 * Every expected failure is an ApiError (thrown or returned) that becomes
 * `{ "error": { "code": "snake_case", "message": "..." } }` with a 4xx status.
 */
import type { z } from "zod";
import { describeIssues } from "../validation";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** Seconds a client should wait after a 503 that did not name its own Retry-After (a part restarting). */
export const DEFAULT_RETRY_AFTER_SECONDS = "5";

/** `ids`: the request's (edge/trace.ts), quoted in the body so that a support ticket can name the request. */
export function errorResponse(e: ApiError, ids?: { requestId: string; traceId?: string }): Response {
  const body = { error: { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}), ...(ids ? { requestId: ids.requestId, ...(ids.traceId ? { traceId: ids.traceId } : {}) } : {}) } };
  // Every 503 says when to come back: the part that is down is being restarted (scripts/supervise.ts).
  const retry: Record<string, string> = e.status === 503 && !Object.keys(e.headers ?? {}).some((k) => k.toLowerCase() === "retry-after") ? { "Retry-After": DEFAULT_RETRY_AFTER_SECONDS } : {};
  return json(body, e.status, { ...retry, ...e.headers });
}

const MAX_BODY_BYTES = 16 * 1024;

export function invalid(error: z.ZodError, where: "body" | "query" | "path"): ApiError {
  const { message, issues } = describeIssues(error);
  return new ApiError(400, "invalid_request", `The ${where === "body" ? "request body" : where === "query" ? "query string" : "path"} is not valid. ${message}`, issues);
}

/** The request's JSON body, checked against a strict schema. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new ApiError(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json");
  }
  if (Number(request.headers.get("Content-Length") ?? "0") > MAX_BODY_BYTES) {
    throw new ApiError(413, "body_too_large", `the body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new ApiError(413, "body_too_large", `the body must be at most ${MAX_BODY_BYTES} bytes`);
  return parseJsonText(text, schema);
}

/** A JSON body already read as text (signed requests read the bytes first), checked against a strict schema. */
export function parseJsonText<S extends z.ZodType>(text: string, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "invalid_json", `the body is not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error, "body");
  return parsed.data;
}

/** Query parameters, each at most once, checked against a strict schema. */
export function readQuery<S extends z.ZodType>(url: URL, schema: S): z.output<S> {
  const raw: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in raw) throw new ApiError(400, "invalid_request", `invalid query: ${key} is given more than once`);
    raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error, "query");
  return parsed.data;
}

/** The bearer token from `Authorization: Bearer <token>`, shape-checked. */
export function bearerToken(request: Request): string {
  const header = request.headers.get("Authorization");
  const challenge = { "WWW-Authenticate": 'Bearer realm="bazaar"' };
  if (!header) throw new ApiError(401, "unauthenticated", "send Authorization: Bearer <token> (POST /api/v1/tokens creates one)", undefined, challenge);
  const m = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(header);
  if (!m) throw new ApiError(401, "invalid_token", "the Authorization header must be `Bearer <43-character token>`", undefined, challenge);
  return m[1]!;
}
