/**
 * A small router for /api/v1: a table of routes, each with its schemas (used for validation and
 * for the OpenAPI document) and a handler. Unknown paths are 404, known paths with another
 * method 405, both as JSON errors.
 */
import { z } from "zod";
import type { AppLoadContext } from "../context.server";
import { findSession, type ActiveSession } from "../auth/sessions.server";
import { ApiError, bearerToken, errorResponse, invalid, json, readJson, readQuery } from "./http.server";

export type Method = "GET" | "POST" | "DELETE";

const EMPTY_QUERY = z.strictObject({});

export interface HandlerArgs<Q, B, P> {
  request: Request;
  context: AppLoadContext;
  query: Q;
  body: B;
  params: P;
  /** Set when the route has auth: "bearer". */
  session: ActiveSession;
}

export interface ApiRoute<Q = unknown, B = unknown, P = unknown> {
  method: Method;
  /** "/api/v1/tokens/:id" */
  path: string;
  operationId: string;
  summary: string;
  auth: "none" | "bearer";
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
      if (!found) throw new ApiError(401, "invalid_token", "this token is unknown, expired or revoked", undefined, { "WWW-Authenticate": 'Bearer error="invalid_token"' });
      session = found;
    }
    let params: unknown = found.params;
    if (r.params) {
      const parsed = r.params.safeParse(found.params);
      if (!parsed.success) throw invalid(parsed.error, "path");
      params = parsed.data;
    }
    const query = r.query ? readQuery(url, r.query) : readQuery(url, EMPTY_QUERY);
    const body = r.body ? await readJson(request, r.body) : undefined;
    const result = await r.handler({ request, context, query, body, params, session });
    if (result instanceof Response) return result; // streams (SSE)
    return json(result, r.status);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    console.error(JSON.stringify({ msg: "api error", requestId: context.requestId, error: String((error as Error)?.stack ?? error) }));
    return errorResponse(new ApiError(500, "internal_error", `something went wrong on our side (request ${context.requestId})`));
  }
}
