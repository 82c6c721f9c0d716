/** /api/v1 through the built worker: tokens, search, and refusals that change nothing. */
import { describe, expect, it } from "vitest";
import { allApiRoutes } from "../../edge/api/index.server";
import { openApiPath } from "../../edge/api/openapi.server";
import { sql } from "drizzle-orm";
import { rows } from "../../db/db";
import { BUILD_MIGRATION } from "../../edge/ready.server";
import { api, Browser, expectNoChange, openDb, uniqueName } from "./client";

const PASSWORD = "correct-horse-9";

async function newPlayerToken(label = "test") {
  const name = uniqueName("Api");
  expect((await new Browser().signUp(name, PASSWORD)).res.status).toBe(302);
  const created = await api("/tokens", { method: "POST", json: { username: name, password: PASSWORD, label } });
  expect(created.status).toBe(201);
  return { name, ...(created.body as { id: string; token: string; label: string; expiresAt: string }) };
}

describe("tokens", () => {
  it("sign in for a token, use it, list it (without the secret), revoke it, and it stops working", async () => {
    const { name, id, token } = await newPlayerToken("laptop");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await api("/me", { token })).body.username).toBe(name);
    const list = await api("/tokens", { token });
    expect(list.body.tokens).toEqual([expect.objectContaining({ id, label: "laptop" })]);
    expect(JSON.stringify(list.body)).not.toContain(token);

    const revoked = await api(`/tokens/${id}`, { method: "DELETE", token });
    expect(revoked.status).toBe(204);
    const after = await api("/me", { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("invalid_token");
  });

  it("cannot revoke another player's token (404) and that token keeps working", async () => {
    const a = await newPlayerToken();
    const b = await newPlayerToken();
    const r = await expectNoChange(() => api(`/tokens/${b.id}`, { method: "DELETE", token: a.token }));
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe("token_not_found");
    expect((await api("/me", { token: b.token })).status).toBe(200);
  });

  it("wrong password and unknown user are the same 401, writing nothing", async () => {
    const { name } = await newPlayerToken();
    for (const username of [name, uniqueName("ghost")]) {
      const r = await expectNoChange(() => api("/tokens", { method: "POST", json: { username, password: "not-the-password", label: "x" } }));
      expect(r.status).toBe(401);
      expect(r.body.error).toEqual({ code: "invalid_credentials", message: "wrong username or password", requestId: r.headers.get("X-Request-Id"), traceId: r.headers.get("X-Trace-Id") });
    }
  });

  it("error bodies quote the request id and the caller's W3C trace id, for a support ticket", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const joined = await api("/me", { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(joined.status).toBe(401);
    expect(joined.body.error.traceId).toBe(traceId);
    expect(joined.headers.get("X-Trace-Id")).toBe(traceId);
    expect(joined.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(joined.body.error.requestId).toBe(joined.headers.get("X-Request-Id"));
    // A malformed traceparent starts a new trace instead of joining it.
    const fresh = await api("/me", { headers: { traceparent: `00-${"0".repeat(32)}-00f067aa0ba902b7-01` } });
    expect(fresh.body.error.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.body.error.traceId).not.toBe("0".repeat(32));
    expect(fresh.body.error.requestId).not.toBe(joined.body.error.requestId);
  });
});

describe("bad input on every endpoint: 4xx, a JSON error that names the problem, no database change", () => {
  const base = { username: "someone", password: PASSWORD, label: "ok" };
  const bodies: [string, string, number, RegExp][] = [
    ["malformed JSON", "{", 400, /not valid JSON/],
    ["an array", "[1]", 400, /JSON object/],
    ["a string", '"hi"', 400, /JSON object/],
    ["missing fields", "{}", 400, /username is required.*password is required.*label is required/],
    ["an unknown field", JSON.stringify({ ...base, isAdmin: true }), 400, /unknown field: isAdmin/],
    ["a number for a string", JSON.stringify({ ...base, label: 5 }), 400, /label must be a string/],
    ["a NaN-ish literal", '{"username":"someone","password":"x","label":NaN}', 400, /not valid JSON/],
    ["a huge number", `{"username":"someone","password":"correct-horse-9","label":9007199254740993}`, 400, /label must be a string/],
    ["an overlong label", JSON.stringify({ ...base, label: "x".repeat(65) }), 400, /at most 64/],
    ["a control character", JSON.stringify({ ...base, label: "tab\there" }), 400, /control characters/],
    ["an overlong username", JSON.stringify({ ...base, username: "u".repeat(25) }), 400, /3-24/],
    ["an overlong password", JSON.stringify({ ...base, password: "p".repeat(129) }), 400, /at most 128/],
  ];
  it.each(bodies)("POST /tokens with %s", async (_what, body, status, message) => {
    const r = await expectNoChange(() => api("/tokens", { method: "POST", body, headers: { "Content-Type": "application/json" } }));
    expect(r.status).toBe(status);
    expect(r.body.error.code).toMatch(/^[a-z_]+$/);
    expect(r.body.error.message).toMatch(message);
  });

  it("POST /tokens with the wrong content type is 415, with a big body 413", async () => {
    await expectNoChange(async () => {
      expect((await api("/tokens", { method: "POST", body: JSON.stringify(base), headers: { "Content-Type": "text/plain" } })).status).toBe(415);
      expect((await api("/tokens", { method: "POST", body: new URLSearchParams(base).toString(), headers: { "Content-Type": "application/x-www-form-urlencoded" } })).status).toBe(415);
      expect((await api("/tokens", { method: "POST", json: { ...base, label: "x".repeat(20_000) } })).status).toBe(413);
    });
  });

  it.each([["0"], ["-1"], ["1.5"], ["NaN"], ["1e2"], ["9007199254740993"], ["99999999999999999999"], ["ten"], [""], ["101"]])("GET /item-types?limit=%s is 400", async (limit) => {
    const r = await api(`/item-types?limit=${encodeURIComponent(limit)}`);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/limit/);
  });

  it("GET /item-types refuses unknown, repeated, overlong and control-character parameters", async () => {
    for (const q of ["sort=name", "q=a&q=b", `q=${"x".repeat(101)}`, "q=%07bell", "category=ORES", "cursor=%2F%2F", "cursor=Zm9vLmJhcg"]) {
      const r = await api(`/item-types?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.message.length, q).toBeGreaterThan(10);
    }
  });

  it("authenticated endpoints refuse missing, malformed, unknown tokens with 401", async () => {
    const bearer = allApiRoutes.filter((r) => r.auth === "bearer");
    for (const r of bearer) {
      const path = r.path.replace("/api/v1", "").replace(":id", "a".repeat(64));
      for (const token of [undefined, "short", "A".repeat(43)]) {
        const res = await expectNoChange(() => api(path, { method: r.method, ...(token ? { token } : {}) }));
        expect(res.status, `${r.method} ${path} ${token}`).toBe(401);
      }
    }
  });

  it("DELETE /tokens/:id with a malformed id is 400", async () => {
    const { token } = await newPlayerToken();
    for (const id of ["nothex", "A".repeat(64), "a".repeat(63), "%00"]) {
      const r = await expectNoChange(() => api(`/tokens/${id}`, { method: "DELETE", token }));
      expect(r.status, id).toBe(400);
    }
  });

  it("unknown endpoints are 404 and wrong methods 405, as JSON", async () => {
    expect((await api("/nope")).body.error.code).toBe("not_found");
    const r = await api("/me", { method: "POST", json: {} });
    expect(r.status).toBe(405);
    expect(r.body.error.code).toBe("method_not_allowed");
  });
});

describe("catalog and health", () => {
  it("healthz reports each part: the database and the rooms", async () => {
    expect((await api("/healthz")).body).toEqual({ ok: true, db: "up", rooms: "up" });
  });

  it("livez answers; readyz says ready with every migration, and 503 naming the gap when the database is behind the build", async () => {
    expect(await api("/livez")).toMatchObject({ status: 200, body: { live: true } });
    const ready = await api("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ready: true, db: "up", migrations: "current", rooms: "up", build: { migrations: BUILD_MIGRATION.count, last: BUILD_MIGRATION.tag } });
    // The database as if the last migration had not run yet (the row is put back afterwards).
    const { db } = await openDb();
    const [last] = await rows<{ id: number; hash: string; created_at: string }>(db, sql`delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations) returning id, hash, created_at::text`);
    try {
      const behind = await api("/readyz");
      expect(behind.status).toBe(503);
      expect(behind.headers.get("retry-after")).toBe("5");
      expect(behind.body.error.code).toBe("not_ready");
      expect(behind.body.error.message).toContain(`this build needs ${BUILD_MIGRATION.count} (up to ${BUILD_MIGRATION.tag}): run npm run db:migrate`);
      // Liveness does not depend on it.
      expect((await api("/livez")).status).toBe(200);
    } finally {
      await db.execute(sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${last!.id}, ${last!.hash}, ${last!.created_at}::bigint)`);
    }
    expect((await api("/readyz")).status).toBe(200);
  });

  it("searches item types by full text and category, paging with a cursor", async () => {
    const ores = await api("/item-types?q=ore&category=ores&limit=2");
    expect(ores.status).toBe(200);
    expect(ores.body.items).toHaveLength(2);
    expect(ores.body.nextCursor).toEqual(expect.any(String));
    const next = await api(`/item-types?q=ore&category=ores&limit=2&cursor=${ores.body.nextCursor}`);
    const slugs = [...ores.body.items, ...next.body.items].map((i: { slug: string }) => i.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect([...slugs].sort()).toEqual(slugs);
    expect((await api("/item-types?q=dragon")).body.items.map((i: { slug: string }) => i.slug)).toContain("dragon-scale");
    expect((await api("/item-types?q=zzzxqy")).body).toEqual({ items: [], nextCursor: null });
  });

  it("serves an OpenAPI 3.1 document listing exactly the router's routes", async () => {
    const doc = (await api("/openapi.json")).body;
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(allApiRoutes.map((r) => `${r.method} ${openApiPath(r.path)}`).sort());
  });
});
