/**
 * Feature flags (issue 21, ADR 026) on PGlite and the real Postgres: an admin's change is one
 * `feature_flag_changed` event with before, after and reason, in the change's transaction; bad
 * changes are refused naming the problem with nothing written; two admins changing one flag at once
 * both land, one after the other; the edge decides every flag once per request, passes them to the
 * app (the root loader, GET /api/v1/me/flags) and gates the real feature behind one (/dashboard);
 * the console page answers each caller as the policy matrix says.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { changeFeatureFlag, listFeatureFlags, loadFlagRules } from "../../db/feature-flags";
import { openSession } from "../../edge/auth/sessions.server";
import { flagsFor } from "../../edge/flags/flags.server";
import { rolesAllow, ROLES, type Action } from "../../edge/policy/policy";
import { PAGE_ACCESS } from "../../edge/policy/route-access";
import * as root from "../../app/root";
import * as dashboard from "../../app/routes/dashboard";
import * as features from "../../app/routes/console.features";
import { openTestDb, type TestDb } from "../support/db";
import { apiContext, bearer } from "../support/game-server";
import { pageHelpers, type PagePerson } from "../support/pages";
import { addPlayer } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

const KEY = "traders-dashboard";
const { person, answerOf, statusOf, get, post } = pageHelpers(() => t.db);
/** A new request's context (the edge memoizes the flags per request); flags are never cached across. */
const request = () => apiContext(t.db, { FLAG_CACHE_TTL_MS: "0" });
type Payload = { key: string; reason: string; before: Record<string, unknown>; after: Record<string, unknown> };
const changesOf = (key: string) => rows<{ version: number; actor: string; payload: Payload }>(t.db, sql`
  select version, actor, payload from events where stream = ${`feature-flag:${key}`} and type = 'feature_flag_changed' order by version`);
const reset = () => t.db.execute(sql`update feature_flags set enabled = true, rollout_percent = 100, players = '{}', roles = '{}' where key = ${KEY}`);

describe("feature flags' storage", () => {
  it("the migration defines the dashboard's flag, on for everyone", async () => {
    expect(await loadFlagRules(t.db)).toContainEqual({ key: KEY, enabled: true, rolloutPercent: 100, players: {}, roles: {} });
  });

  it("a change is one event with before, after and reason; the same change again records nothing", async () => {
    await reset();
    const before = (await changesOf(KEY)).length;
    const done = await changeFeatureFlag(t.db, "operator:a", KEY, { rolloutPercent: 25, roles: { support: true }, reason: "slow rollout" }, ROLES);
    expect(done).toMatchObject({ ok: true, changed: true, flag: { key: KEY, enabled: true, rolloutPercent: 25, roles: { support: true }, updatedBy: "operator:a" } });
    const events = await changesOf(KEY);
    expect(events.length).toBe(before + 1);
    expect(events.at(-1)).toMatchObject({
      actor: "operator:a",
      payload: { key: KEY, reason: "slow rollout", before: { rolloutPercent: 100, roles: {} }, after: { rolloutPercent: 25, roles: { support: true } } },
    });
    const again = await changeFeatureFlag(t.db, "operator:b", KEY, { rolloutPercent: 25, roles: { support: true }, reason: "slow rollout" }, ROLES);
    expect(again).toMatchObject({ ok: true, changed: false, flag: { updatedBy: "operator:a" } });
    expect((await changesOf(KEY)).length).toBe(before + 1);
  });

  it("refuses bad changes naming the problem, writing nothing", async () => {
    await reset();
    const before = { events: (await changesOf(KEY)).length, rules: await loadFlagRules(t.db) };
    const cases: Array<[Parameters<typeof changeFeatureFlag>[3], number, RegExp]> = [
      [{ rolloutPercent: 101, reason: "too much" }, 400, /rolloutPercent must be a whole number from 0 to 100/],
      [{ rolloutPercent: -1, reason: "too little" }, 400, /rolloutPercent/],
      [{ rolloutPercent: 12.5, reason: "a fraction" }, 400, /whole number/],
      [{ roles: { wizard: true }, reason: "no such role" }, 400, /there is no role wizard/],
      [{ players: { nobody_here_x: true }, reason: "no such player" }, 400, /there is no player nobody_here_x/],
      [{ enabled: false, reason: " " }, 400, /a reason of 3 to 500 characters/],
    ];
    for (const [change, status, message] of cases) {
      const done = await changeFeatureFlag(t.db, "operator:a", KEY, change, ROLES);
      expect(done.ok ? "accepted" : [done.status, done.message]).toEqual([status, expect.stringMatching(message)]);
    }
    const unknown = await changeFeatureFlag(t.db, "operator:a", "no-such-flag", { enabled: true, reason: "typo" }, ROLES);
    expect(unknown).toMatchObject({ ok: false, status: 404, message: "there is no feature flag no-such-flag" });
    expect((await changesOf(KEY)).length).toBe(before.events);
    expect(await loadFlagRules(t.db)).toEqual(before.rules);
  });

  it("player overrides are given by username, kept by id, shown by name, and removed with null", async () => {
    await reset();
    const id = await addPlayer(t.db);
    const [{ username }] = (await rows<{ username: string }>(t.db, sql`select username from players where id = ${id}`)) as [{ username: string }];
    const on = await changeFeatureFlag(t.db, "operator:a", KEY, { players: { [username]: false }, reason: "tester opts out" }, ROLES);
    expect(on).toMatchObject({ ok: true, flag: { players: { [id]: false }, playerNames: { [id]: username } } });
    expect((await listFeatureFlags(t.db)).find((f) => f.key === KEY)).toMatchObject({ players: { [id]: false }, playerNames: { [id]: username } });
    const off = await changeFeatureFlag(t.db, "operator:a", KEY, { players: { [username]: null }, reason: "back to the rollout" }, ROLES);
    expect(off).toMatchObject({ ok: true, changed: true, flag: { players: {} } });
  });

  it("two admins changing one flag at once both land, one after the other (the row lock)", async () => {
    await reset();
    const [a, b] = [await addPlayer(t.db), await addPlayer(t.db)];
    const names = await rows<{ id: string; username: string }>(t.db, sql`select id::text as id, username from players where id in (${a}, ${b})`);
    const nameOf = (id: string) => names.find((n) => n.id === id)!.username;
    const before = (await changesOf(KEY)).length;
    const [x, y] = await Promise.all([
      changeFeatureFlag(t.db, "operator:x", KEY, { players: { [nameOf(a)]: true }, rolloutPercent: 10, reason: "race x" }, ROLES),
      changeFeatureFlag(t.db, "operator:y", KEY, { players: { [nameOf(b)]: false }, reason: "race y" }, ROLES),
    ]);
    expect([x.ok, y.ok]).toEqual([true, true]);
    const events = (await changesOf(KEY)).slice(before);
    expect(events.length).toBe(2);
    // The second change's "before" is the first's "after": neither overwrote the other.
    expect(events[1]!.payload.before).toEqual(events[0]!.payload.after);
    expect((await loadFlagRules(t.db)).find((r) => r.key === KEY)).toEqual({ key: KEY, enabled: true, rolloutPercent: 10, players: { [a]: true, [b]: false }, roles: {} });
  });
});

