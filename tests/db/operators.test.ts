/**
 * Operators (issue 18) through the real /api/v1 router in Node, on PGlite and on the real Postgres:
 * the staff routes answered as the authorization matrix (edge/policy/route-access.ts) says for
 * anonymous, a player, another player, support, moderator and admin, with nothing changed when refused;
 * role changes and freezes as events with the operator as actor; the freeze the game-server API's.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { allApiRoutes } from "../../edge/api/index.server";
import { dispatch } from "../../edge/api/router.server";
import type { AppLoadContext } from "../../edge/context.server";
import { openSession } from "../../edge/auth/sessions.server";
import { stepUpOfRoute } from "../../edge/api/router.server";
import { ACTIONS, rolesAllow, SECOND_FACTOR_REQUIRED, type Action } from "../../edge/policy/policy";
import { API_ACCESS } from "../../edge/policy/route-access";
import { openTestDb, type TestDb } from "../support/db";
import { apiContext, bearer } from "../support/game-server";
import { addPlayer } from "../support/world";
import { enrolSecondFactor, isStaffRoles, setSteppedUp, type Enrolled } from "../support/second-factor";

let t: TestDb;
let context: AppLoadContext;
beforeAll(async () => {
  t = await openTestDb();
  context = apiContext(t.db);
});
afterAll(async () => t?.close());

type Who = "anonymous" | "player" | "other player" | "support" | "moderator" | "admin" | "admin without 2FA" | "admin, stale step-up" | "admin, stale step-up + code";
const WHO: Who[] = ["anonymous", "player", "other player", "support", "moderator", "admin", "admin without 2FA", "admin, stale step-up", "admin, stale step-up + code"];

/**
 * A player with roles and an API token. Staff get a confirmed second factor (edge/policy: no staff
 * power without one) and a fresh step-up unless told otherwise.
 */
async function person(roles: string[], opts: { secondFactor?: boolean; steppedUpMinutesAgo?: number | null } = {}) {
  const id = await addPlayer(t.db);
  await t.db.execute(sql`update players set roles = ${`{${roles.join(",")}}`}::text[] where id = ${id}`);
  const withFactor = opts.secondFactor ?? isStaffRoles(roles);
  const factor: Enrolled | undefined = withFactor ? await enrolSecondFactor(t.db, id) : undefined;
  const session = await openSession(t.db, id, "api", "test");
  const stepped = opts.steppedUpMinutesAgo === undefined ? (withFactor ? 0 : null) : opts.steppedUpMinutesAgo;
  await setSteppedUp(t.db, session.id, stepped);
  return { id, token: session.token, sessionId: session.id, roles, factor, secondFactor: withFactor };
}
type Person = Awaited<ReturnType<typeof person>>;

