/**
 * A small router for /api/v1: a table of routes, each with its schemas (used for validation and
 * for the OpenAPI document) and a handler. Unknown paths are 404, known paths with another
 * method 405, both as JSON errors.
 */
import { z } from "zod";
import type { AppLoadContext } from "../context.server";
import { findSession, type ActiveSession } from "../auth/sessions.server";
import type { Scope } from "../../db/game-servers/scopes";
import { authenticateServer, readBodyBytes, type AuthedServer } from "../server-api/auth.server";
import { frozenRefusal } from "../server-api/frozen.server";
import { decide, stepUpOf, type Action, type StepUpPurpose } from "../policy/policy";
import { requireStepUpApi } from "../auth/step-up.server";
import { ApiError, bearerToken, errorResponse, invalid, json, parseJsonText, readJson, readQuery } from "./http.server";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

const EMPTY_QUERY = z.strictObject({});

export interface HandlerArgs<Q, B, P> {
  request: Request;
  context: AppLoadContext;
  query: Q;
  body: B;
  params: P;
  /** Set when the route has auth: "bearer". */
  session: ActiveSession;
  /** Set when the route has auth: "server" (a signed game-server request, docs/game-servers.md). */
  server: AuthedServer;
}

export interface ApiRoute<Q = unknown, B = unknown, P = unknown> {
  method: Method;
  /** "/api/v1/tokens/:id" */
  path: string;
  operationId: string;
  summary: string;
  auth: "none" | "bearer" | "server";
  /** auth "bearer": the policy action (edge/policy/policy.ts) the caller's roles must allow; 403 otherwise. */
  policy?: Action;
  /**
   * auth "bearer": the step-up (ADR 035) this route needs; by default the policy's for a route that
   * changes something (stepUpOf(policy) for any method but GET); "none" for none. The body may then
   * carry `code` (a current TOTP or recovery code), taken out before the body is validated.
   */
  stepUp?: StepUpPurpose | "none";
  /** auth "server": the scope the game server's key must have (none: any signed server). */
  scope?: Scope;
  /** auth "server": a mutating call, which takes an Idempotency-Key header. */
  idempotent?: boolean;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  params?: z.ZodType<P>;
  /** Success status and its body schema (none for 204). */
  status: 200 | 201 | 204;
  response?: z.ZodType;
  /** Documented 4xx/5xx statuses besides the generic ones. */
  errors?: number[];
  handler: (args: HandlerArgs<Q, B, P>) => Promise<unknown>;
}

/** Identity with inference: the handler's query/body/params types come from the schemas. */
export function route<Q = undefined, B = undefined, P = undefined>(r: ApiRoute<Q, B, P>): ApiRoute {
  return r as unknown as ApiRoute;
}

function match(pattern: string, pathname: string): Record<string, string> | undefined {
  const a = pattern.split("/");
  const b = pathname.split("/");
  if (a.length !== b.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.startsWith(":")) {
      let value: string;
      try {
        value = decodeURIComponent(b[i]!);
      } catch {
        return undefined;
      }
      params[a[i]!.slice(1)] = value;
    } else if (a[i] !== b[i]) return undefined;
  }
  return params;
}

/** The step-up a route needs, if any (see ApiRoute.stepUp). */
export function stepUpOfRoute(r: ApiRoute): StepUpPurpose | undefined {
  if (r.stepUp === "none") return undefined;
  if (r.stepUp) return r.stepUp;
  return r.policy && r.method !== "GET" ? stepUpOf(r.policy) : undefined;
}

const MAX_STEP_UP_BODY = 16 * 1024;