describe("feature flags at the edge", () => {
  it("decides every flag per request: the root loader and /api/v1/me/flags agree, and /dashboard is closed while the flag is off for the player", async () => {
    await reset();
    const p = await person(["player"]);
    const token = (await openSession(t.db, p.id, "api", "test")).token;
    const args = (req: Request) => ({ request: req, context: request(), params: {} }) as never;
    const rootFlags = async () => ((await answerOf(() => root.loader(args(get("/", p))))).data as { flags: Record<string, boolean> }).flags;
    const apiFlags = async () => (await bearer(request(), token, "GET", "/api/v1/me/flags")).json!.flags as Record<string, boolean>;

    expect(await rootFlags()).toMatchObject({ [KEY]: true });
    expect(await apiFlags()).toMatchObject({ [KEY]: true });
    expect(await statusOf(() => dashboard.loader(args(get("/dashboard", p))))).toBe(200);

    // Off for this player by an override: every reader says so, and the page is a 404 saying why.
    const [{ username }] = (await rows<{ username: string }>(t.db, sql`select username from players where id = ${p.id}`)) as [{ username: string }];
    expect(await changeFeatureFlag(t.db, "operator:a", KEY, { players: { [username]: false }, reason: "hold back" }, ROLES)).toMatchObject({ ok: true });
    expect(await rootFlags()).toMatchObject({ [KEY]: false });
    expect(await apiFlags()).toMatchObject({ [KEY]: false });
    const closed = await answerOf(() => dashboard.loader(args(get("/dashboard", p))));
    expect(closed.status).toBe(404);
    expect(String(closed.data)).toMatch(/not open to your account yet/);
    const posted = await statusOf(() => dashboard.action(args(post("/dashboard", p, { intent: "market", market: "copper-ore" }))));
    expect(posted).toBe(404);

    // A 0% rollout with a role override: the role wins.
    await reset();
    await changeFeatureFlag(t.db, "operator:a", KEY, { rolloutPercent: 0, roles: { player: true }, reason: "everyone by role" }, ROLES);
    expect(await rootFlags()).toMatchObject({ [KEY]: true });
    // Signed out: the rollout is for players; no one anonymous is in an arm.
    await changeFeatureFlag(t.db, "operator:a", KEY, { rolloutPercent: 100, roles: { player: null }, reason: "back" }, ROLES);
    expect(await answerOf(() => root.loader(args(get("/"))))).toMatchObject({ data: { flags: { [KEY]: false } } });
  });

  it("the same rule decided for 2,000 players gives each the same arm every time, about the rollout's share", async () => {
    await reset();
    await changeFeatureFlag(t.db, "operator:a", KEY, { rolloutPercent: 30, reason: "a third" }, ROLES);
    const ids = Array.from({ length: 2_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    // Each decision a request of its own, through the isolate's cache (10 s, as deployed).
    const decide = () => Promise.all(ids.map(async (id) => (await flagsFor(apiContext(t.db), { id, roles: ["player"] }))[KEY]));
    const first = await decide();
    const second = await decide();
    expect(second).toEqual(first);
    const on = first.filter(Boolean).length / ids.length;
    expect(Math.abs(on - 0.3)).toBeLessThan(0.04);
  });
});

describe("the console's feature flags page", () => {
  it("answers each caller as the matrix says; an admin's form change is an event with them as actor", async () => {
    await reset();
    const people: Record<string, PagePerson | undefined> = {
      anonymous: undefined, player: await person(["player"]), support: await person(["player", "support"]), moderator: await person(["player", "moderator"]),
      admin: await person(["player", "admin"]), "admin without 2FA": await person(["player", "admin"], { secondFactor: false }),
    };
    const access = PAGE_ACCESS["console.features.tsx"]!;
    for (const [who, p] of Object.entries(people)) {
      const may = (action: Action) => p !== undefined && rolesAllow(p.roles, action) && p.secondFactor;
      const expected = (action: Action, ok: number) => (p ? (may(action) ? ok : 403) : 302);
      const args = (req: Request) => ({ request: req, context: request(), params: {} }) as never;
      expect([who, await statusOf(() => features.loader(args(get("/console/features", p))))]).toEqual([who, expected(access.loader as Action, 200)]);
      const before = (await changesOf(KEY)).length;
      const pct = String(40 + before);
      const answer = await answerOf(() => features.action(args(post("/console/features", p, { key: KEY, intent: "rule", enabled: "on", rolloutPercent: pct, reason: `matrix ${who}` }))));
      expect([who, answer.status]).toEqual([who, expected(access.action as Action, 200)]);
      const events = await changesOf(KEY);
      if (may(access.action as Action)) {
        expect(events.length).toBe(before + 1);
        expect(events.at(-1)).toMatchObject({ actor: `operator:${p!.id}`, payload: { reason: `matrix ${who}`, after: { rolloutPercent: Number(pct) } } });
        expect((await listFeatureFlags(t.db)).find((f) => f.key === KEY)).toMatchObject({ updatedBy: `operator:${p!.id}`, updatedByName: expect.stringMatching(/./) });
        expect(answer.data).toMatchObject({ notice: `${KEY} changed: every player sees it within 0 s.` }); // FLAG_CACHE_TTL_MS 0 here
      } else expect([who, events.length]).toEqual([who, before]);
    }
  });

  it("refuses a bad form naming the problem, and sends a stale step-up to /step-up, changing nothing", async () => {
    await reset();
    const admin = await person(["player", "admin"]);
    const args = (req: Request) => ({ request: req, context: request(), params: {} }) as never;
    const before = (await changesOf(KEY)).length;
    const bad = await answerOf(() => features.action(args(post("/console/features", admin, { key: KEY, intent: "rule", rolloutPercent: "150", reason: "too much" }))));
    expect(bad).toMatchObject({ status: 400, data: { error: "The rollout must be a whole number from 0 to 100." } });
    const both = await answerOf(() => features.action(args(post("/console/features", admin, { key: KEY, intent: "override", role: "support", username: "someone", value: "on", reason: "two at once" }))));
    expect(both).toMatchObject({ status: 400, data: { error: "Name either a role or a player's username for the override." } });
    const unknown = await answerOf(() => features.action(args(post("/console/features", admin, { key: KEY, intent: "override", username: "nobody_here_y", value: "on", reason: "who?" }))));
    expect(unknown).toMatchObject({ status: 400, data: { error: "there is no player nobody_here_y" } });
    const stale = await person(["player", "admin"], { steppedUpMinutesAgo: 11 });
    const asked = await answerOf(() => features.action(args(post("/console/features", stale, { key: KEY, intent: "rule", enabled: "on", rolloutPercent: "5", reason: "stale" }))));
    expect(asked.status).toBe(302);
    expect(new URL(asked.location!, "http://x").searchParams.get("for")).toBe("feature-flag:change");
    expect((await changesOf(KEY)).length).toBe(before);
    expect((await loadFlagRules(t.db)).find((r) => r.key === KEY)).toMatchObject({ rolloutPercent: 100 });
  });
});
