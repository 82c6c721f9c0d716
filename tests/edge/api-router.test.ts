import { describe, expect, it } from "vitest";
import { allApiRoutes, handleApi } from "../../edge/api/index.server";
import { buildOpenApi, openApiPath } from "../../edge/api/openapi.server";
import type { AppLoadContext } from "../../edge/context.server";

/** A context whose database explodes: every request here must be refused before touching it. */
const noDb = {
  env: {} as AppLoadContext["env"],
  ctx: {} as ExecutionContext,
  requestId: "test",
  cspNonce: "",
  get db(): never {
    throw new Error("the database was touched");
  },
} as AppLoadContext;

const call = async (path: string, init: RequestInit = {}) => {
  const res = await handleApi(new Request(`http://127.0.0.1${path}`, init), noDb);
  const body = res.status === 204 ? null : await res.json();
  return { status: res.status, body: body as { error: { code: string; message: string } }, headers: res.headers };
};
const post = (path: string, body: string, type = "application/json") => call(path, { method: "POST", body, headers: { "Content-Type": type } });

describe("OpenAPI document vs router", () => {
  const doc = buildOpenApi(allApiRoutes);
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
  const routed = allApiRoutes.map((r) => `${r.method} ${openApiPath(r.path)}`);

  it("documents every route, and nothing else", () => {
    expect(documented.sort()).toEqual([...routed].sort());
    expect(new Set(routed).size).toBe(routed.length);
  });
  it("is OpenAPI 3.1 with unique operation ids, path params declared, error bodies referenced", () => {
    expect(doc.openapi).toBe("3.1.0");
    const ids = allApiRoutes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of allApiRoutes) {
      const op = (doc.paths[openApiPath(r.path)] as Record<string, any>)[r.method.toLowerCase()];
      const pathParams = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
      expect(op.parameters.filter((p: any) => p.in === "path").map((p: any) => p.name)).toEqual(pathParams);
      expect(op.responses[String(r.status)]).toBeDefined();
      if (r.auth === "bearer") expect(op.responses["401"].content["application/json"].schema.$ref).toBe("#/components/schemas/Error");
      if (r.body) expect(op.requestBody.content["application/json"].schema.additionalProperties).toBe(false);
    }
  });
  it("documents the query parameters of item search", () => {
    const op = (doc.paths["/api/v1/item-types"] as any).get;
    expect(op.parameters.map((p: any) => p.name).sort()).toEqual(["category", "cursor", "limit", "q"]);
  });
});

describe("router refuses bad requests before any database work", () => {
  it("404 for unknown paths, 405 with Allow for wrong methods", async () => {
    expect((await call("/api/v1/nope")).body.error.code).toBe("not_found");
    const r = await call("/api/v1/tokens", { method: "PUT" });
    expect(r.status).toBe(405);
    expect(r.headers.get("Allow")).toBe("POST, GET");
  });
  it("415 for a body that is not JSON", async () => {
    expect((await post("/api/v1/tokens", "username=a", "application/x-www-form-urlencoded")).status).toBe(415);
    expect((await call("/api/v1/tokens", { method: "POST", body: "{}" })).status).toBe(415);
  });
  it("400 for malformed JSON, wrong types, missing and unknown fields", async () => {
    const cases: [string, RegExp][] = [
      ["{bad", /not valid JSON/],
      ["[]", /must be a JSON object/],
      ["null", /must be a JSON object/],
      ['{"username":"alice","password":"long enough"}', /label is required/],
      ['{"username":5,"password":"long enough","label":"x"}', /username must be a string/],
      ['{"username":"alice","password":"long enough","label":"x","admin":true}', /unknown field: admin/],
      ['{"username":"alice","password":"long enough","label":"a\\u0000b"}', /control characters/],
      [`{"username":"alice","password":"long enough","label":"${"x".repeat(65)}"}`, /at most 64/],
    ];
    for (const [body, message] of cases) {
      const r = await post("/api/v1/tokens", body);
      expect(r.status, body).toBe(400);
      expect(r.body.error.message, body).toMatch(message);
    }
  });
  it("413 for an oversized body", async () => {
    expect((await post("/api/v1/tokens", JSON.stringify({ label: "x".repeat(20_000) }))).status).toBe(413);
  });
  it("400 for bad query numbers and unknown or repeated parameters", async () => {
    for (const q of ["limit=0", "limit=-1", "limit=1.5", "limit=NaN", "limit=9007199254740993", "limit=abc", "limit=101", "colour=red", "q=a&q=b", "cursor=!!", "category=Bad%20Cat", `q=${"x".repeat(101)}`, "q=%00"]) {
      const r = await call(`/api/v1/item-types?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe("invalid_request");
    }
  });
  it("401 without a well-formed bearer token", async () => {
    for (const auth of [undefined, "Basic abc", "Bearer short", `Bearer ${"A".repeat(43)}x`]) {
      const r = await call("/api/v1/me", auth ? { headers: { Authorization: auth } } : {});
      expect(r.status, auth).toBe(401);
      expect(r.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    }
  });
});
