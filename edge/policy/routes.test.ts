/** The authorization matrix over the routes: a route without a row in route-access.ts fails here. */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allApiRoutes } from "../api/index.server";
import { ACTIONS, rolesAllow, stepUpOf, type Action } from "./policy";
import { stepUpOfRoute } from "../api/router.server";
import { API_ACCESS, PAGE_ACCESS } from "./route-access";

const ROUTES_DIR = new URL("../../app/routes/", import.meta.url);

function exportsOf(file: string): { loader?: true; action?: true } {
  const text = readFileSync(new URL(file, ROUTES_DIR), "utf8");
  const has = (name: string) => new RegExp(`export\\s+(async\\s+)?(function|const|let)\\s+${name}\\b|export\\s*\\{[^}]*\\b${name}\\b`).test(text);
  return { ...(has("loader") ? { loader: true as const } : {}), ...(has("action") ? { action: true as const } : {}) };
}

describe("authorization matrix over the routes", () => {
  it("every API route has a row, and every row is a route", () => {
    const keys = allApiRoutes.map((r) => `${r.method} ${r.path}`);
    expect(keys.filter((k) => !(k in API_ACCESS)), "API routes without a row in API_ACCESS").toEqual([]);
    expect(Object.keys(API_ACCESS).filter((k) => !keys.includes(k)), "rows for routes that no longer exist").toEqual([]);
  });

  it("every page loader and action has a row, and every row is one", () => {
    const files = readdirSync(ROUTES_DIR).filter((f) => /\.(tsx?|jsx?)$/.test(f) && !/\.test\./.test(f)).sort();
    const found = Object.fromEntries(files.map((f) => [f, exportsOf(f)]));
    const expected = Object.fromEntries(Object.entries(PAGE_ACCESS).map(([f, a]) => [f, { ...(a.loader ? { loader: true } : {}), ...(a.action ? { action: true } : {}) }]));
    expect(found).toEqual(expected);
  });

  it("routes guarded by an action say so in the route itself, and the row agrees", () => {
    for (const r of allApiRoutes) {
      const access = API_ACCESS[`${r.method} ${r.path}`]!;
      if (r.path.startsWith("/api/v1/admin/")) expect(r.policy, `${r.method} ${r.path} needs a policy action`).toBe(access);
      if (r.policy) {
        expect(r.auth).toBe("bearer");
        expect(access).toBe(r.policy);
      }
      if (access === "server") expect(r.auth).toBe("server");
      if (access === "player" || (ACTIONS as readonly string[]).includes(access)) expect(r.auth).toBe("bearer");
    }
  });

  it("no staff route is open to a plain player", () => {
    for (const [key, access] of Object.entries(API_ACCESS)) {
      if ((ACTIONS as readonly string[]).includes(access)) expect(rolesAllow(["player"], access as Action), key).toBe(false);
    }
  });

  it("every staff route that changes something needs a step-up, and no read does", () => {
    // POSTs that move nothing say so (stepUp "none"); this list is every one of them.
    expect(allApiRoutes.filter((r) => r.policy && r.method !== "GET" && r.stepUp === "none").map((r) => `${r.method} ${r.path}`)).toEqual(["POST /api/v1/admin/rollbacks"]);
    const changing = allApiRoutes.filter((r) => r.policy && r.method !== "GET" && r.stepUp !== "none");
    expect(changing.length).toBeGreaterThanOrEqual(9); // roles, freeze, unfreeze, 2FA reset, 4 game-server, limits
    for (const r of changing) expect(stepUpOfRoute(r), `${r.method} ${r.path}`).toBeDefined();
    for (const r of allApiRoutes) {
      const key = `${r.method} ${r.path}`;
      if (!r.policy) continue;
      if (r.method === "GET") expect(stepUpOfRoute(r), key).toBeUndefined();
      else if (stepUpOf(r.policy) && r.stepUp !== "none") expect(stepUpOfRoute(r), key).toBeDefined();
    }
    const unfreeze = allApiRoutes.find((r) => r.path === "/api/v1/admin/players/:id/unfreeze")!;
    expect(stepUpOfRoute(unfreeze)).toBe("player:unfreeze");
  });
});
