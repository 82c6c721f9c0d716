/**
 * GET /api/v1/openapi.json: an OpenAPI 3.1 document generated from the route table and the same
 * zod schemas that validate requests (z.toJSONSchema; JSON Schema 2020-12 is OpenAPI 3.1's).
 */
import { z } from "zod";
import { stepUpOfRoute, type ApiRoute } from "./router.server";
import { STEP_UP_MINUTES, stepUpWhy } from "../policy/policy";
import { ErrorBody } from "./schemas";
import { SIGNING_DESCRIPTION } from "../server-api/openapi-text";

const jsonSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};

/** "/api/v1/tokens/:id" -> "/api/v1/tokens/{id}" */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

const WORDS: Record<number, string> = {
  400: "Invalid request (malformed JSON, wrong types, unknown or missing fields)",
  401: "Missing, unknown, expired or revoked bearer token, wrong credentials, or a refused game-server signature (see securitySchemes.gameServer)",
  403: "Not allowed (a game server without the scope, a frozen account, not an operator; second_factor_required: an operator without two-factor sign-in; step_up_required: send a fresh code as \"code\")",
  409: "Conflict with the current state (insufficient funds or items, an Idempotency-Key reused for another request, already exists)",
  429: "Too many requests, or a game server's hourly mint limit reached",
  404: "Not found",
  413: "Body too large",
  415: "Body is not application/json",
  503: "A dependency is unavailable, or the market is too busy to take an order now (market_busy: nothing changed; send it again after Retry-After)",
};

function parameters(schema: z.ZodType | undefined, where: "query" | "path") {
  if (!schema) return [];
  const js = jsonSchema(schema, "input") as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || (js.required ?? []).includes(name),
    ...(typeof s.description === "string" ? { description: s.description } : {}),
    schema: s,
  }));
}

function operation(r: ApiRoute) {
  const errorStatuses = new Set<number>(r.errors ?? []);
  if (r.query || r.body || r.params) errorStatuses.add(400);
  if (r.auth === "bearer" || r.auth === "server") errorStatuses.add(401);
  const responses: Record<string, unknown> = {
    [r.status]: r.response
      ? { description: "Success", content: { "application/json": { schema: jsonSchema(r.response, "output") } } }
      : { description: "Success, no body" },
  };
  for (const status of [...errorStatuses].sort()) {
    responses[status] = { description: WORDS[status] ?? "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  }
  const idempotencyHeader = r.auth === "server" && r.idempotent
    ? [{ name: "Idempotency-Key", in: "header", required: true, description: "8-128 characters of A-Z a-z 0-9 _ . : -; new per operation, the same on its retries (kept 24 h at least); part of the signature", schema: { type: "string", pattern: "^[A-Za-z0-9_.:-]{8,128}$" } }]
    : [];
  // Step-up (ADR 035): the body may carry `code`, a current TOTP or recovery code.
  const stepUp = r.auth === "bearer" ? stepUpOfRoute(r) : undefined;
  const codeProperty = { type: "string", maxLength: 40, description: `Step-up: a current code from your authenticator app, or a recovery code. Needed unless this session entered one in the last ${STEP_UP_MINUTES} minutes; without it the answer is 403 step_up_required.` };
  let requestBody: Record<string, unknown> | undefined;
  if (r.body) {
    const schema = jsonSchema(r.body, "input") as { properties?: Record<string, unknown> };
    if (stepUp) schema.properties = { ...(schema.properties ?? {}), code: codeProperty };
    requestBody = { required: true, content: { "application/json": { schema } } };
  } else if (stepUp) {
    requestBody = { required: false, content: { "application/json": { schema: { type: "object", properties: { code: codeProperty }, additionalProperties: false } } } };
  }
  if (stepUp) responses[403] ??= { description: WORDS[403], content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(stepUp ? { description: `Step-up: ${stepUpWhy(stepUp)} (a code within the last ${STEP_UP_MINUTES} minutes, or "code" in the body). Operators need two-factor sign-in on.`, "x-step-up": stepUp } : {}),
    ...(r.auth === "server" ? { description: `Game servers only (signed request${r.scope ? `, scope ${r.scope}` : ""}).`, "x-scope": r.scope ?? null } : {}),
    ...(r.auth === "bearer" ? { security: [{ bearer: [] }] } : r.auth === "server" ? { security: [{ gameServer: [] }] } : { security: [] }),
    parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query"), ...idempotencyHeader],
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

export function buildOpenApi(routes: ApiRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const key = openApiPath(r.path);
    paths[key] ??= {};
    paths[key][r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Bazaar API",
      version: "1.0.0",
      description: "Players' tools and game servers. Amounts are integers (copper; 100 copper = 1 gold). Errors: { error: { code, message } }.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBody, "output") },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "POST /api/v1/tokens returns one" },
        gameServer: { type: "apiKey", in: "header", name: "X-Bazaar-Signature", description: SIGNING_DESCRIPTION },
      },
    },
  };
}