/** A step-up route's body: JSON (or nothing), `code` taken out, the rest checked against the route's schema. */
async function readStepUpBody(request: Request, schema: z.ZodType | undefined): Promise<{ body: unknown; code: string | undefined }> {
  const text = await request.text();
  if (text.length > MAX_STEP_UP_BODY) throw new ApiError(413, "body_too_large", `the body must be at most ${MAX_STEP_UP_BODY} bytes`);
  let value: unknown = {};
  if (text.trim() !== "") {
    const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") throw new ApiError(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json");
    value = parseJsonText(text, z.unknown());
  } else if (schema) {
    value = undefined; // the schema says what is missing
  }
  let code: string | undefined;
  if (value && typeof value === "object" && !Array.isArray(value) && "code" in value) {
    const { code: given, ...rest } = value as Record<string, unknown>;
    if (typeof given !== "string" || given.length > 40) throw new ApiError(400, "invalid_request", "The request body is not valid. code: the 6-digit code from your authenticator app, or a recovery code.", [{ path: "code", message: "a string of at most 40 characters" }]);
    code = given;
    value = rest;
  }
  if (!schema) {
    if (value && typeof value === "object" && Object.keys(value).length > 0) throw new ApiError(400, "invalid_request", `The request body is not valid. Only "code" may be sent here.`);
    return { body: undefined, code };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error, "body");
  return { body: parsed.data, code };
}

export async function dispatch(routes: ApiRoute[], request: Request, context: AppLoadContext): Promise<Response> {
  const url = new URL(request.url);
  const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/$/, "") : url.pathname;
  try {
    const candidates = routes.flatMap((r) => {
      const params = match(r.path, pathname);
      return params ? [{ r, params }] : [];
    });
    if (candidates.length === 0) throw new ApiError(404, "not_found", `no API endpoint at ${url.pathname}`);
    const method = request.method === "HEAD" ? "GET" : request.method;
    const found = candidates.find((c) => c.r.method === method);
    if (!found) {
      const allow = candidates.map((c) => c.r.method).join(", ");
      throw new ApiError(405, "method_not_allowed", `${url.pathname} accepts ${allow}, not ${request.method}`, undefined, { Allow: allow });
    }
    const { r } = found;
    let session = undefined as unknown as ActiveSession;
    if (r.auth === "bearer") {
      const token = bearerToken(request);
      const found = await findSession(context.db, token, "api");
      if (!found) {
        const frozen = await frozenRefusal(context.db, token, "api");
        if (frozen) throw frozen;
        throw new ApiError(401, "invalid_token", "this token is unknown, expired or revoked", undefined, { "WWW-Authenticate": 'Bearer error="invalid_token"' });
      }
      session = found;
      if (r.policy) {
        const decision = decide(session.player, r.policy);
        if (!decision.ok) throw new ApiError(decision.status, decision.code, decision.message);
      }
    }
    let server = undefined as unknown as AuthedServer;
    let bodyText: string | undefined;
    if (r.auth === "server") {
      const bytes = await readBodyBytes(request);
      server = await authenticateServer(context.db, context.env, request, bytes, r.scope, r.idempotent === true, (p) => context.ctx.waitUntil(p));
      if (r.body) {
        const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
        if (type !== "application/json") throw new ApiError(415, "unsupported_media_type", "send the body as JSON with Content-Type: application/json");
        bodyText = new TextDecoder().decode(bytes);
      }
    }
    let params: unknown = found.params;
    if (r.params) {
      const parsed = r.params.safeParse(found.params);
      if (!parsed.success) throw invalid(parsed.error, "path");
      params = parsed.data;
    }
    const query = r.query ? readQuery(url, r.query) : readQuery(url, EMPTY_QUERY);
    const stepUp = r.auth === "bearer" ? stepUpOfRoute(r) : undefined;
    let body: unknown;
    if (stepUp) {
      // The body is checked first (a bad request uses no code), then the step-up, then the handler.
      const read = await readStepUpBody(request, r.body);
      body = read.body;
      await requireStepUpApi(context, session, stepUp, read.code);
    } else {
      body = r.body ? (bodyText !== undefined ? parseJsonText(bodyText, r.body) : await readJson(request, r.body)) : undefined;
    }
    const result = await r.handler({ request, context, query, body, params, session, server });
    if (result instanceof Response) return result; // streams (SSE)
    return json(result, r.status);
  } catch (error) {
    const ids = { requestId: context.requestId, traceId: context.traceId };
    if (error instanceof ApiError) return errorResponse(error, ids);
    console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "api error", ...ids, error: String((error as Error)?.stack ?? error) }));
    return errorResponse(new ApiError(500, "internal_error", `something went wrong on our side (request ${context.requestId})`), ids);
  }
}