async function call(token: string | null, method: string, path: string, body?: unknown) {
  if (token) {
    const r = await bearer(context, token, method, path, body);
    return { status: r.status, json: r.json! };
  }
  const res = await dispatch(allApiRoutes, new Request(`http://bazaar.test${path}`, {
    method, headers: body === undefined ? {} : { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
  }), context);
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const eventsOf = (playerId: string) => rows<{ type: string; actor: string; payload: Record<string, unknown> }>(t.db, sql`
  select type, actor, payload from events where stream = ${`player:${playerId}`} order by version`);

/** An event naming the player (a probe mint when there is none yet). */
async function someEventOf(playerId: string): Promise<string> {
  const [found] = await rows<{ id: string }>(t.db, sql`select event_id::text as id from events where stream = ${`player:${playerId}`} order by id limit 1`);
  if (found) return found.id;
  await withTx(t.db, (tx) => ledger.mint(tx, { actor: "system:seed" }, { playerId, asset: ledger.CURRENCY, amount: 1 }));
  return someEventOf(playerId);
}

describe("operators through /api/v1/admin", () => {
  it("answers each staff route as the matrix says for all nine callers (with and without 2FA, stale and fresh step-up), and changes nothing when refused", async () => {
    const admin = ["player", "admin"];
    const people: Record<Exclude<Who, "anonymous">, Person> = {
      player: await person(["player"]), "other player": await person(["player"]),
      support: await person(["player", "support"]), moderator: await person(["player", "moderator"]), admin: await person(admin),
      "admin without 2FA": await person(admin, { secondFactor: false }),
      "admin, stale step-up": await person(admin, { steppedUpMinutesAgo: 11 }),
      "admin, stale step-up + code": await person(admin, { steppedUpMinutesAgo: 11 }),
    };
    // The review queue's routes (flags, rollbacks) name flags and rollbacks: tests/db/review.test.ts has their matrix.
    const staff = allApiRoutes.filter((r) => r.path.startsWith("/api/v1/admin/") && !/^\/api\/v1\/admin\/(flags|rollbacks)/.test(r.path));
    expect(staff.length).toBeGreaterThanOrEqual(5);
    let recoveryUsed = 0;
    for (const r of staff) {
      const action = API_ACCESS[`${r.method} ${r.path}`] as Action;
      expect(ACTIONS).toContain(action);
      const stepUp = stepUpOfRoute(r);
      for (const who of WHO) {
        // a fresh target each time, so an allowed freeze does not hide the next caller's answer
        const target = await person(["player"], { secondFactor: r.path.endsWith("/second-factor/reset") });
        const caller = who === "anonymous" ? undefined : people[who];
        const subject = who === "player" ? people.player.id : target.id; // "player" acts on themself, "other player" on someone else
        // /admin/events/:id names an event: the target's own first event (its sign-up starter kit, or a probe).
        const path = r.path.startsWith("/api/v1/admin/events/") ? r.path.replace(":id", await someEventOf(target.id)) : r.path.replace(":id", subject).replace(":key", "traders-dashboard");
        let body: Record<string, unknown> | undefined = r.path.endsWith("/roles") ? { roles: ["player"], reason: "matrix test" } : r.method === "GET" ? undefined : { reason: "matrix test" };
        if (who.endsWith("+ code") && body) {
          // a recovery code each time (a TOTP code works once per 30 s); stale again before each call
          await setSteppedUp(t.db, caller!.sessionId, 11);
          body = { ...body, code: caller!.factor!.recoveryCodes[recoveryUsed++] };
        }
        const before = (await eventsOf(subject)).length;
        const answer = await call(caller?.token ?? null, r.method, path, body);
        const roleOk = caller !== undefined && rolesAllow(caller.roles, action);
        const factorOk = roleOk && caller!.secondFactor;
        const stale = who.startsWith("admin, stale") && !who.endsWith("+ code");
        const stepUpOk = !stepUp || !stale;
        const allowed = factorOk && stepUpOk;
        const expected = !caller ? 401 : allowed ? r.status : 403;
        expect([`${who} ${r.method} ${r.path}`, answer.status]).toEqual([`${who} ${r.method} ${r.path}`, expected]);
        if (!allowed) {
          expect((await eventsOf(subject)).length).toBe(before);
          if (caller && !roleOk) expect(answer.json.error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/^your role may not /) });
          else if (caller && !factorOk) expect(answer.json.error).toMatchObject({ code: "second_factor_required", message: SECOND_FACTOR_REQUIRED });
          else if (caller) expect([answer.json.error.code, answer.json.error.message]).toEqual(["step_up_required", expect.stringMatching(/^Confirm it's you to [a-z]/)]);
        }
      }
    }
  });

  it("a code used for one step-up is refused for the next (replay); a wrong code is 401; nothing changes when refused", async () => {
    const admin = await person(["player", "admin"], { steppedUpMinutesAgo: 30 });
    const target = await person(["player"]);
    const path = `/api/v1/admin/players/${target.id}/freeze`;
    const code = admin.factor!.code();
    const wrong = await call(admin.token, "POST", path, { reason: "replay test", code: code === "000000" ? "111111" : "000000" });
    expect([wrong.status, wrong.json.error.code]).toEqual([401, "invalid_code"]);
    expect(await eventsOf(target.id)).toEqual([]);
    const bad = await call(admin.token, "POST", path, { reason: "replay test", code: 123 });
    expect([bad.status, bad.json.error.code]).toEqual([400, "invalid_request"]);
    const first = await call(admin.token, "POST", path, { reason: "replay test", code });
    expect(first.status).toBe(200);
    const [{ at }] = (await rows<{ at: string | null }>(t.db, sql`select stepped_up_at::text as at from sessions where id = ${admin.sessionId}`)) as [{ at: string | null }];
    expect(at).not.toBeNull();
    // Fresh now: the next act needs no code for 10 minutes.
    expect((await call(admin.token, "POST", `/api/v1/admin/players/${target.id}/unfreeze`, { reason: "replay test" })).status).toBe(200);
    // Stale again: the same code is refused, nothing changes.
    await setSteppedUp(t.db, admin.sessionId, 11);
    const before = await eventsOf(target.id);
    const replayed = await call(admin.token, "POST", path, { reason: "replay test", code });
    expect([replayed.status, replayed.json.error.code]).toEqual([401, "code_reused"]);
    expect(await eventsOf(target.id)).toEqual(before);
    const [{ frozen }] = (await rows<{ frozen: boolean }>(t.db, sql`select frozen_at is not null as frozen from players where id = ${target.id}`)) as [{ frozen: boolean }];
    expect(frozen).toBe(false);
  });

  it("an admin's 2FA reset removes the factor and codes, revokes every session, writes one event; refused calls change nothing", async () => {
    const admin = await person(["player", "admin"]);
    const moderator = await person(["player", "moderator"]);
    const target = await person(["player"], { secondFactor: true });
    const web = await openSession(t.db, target.id, "web");
    const path = `/api/v1/admin/players/${target.id}/second-factor/reset`;
    const state = async () => ({
      factors: (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from second_factors where player_id = ${target.id}`))[0]!.n,
      codes: (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from recovery_codes where player_id = ${target.id}`))[0]!.n,
      live: (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from sessions where player_id = ${target.id} and revoked_at is null`))[0]!.n,
      events: (await eventsOf(target.id)).length,
    });
    const before = await state();
    expect(before).toMatchObject({ factors: 1, codes: 10, live: 2 });
    // refused: a moderator, no reason, a stale step-up: nothing changes
    expect((await call(moderator.token, "POST", path, { reason: "lost phone" })).status).toBe(403);
    expect((await call(admin.token, "POST", path, {})).status).toBe(400);
    expect((await call(admin.token, "POST", path, { reason: "x" })).status).toBe(400);
    await setSteppedUp(t.db, admin.sessionId, 11);
    expect((await call(admin.token, "POST", path, { reason: "lost phone" })).json.error.code).toBe("step_up_required");
    expect(await state()).toEqual(before);
    expect((await call(target.token, "GET", "/api/v1/me")).status).toBe(200);

    const done = await call(admin.token, "POST", path, { reason: "lost phone and codes, id checked", code: admin.factor!.code() });
    expect(done).toEqual({ status: 200, json: { playerId: target.id, secondFactor: "off", recoveryCodesRemoved: 10, sessionsRevoked: 2 } });
    expect(await state()).toEqual({ factors: 0, codes: 0, live: 0, events: before.events + 1 });
    expect((await eventsOf(target.id)).at(-1)).toEqual({
      type: "second_factor_reset", actor: `operator:${admin.id}`,
      payload: { reason: "lost phone and codes, id checked", confirmed: true, recoveryCodesRemoved: 10, sessionsRevoked: 2 },
    });
    expect((await call(target.token, "GET", "/api/v1/me")).status).toBe(401);
    expect(web.id).toBeTruthy();
    // again: nothing left to reset (409), no second event
    const again = await call(admin.token, "POST", path, { reason: "lost phone" });
    expect([again.status, again.json.error.code]).toEqual([409, "no_second_factor"]);
    expect((await state()).events).toBe(before.events + 1);
    // the event is immutable like every event
    await expect(t.db.execute(sql`update events set payload = '{}' where stream = ${`player:${target.id}`} and type = 'second_factor_reset'`)).rejects.toThrow();
  });

  it("role changes are events with the admin as actor, and take effect on the next call", async () => {
    const admin = await person(["player", "admin"]);
    const target = await person(["player"]);
    expect((await call(target.token, "GET", `/api/v1/admin/players/${admin.id}`)).status).toBe(403);
    const bad = await call(admin.token, "PUT", `/api/v1/admin/players/${target.id}/roles`, { roles: ["root"], reason: "promote" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/roles are player, support, moderator, admin/);
    const noReason = await call(admin.token, "PUT", `/api/v1/admin/players/${target.id}/roles`, { roles: ["support"] });
    expect(noReason.status).toBe(400);
    expect(await eventsOf(target.id)).toEqual([]);

    const done = await call(admin.token, "PUT", `/api/v1/admin/players/${target.id}/roles`, { roles: ["support"], reason: "joins support" });
    expect(done.json).toEqual({ playerId: target.id, roles: ["player", "support"], previous: ["player"], changed: true });
    const again = await call(admin.token, "PUT", `/api/v1/admin/players/${target.id}/roles`, { roles: ["support", "player"], reason: "joins support" });
    expect(again.json.changed).toBe(false);
    expect(await eventsOf(target.id)).toEqual([
      { type: "player_roles_changed", actor: `operator:${admin.id}`, payload: { from: ["player"], to: ["player", "support"], reason: "joins support" } },
    ]);
    // The new support member has no second factor yet: no staff power until one is on.
    const noFactor = await call(target.token, "GET", `/api/v1/admin/players/${admin.id}`);
    expect([noFactor.status, noFactor.json.error]).toMatchObject([403, { code: "second_factor_required", message: SECOND_FACTOR_REQUIRED }]);
    await enrolSecondFactor(t.db, target.id);
    const seen = await call(target.token, "GET", `/api/v1/admin/players/${admin.id}`);
    expect([seen.status, seen.json.roles]).toEqual([200, ["player", "admin"]]);
    expect((await call(admin.token, "GET", `/api/v1/admin/players/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it("a moderator's freeze is the game-server API's freeze, recorded with the moderator as actor", async () => {
    const moderator = await person(["player", "moderator"]);
    const target = await person(["player"]);
    expect((await call(target.token, "GET", "/api/v1/me")).status).toBe(200);
    expect((await call(moderator.token, "POST", `/api/v1/admin/players/${target.id}/freeze`, {})).status).toBe(400);

    const frozen = await call(moderator.token, "POST", `/api/v1/admin/players/${target.id}/freeze`, { reason: "stolen account reported" });
    expect(frozen.status).toBe(200);
    expect(frozen.json).toMatchObject({ playerId: target.id, frozen: true, frozenBy: `operator:${moderator.id}`, reason: "stolen account reported", changed: true, ordersCancelledIn: [] });
    const [wallet] = await rows<{ frozen: boolean }>(t.db, sql`select frozen from balances where player_id = ${target.id}`);
    expect(wallet!.frozen).toBe(true);
    const refused = await call(target.token, "GET", "/api/v1/me");
    expect([refused.status, refused.json.error.code]).toEqual([403, "account_frozen"]);
    expect(refused.json.error.message).toMatch(/stolen account reported/);
    const seen = await call(moderator.token, "GET", `/api/v1/admin/players/${target.id}`);
    expect(seen.json).toMatchObject({ frozen: true, status: "suspended", frozenReason: "stolen account reported" });

    const thawed = await call(moderator.token, "POST", `/api/v1/admin/players/${target.id}/unfreeze`, { reason: "owner verified" });
    expect(thawed.json).toMatchObject({ frozen: false, changed: true });
    expect((await call(target.token, "GET", "/api/v1/me")).status).toBe(200);
    expect(await eventsOf(target.id)).toEqual([
      { type: "player_frozen", actor: `operator:${moderator.id}`, payload: { reason: "stolen account reported" } },
      { type: "player_unfrozen", actor: `operator:${moderator.id}`, payload: { reason: "owner verified" } },
    ]);
  });

  it("the OpenAPI document lists the admin routes with a 403", async () => {
    const doc = (await call(null, "GET", "/api/v1/openapi.json")).json;
    expect(doc.paths["/api/v1/admin/players/{id}/freeze"].post.responses["403"]).toBeDefined();
    expect(doc.paths["/api/v1/admin/players/{id}/roles"].put.operationId).toBe("adminSetRoles");
    const reset = doc.paths["/api/v1/admin/players/{id}/second-factor/reset"].post;
    expect(reset.operationId).toBe("adminResetSecondFactor");
    expect(reset["x-step-up"]).toBe("second-factor:reset");
    expect(Object.keys(reset.requestBody.content["application/json"].schema.properties).sort()).toEqual(["code", "reason"]);
    expect(reset.responses["409"]).toBeDefined();
    // a body-less step-up route takes an optional body with only the code
    const revokeKey = doc.paths["/api/v1/operator/game-servers/{name}/keys/{keyId}"].delete;
    expect(revokeKey.requestBody).toMatchObject({ required: false });
    expect(doc.paths["/api/v1/admin/players/{id}"].get["x-step-up"]).toBeUndefined();
  });
});
