/**
 * GET /api/v1/openapi.json: an OpenAPI 3.1 document generated from the route table and the same
 * zod schemas that validate requests (z.toJSONSchema; JSON Schema 2020-12 is OpenAPI 3.1's).
 */
import { z } from "zod";
import type { ApiRoute } from "./router.server";
import { ErrorBody } from "./schemas";

const jsonSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};

/** "/api/v1/tokens/:id" -> "/api/v1/tokens/{id}" */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

const WORDS: Record<number, string> = {
  400: "Invalid request (malformed JSON, wrong types, unknown or missing fields)",
  401: "Missing, unknown, expired or revoked bearer token, or wrong credentials",
  403: "Not allowed",
  404: "Not found",
  413: "Body too large",
  415: "Body is not application/json",
  503: "A dependency is unavailable",
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
  if (r.auth === "bearer") errorStatuses.add(401);
  const responses: Record<string, unknown> = {
    [r.status]: r.response
      ? { description: "Success", content: { "application/json": { schema: jsonSchema(r.response, "output") } } }
      : { description: "Success, no body" },
  };
  for (const status of [...errorStatuses].sort()) {
    responses[status] = { description: WORDS[status] ?? "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  }
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.auth === "bearer" ? { security: [{ bearer: [] }] } : { security: [] }),
    parameters: [...parameters(r.params, "path"), ...parameters(r.query, "query")],
    ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } } } : {}),
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
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "POST /api/v1/tokens returns one" } },
    },
  };
}
