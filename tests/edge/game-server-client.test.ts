/** The generated game-server client is current with the route table (run `npm run client:generate` when this fails). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { files, generate } from "../../clients/game-server/generate";
import { allApiRoutes } from "../../edge/api/index.server";

describe("game-server client", () => {
  it("openapi.json and schema.ts match what the route table generates", async () => {
    const out = await generate();
    expect(readFileSync(files.document, "utf8"), "run npm run client:generate").toBe(out.document);
    expect(readFileSync(files.schema, "utf8"), "run npm run client:generate").toBe(out.schema);
  });

  it("documents the canonical string and the Idempotency-Key header", async () => {
    const doc = JSON.parse((await generate()).document);
    expect(doc.components.securitySchemes.gameServer.description).toMatch(/BAZAAR-HMAC-SHA256[\s\S]*SHA-256 of the exact body bytes/);
    const mint = doc.paths["/api/v1/server/currency/mint"].post;
    expect(mint.security).toEqual([{ gameServer: [] }]);
    expect(mint.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }));
    expect(mint["x-scope"]).toBe("mint:currency");
  });

  it("every /server route is signed, every mutating one takes an Idempotency-Key and names its scope; operator routes need a token", () => {
    const server = allApiRoutes.filter((r) => r.path.startsWith("/api/v1/server/"));
    expect(server.length).toBeGreaterThanOrEqual(12);
    for (const r of server) {
      expect(r.auth, r.operationId).toBe("server");
      if (r.method !== "GET") expect(r.idempotent, r.operationId).toBe(true);
      // The batch checks mint:currency / mint:items per line; /server/me needs no scope.
      if (!["serverGrantBatch", "serverGetMe"].includes(r.operationId)) expect(r.scope, r.operationId).toBeDefined();
    }
    for (const r of allApiRoutes.filter((x) => x.path.startsWith("/api/v1/operator/"))) expect(r.auth, r.operationId).toBe("bearer");
    expect(allApiRoutes.filter((r) => r.auth === "server" && !r.path.startsWith("/api/v1/server/"))).toEqual([]);
  });
});
