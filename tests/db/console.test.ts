/**
 * The operators' console pages (issue 18) called as Remix would, on PGlite and the real Postgres:
 * each loader and action answers the six callers as edge/policy/route-access.ts says, and a
 * moderator's freeze from the console is the same freeze event with the moderator as actor.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import type { AppLoadContext } from "../../edge/context.server";
import { rolesAllow, SECOND_FACTOR_REQUIRED, type Action } from "../../edge/policy/policy";
import { PAGE_ACCESS } from "../../edge/policy/route-access";
import * as home from "../../app/routes/console._index";
import * as player from "../../app/routes/console.players.$id";
import * as audit from "../../app/routes/console.audit";
import * as eventPage from "../../app/routes/console.events.$id";
import * as timeline from "../../app/routes/console.players.$id_.timeline";
import { openTestDb, type TestDb } from "../support/db";
import { BASE, pageHelpers, type PagePerson } from "../support/pages";
import { apiContext } from "../support/game-server";
import { addPlayer } from "../support/world";
import { enrolSecondFactor, setSteppedUp } from "../support/second-factor";
import * as stepUpPage from "../../app/routes/step-up";

let t: TestDb;
let context: AppLoadContext;
beforeAll(async () => {
  t = await openTestDb();
  context = apiContext(t.db);
  // One event for the event page to show.
  const someone = await addPlayer(t.db);
  await withTx(t.db, (tx) => ledger.mint(tx, { actor: "system:seed" }, { playerId: someone, asset: ledger.CURRENCY, amount: 1 }));
});
afterAll(async () => t?.close());

const { person, answerOf, statusOf, get, post } = pageHelpers(() => t.db);
type Person = PagePerson;

describe("console pages", () => {
  it("answer each caller as the matrix says", async () => {
    const people: Record<string, Person | undefined> = {
      anonymous: undefined, player: await person(["player"]), "other player": await person(["player"]),
      support: await person(["player", "support"]), moderator: await person(["player", "moderator"]), admin: await person(["player", "admin"]),
      "admin without 2FA": await person(["player", "admin"], { secondFactor: false }),
    };
    for (const [who, p] of Object.entries(people)) {
      const target = await person(["player"]);
      const can = (roles: string[], action: Action) => rolesAllow(roles, action) && p!.secondFactor;
      const expected = (action: Action, ok: number) => (p ? (can(p.roles, action) ? ok : 403) : 302);
      const args = (request: Request, id?: string) => ({ request, context, params: id ? { id } : {} });
      expect([who, await statusOf(() => home.loader(args(get("/console?q=p_", p)) as never))]).toEqual([who, expected(PAGE_ACCESS["console._index.tsx"]!.loader as Action, 200)]);
      expect([who, await statusOf(() => audit.loader(args(get(`/console/audit?player=${target.id}`, p)) as never))]).toEqual([who, expected(PAGE_ACCESS["console.audit.tsx"]!.loader as Action, 200)]);
      const [anyEvent] = await rows<{ id: string }>(t.db, sql`select event_id::text as id from events limit 1`);
      expect([who, await statusOf(() => eventPage.loader(args(get(`/console/events/${anyEvent!.id}`, p), anyEvent!.id) as never))]).toEqual([who, expected(PAGE_ACCESS["console.events.$id.tsx"]!.loader as Action, 200)]);
      const page = `/console/players/${target.id}`;
      expect([who, await statusOf(() => player.loader(args(get(page, p), target.id) as never))]).toEqual([who, expected(PAGE_ACCESS["console.players.$id.tsx"]!.loader as Action, 200)]);
      const timelinePage = `/console/players/${target.id}/timeline`;
      expect([who, await statusOf(() => timeline.loader(args(get(timelinePage, p), target.id) as never))]).toEqual([who, expected(PAGE_ACCESS["console.players.$id_.timeline.tsx"]!.loader as Action, 200)]);
      const freeze = await statusOf(() => player.action(args(post(page, p, { intent: "freeze", reason: "matrix test" }), target.id) as never));
      expect([who, freeze]).toEqual([who, expected(PAGE_ACCESS["console.players.$id.tsx"]!.action as Action, 200)]);
      const roles = await statusOf(() => player.action(args(post(page, p, { intent: "roles", role: "support", reason: "matrix test" }), target.id) as never));
      expect([who, roles]).toEqual([who, expected("roles:change", 200)]);
      const [{ frozen }] = (await rows<{ frozen: boolean }>(t.db, sql`select frozen_at is not null as frozen from players where id = ${target.id}`)) as [{ frozen: boolean }];
      expect([who, frozen]).toEqual([who, p ? can(p.roles, "player:freeze") : false]);
    }
  });

  it("a staff member without a second factor sees why, with the way to /security", async () => {
    const admin = await person(["player", "admin"], { secondFactor: false });
    const answer = await answerOf(() => home.loader({ request: get("/console", admin), context, params: {} } as never));
    expect(answer).toMatchObject({ status: 403, text: SECOND_FACTOR_REQUIRED });
    await enrolSecondFactor(t.db, admin.id);
    expect(await statusOf(() => home.loader({ request: get("/console", admin), context, params: {} } as never))).toBe(200);
  });

  it("a stale step-up sends the act to /step-up, which says why and comes back; a fresh code lets it through", async () => {
    const moderator = await person(["player", "moderator"], { steppedUpMinutesAgo: 11 });
    const target = await person(["player"]);
    const page = `/console/players/${target.id}`;
    const args = (request: Request, params: Record<string, string> = { id: target.id }) => ({ request, context, params });
    const asked = await answerOf(() => player.action(args(post(page, moderator, { intent: "freeze", reason: "card fraud" })) as never));
    expect(asked.status).toBe(302);
    const location = new URL(asked.location!, BASE);
    expect([location.pathname, location.searchParams.get("for"), location.searchParams.get("redirectTo")]).toEqual(["/step-up", "player:freeze", page]);
    const frozenNow = async () => (await rows<{ frozen: boolean }>(t.db, sql`select frozen_at is not null as frozen from players where id = ${target.id}`))[0]!.frozen;
    expect(await frozenNow()).toBe(false);
    expect(await rows(t.db, sql`select 1 from events where stream = ${`player:${target.id}`}`)).toEqual([]);

    const stepUrl = `${location.pathname}${location.search}`;
    const shown = await answerOf(() => stepUpPage.loader(args(get(stepUrl, moderator), {}) as never));
    expect(shown.status).toBe(200);
    expect(shown.data).toMatchObject({ why: "Confirm it's you to freeze a player", back: page, hasFactor: true });
    const wrong = await answerOf(() => stepUpPage.action(args(post(stepUrl, moderator, { code: "12345" }), {}) as never));
    expect(wrong.status).toBe(400);
    const code = moderator.factor!.code();
    const ok = await answerOf(() => stepUpPage.action(args(post(stepUrl, moderator, { code }), {}) as never));
    expect([ok.status, ok.location]).toEqual([302, page]);
    // fresh now: the page sends straight back, and the freeze goes through
    expect((await answerOf(() => stepUpPage.loader(args(get(stepUrl, moderator), {}) as never))).location).toBe(page);
    const done = (await player.action(args(post(page, moderator, { intent: "freeze", reason: "card fraud" })) as never)) as { notice?: string };
    expect(done.notice).toBe("Frozen.");
    // the same code again (after the step-up went stale) is refused
    await setSteppedUp(t.db, moderator.sessionId, 11);
    const replay = await answerOf(() => stepUpPage.action(args(post(stepUrl, moderator, { code }), {}) as never));
    expect(replay.status).toBe(401);
    expect(replay.data).toEqual({ formError: "That code was already used. Wait for the next code in your authenticator app." });
    // a link that names no purpose is refused; an unsafe redirect goes home
    expect((await answerOf(() => stepUpPage.loader(args(get("/step-up?for=nothing", moderator), {}) as never))).status).toBe(400);
  });

  it("an admin resets a player's 2FA from the console (step-up, reason); one event, sessions revoked", async () => {
    const admin = await person(["player", "admin"]);
    const moderator = await person(["player", "moderator"]);
    const target = await person(["player"], { secondFactor: true });
    const page = `/console/players/${target.id}`;
    const args = (request: Request) => ({ request, context, params: { id: target.id } });
    expect(await statusOf(() => player.action(args(post(page, moderator, { intent: "reset-2fa", reason: "lost phone" })) as never))).toBe(403);
    expect(await statusOf(() => player.action(args(post(page, admin, { intent: "reset-2fa", reason: "" })) as never))).toBe(400);
    const factors = async () => (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from second_factors where player_id = ${target.id}`))[0]!.n;
    expect(await factors()).toBe(1);
    const shown = (await answerOf(() => player.loader(args(get(page, admin)) as never))).data as { account: { secondFactor: string }; may: { resetFactor: boolean } };
    expect([shown.account.secondFactor, shown.may.resetFactor]).toEqual(["on", true]);
    const done = (await player.action(args(post(page, admin, { intent: "reset-2fa", reason: "lost phone, id checked" })) as never)) as { notice?: string };
    expect(done.notice).toMatch(/^Two-factor sign-in reset: 10 recovery codes deleted, 1 sessions and tokens revoked/);
    expect(await factors()).toBe(0);
    const events = await rows<{ type: string; actor: string }>(t.db, sql`select type, actor from events where stream = ${`player:${target.id}`}`);
    expect(events).toEqual([{ type: "second_factor_reset", actor: `operator:${admin.id}` }]);
  });

  it("a freeze from the console is recorded with the moderator as actor; a missing reason changes nothing", async () => {
    const moderator = await person(["player", "moderator"]);
    const target = await person(["player"]);
    const page = `/console/players/${target.id}`;
    const args = (request: Request) => ({ request, context, params: { id: target.id } });
    expect(await statusOf(() => player.action(args(post(page, moderator, { intent: "freeze", reason: "" })) as never))).toBe(400);
    const done = (await player.action(args(post(page, moderator, { intent: "freeze", reason: "card fraud" })) as never)) as { notice?: string };
    expect(done.notice).toBe("Frozen.");
    const events = await rows<{ type: string; actor: string; payload: unknown }>(t.db, sql`select type, actor, payload from events where stream = ${`player:${target.id}`} order by version`);
    expect(events).toEqual([{ type: "player_frozen", actor: `operator:${moderator.id}`, payload: { reason: "card fraud" } }]);
    const [wallet] = await rows<{ frozen: boolean }>(t.db, sql`select frozen from balances where player_id = ${target.id}`);
    expect(wallet!.frozen).toBe(true);
  });
});
