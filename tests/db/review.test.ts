/**
 * The review queue (issue 18, ADR 038) on PGlite and on the real Postgres, through the real
 * /api/v1 router and the console's loaders and actions: every flags and rollbacks route answers
 * anonymous, a player, support, a moderator and an admin as edge/policy/route-access.ts says, with
 * nothing changed when refused; flags raised by the fraud consumer from real trades are listed
 * newest first with evidence events, escalated and dismissed with events naming the operator; a
 * rollback planned from a flag (dry run), proposed, applied above the threshold waits for a
 * second admin, and moves the goods back.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import { checkLedger } from "../../db/audit/check";
import { runConsumer } from "../../db/consumers/run";
import { fraudConsumer } from "../../db/fraud/consumer";
import { defaultFraudConfig } from "../../db/fraud/rules";
import * as ledger from "../../db/ledger";
import { allApiRoutes } from "../../edge/api/index.server";
import { dispatch } from "../../edge/api/router.server";
import type { AppLoadContext } from "../../edge/context.server";
import { openSession } from "../../edge/auth/sessions.server";
import { can, type Action } from "../../edge/policy/policy";
import { API_ACCESS, PAGE_ACCESS } from "../../edge/policy/route-access";
import * as flagsPage from "../../app/routes/console.flags";
import * as rollbacksPage from "../../app/routes/console.rollbacks";
import { MarketSession } from "../../party/market/session";
import type { MarketCommand } from "../../party/settlement/types";
import { openTestDb, type TestDb } from "../support/db";
import { apiContext, bearer } from "../support/game-server";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { addPlayer } from "../support/world";
import { enrolSecondFactor, isStaffRoles, setSteppedUp } from "../support/second-factor";

let t: TestDb;
let context: AppLoadContext;
const THRESHOLD = 5_000;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 4 });
  context = apiContext(t.db, { ROLLBACK_APPROVE_ABOVE: String(THRESHOLD) });
});
afterAll(async () => t?.close());

type Who = "anonymous" | "player" | "support" | "moderator" | "admin";
const WHO: Who[] = ["anonymous", "player", "support", "moderator", "admin"];

/** Staff have a second factor and a fresh step-up on both sessions (ADR 035; tests/db/step-up.test.ts tries without). */
async function person(roles: string[]) {
  const id = await addPlayer(t.db);
  await t.db.execute(sql`update players set roles = ${`{${roles.join(",")}}`}::text[] where id = ${id}`);
  const secondFactor = isStaffRoles(roles);
  if (secondFactor) await enrolSecondFactor(t.db, id);
  const web = await openSession(t.db, id, "web");
  const api = await openSession(t.db, id, "api", "test");
  for (const s of [web, api]) await setSteppedUp(t.db, s.id, secondFactor ? 0 : null);
  return { id, roles, secondFactor, token: api.token, cookie: `bazaar_session=${web.token}`, csrf: web.csrfToken! };
}
type Person = Awaited<ReturnType<typeof person>>;

async function call(who: Person | undefined, method: string, path: string, body?: unknown) {
  if (who) {
    const r = await bearer(context, who.token, method, path, body);
    return { status: r.status, json: r.json! };
  }
  const res = await dispatch(allApiRoutes, new Request(`http://bazaar.test${path}`, {
    method, headers: body === undefined ? {} : { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
  }), context);
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A flag as the consumer stores it (the matrix needs many; the flow test raises real ones). */
async function aFlag(): Promise<string> {
  const p = await addPlayer(t.db);
  const [f] = await rows<{ id: string }>(t.db, sql`
    insert into fraud_flags (rule, score, players, explanation, subject)
    values ('velocity', 50, ${`{${p}}`}::uuid[], 'matrix', ${`fill:${Math.floor(Math.random() * 1e12)}`}) returning id::text as id`);
  return f!.id;
}

/** A mint of `amount` copper to a fresh player: its event id is a rollback target worth `amount`. */
async function aMint(amount = 10_000): Promise<{ player: string; eventId: string }> {
  const player = await addPlayer(t.db);
  await withTx(t.db, (tx) => ledger.mint(tx, { actor: "system:seed" }, { playerId: player, asset: ledger.CURRENCY, amount, stream: `player:${player}` }));
  const [e] = await rows<{ id: string }>(t.db, sql`select event_id::text as id from events where stream = ${`player:${player}`} and type = 'minted' order by id desc limit 1`);
  return { player, eventId: e!.id };
}

async function aRollback(state: "proposed" | "pending", by: string): Promise<string> {
  const { eventId } = await aMint();
  const [r] = await rows<{ id: string }>(t.db, sql`
    insert into rollbacks (target_kind, target_id, state, reason, value, plan, requested_by)
    values ('mint', ${eventId}, ${state}, 'matrix', 10000, '{}'::jsonb, ${by}) returning id::text as id`); // re-planned when applied or approved
  return r!.id;
}

const flagState = async (id: string) => (await rows<{ s: string }>(t.db, sql`select status as s from fraud_flags where id = ${id}::uuid`))[0]!.s;
const rollbackState = async (id: string) => (await rows<{ s: string }>(t.db, sql`select state as s from rollbacks where id = ${id}::uuid`))[0]!.s;
const eventCount = async () => Number((await rows<{ n: string }>(t.db, sql`select count(*)::text as n from events`))[0]!.n);

const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number): MarketCommand => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity,
});

describe(`review queue on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("answers each flags and rollbacks route as the matrix says for all five callers, and changes nothing when refused", async () => {
    const people: Record<Exclude<Who, "anonymous">, Person> = {
      player: await person(["player"]), support: await person(["player", "support"]),
      moderator: await person(["player", "moderator"]), admin: await person(["player", "admin"]),
    };
    const otherAdmin = await person(["player", "admin"]);
    const routes = allApiRoutes.filter((r) => /^\/api\/v1\/admin\/(flags|rollbacks)/.test(r.path));
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      "GET /api/v1/admin/flags", "POST /api/v1/admin/flags/:id/claim", "POST /api/v1/admin/flags/:id/dismiss", "POST /api/v1/admin/flags/:id/escalate", "POST /api/v1/admin/flags/:id/freeze",
      "POST /api/v1/admin/rollbacks", "POST /api/v1/admin/rollbacks/:id/apply", "POST /api/v1/admin/rollbacks/:id/approve",
    ]);
    for (const r of routes) {
      const action = API_ACCESS[`${r.method} ${r.path}`] as Action;
      for (const who of WHO) {
        const p = who === "anonymous" ? undefined : people[who];
        let path = r.path;
        let body: unknown;
        let state: () => Promise<string> = async () => "";
        if (r.path.includes("/flags/:id")) {
          const id = await aFlag();
          path = r.path.replace(":id", id);
          body = { reason: "matrix test" };
          state = () => flagState(id);
        } else if (r.path.endsWith("/apply") || r.path.endsWith("/approve")) {
          const id = await aRollback(r.path.endsWith("/apply") ? "proposed" : "pending", `operator:${otherAdmin.id}`);
          path = r.path.replace(":id", id);
          state = () => rollbackState(id);
        } else if (r.method === "POST") {
          body = { kind: "mint", targetId: (await aMint()).eventId };
        }
        const before = [await state(), await eventCount()];
        const answer = await call(p, r.method, path, body);
        const allowed = p !== undefined && can(p, action);
        const expected = p === undefined ? 401 : allowed ? r.status : 403;
        expect([`${who} ${r.method} ${r.path}`, answer.status]).toEqual([`${who} ${r.method} ${r.path}`, expected]);
        if (!allowed) {
          expect([await state(), await eventCount()]).toEqual(before);
          if (p) expect(answer.json.error.message).toMatch(/^your role may not /);
        }
      }
    }
    // Storing a proposal (dryRun false) is an admin's act even though the plan is support's read.
    const target = (await aMint()).eventId;
    const refused = await call(people.moderator, "POST", "/api/v1/admin/rollbacks", { kind: "mint", targetId: target, dryRun: false, reason: "matrix" });
    expect([refused.status, refused.json.error.code]).toEqual([403, "forbidden"]);
    expect((await rows(t.db, sql`select 1 from rollbacks where target_id = ${target}`)).length).toBe(0);
  });

  it("claim: one moderator at a time; freeze: the flag's players are frozen and the flag resolved, with events", async () => {
    const [m1, m2] = [await person(["player", "moderator"]), await person(["player", "moderator"])];
    const id = await aFlag();
    const [{ player }] = (await rows<{ player: string }>(t.db, sql`select players[1]::text as player from fraud_flags where id = ${id}::uuid`)) as [{ player: string }];
    const claimed = await call(m1, "POST", `/api/v1/admin/flags/${id}/claim`, { reason: "looking at it" });
    expect([claimed.status, claimed.json.status]).toEqual([200, "claimed"]);
    const again = await call(m2, "POST", `/api/v1/admin/flags/${id}/claim`, { reason: "me too" });
    expect([again.status, again.json.error.code]).toEqual([409, "flag_claimed"]);
    expect(again.json.error.message).toContain(`operator:${m1.id}`);
    expect(await flagState(id)).toBe("claimed");
    const noReason = await call(m1, "POST", `/api/v1/admin/flags/${id}/freeze`, { reason: "x" });
    expect(noReason.status).toBe(400);
    expect((await rows(t.db, sql`select 1 from players where id = ${player} and frozen_at is not null`)).length).toBe(0);
    const frozen = await call(m1, "POST", `/api/v1/admin/flags/${id}/freeze`, { reason: "funnels gold to one account" });
    expect([frozen.status, frozen.json.status, frozen.json.verdict]).toEqual([200, "resolved", "freeze"]);
    const [p] = await rows<{ frozen: boolean; by: string | null }>(t.db, sql`select frozen_at is not null as frozen, frozen_by as by from players where id = ${player}`);
    expect(p!.frozen).toBe(true);
    const events = await rows<{ type: string; actor: string }>(t.db, sql`select type, actor from events where stream = ${`flag:${id}`} order by id`);
    expect(events).toEqual([{ type: "flag_claimed", actor: `operator:${m1.id}` }, { type: "flag_frozen", actor: `operator:${m1.id}` }]);
    // Resolved: nothing more to decide.
    expect((await call(m2, "POST", `/api/v1/admin/flags/${id}/freeze`, { reason: "again" })).status).toBe(409);
  });

  it("the console's flags and rollbacks pages answer each caller as the matrix says", async () => {
    const BASE = "http://localhost:5173";
    const get = (path: string, p?: Person) => new Request(`${BASE}${path}`, { headers: p ? { Cookie: p.cookie } : {} });
    const post = (path: string, p: Person | undefined, fields: Record<string, string>) => new Request(`${BASE}${path}`, {
      method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, ...(p ? { Cookie: p.cookie } : {}) },
      body: new URLSearchParams({ ...(p ? { csrf: p.csrf } : {}), ...fields }),
    });
    const statusOf = async (run: () => Promise<unknown>) => {
      try {
        const out = await run();
        if (out instanceof Response) return out.status;
        return (out as { init?: { status?: number } } | null)?.init?.status ?? 200;
      } catch (thrown) {
        if (thrown instanceof Response) return thrown.status;
        const status = (thrown as { init?: { status?: number } }).init?.status;
        if (status) return status;
        throw thrown;
      }
    };
    for (const who of WHO) {
      const p = who === "anonymous" ? undefined : await person(who === "player" ? ["player"] : ["player", who]);
      const expected = (action: Action, ok: number) => (p ? (can(p, action) ? ok : 403) : 302);
      const args = (request: Request) => ({ request, context, params: {} });
      const mint = await aMint(1_000); // under the threshold: applied at once
      expect([who, await statusOf(() => flagsPage.loader(args(get("/console/flags", p)) as never))]).toEqual([who, expected(PAGE_ACCESS["console.flags.tsx"]!.loader as Action, 200)]);
      expect([who, await statusOf(() => rollbacksPage.loader(args(get(`/console/rollbacks?event=${mint.eventId}`, p)) as never))]).toEqual([who, expected(PAGE_ACCESS["console.rollbacks.tsx"]!.loader as Action, 200)]);
      const flag = await aFlag();
      const dismissed = await statusOf(() => flagsPage.action(args(post("/console/flags", p, { intent: "dismiss", flagId: flag, reason: "matrix test" })) as never));
      expect([who, dismissed]).toEqual([who, expected(PAGE_ACCESS["console.flags.tsx"]!.action as Action, 200)]);
      expect([who, await flagState(flag)]).toEqual([who, p && can(p, "flag:resolve") ? "resolved" : "open"]);
      const applied = await statusOf(() => rollbacksPage.action(args(post("/console/rollbacks", p, { intent: "apply-new", event: mint.eventId, reason: "matrix test" })) as never));
      expect([who, applied]).toEqual([who, expected(PAGE_ACCESS["console.rollbacks.tsx"]!.action as Action, 200)]);
      expect([who, (await wallet(t.db, mint.player, 1)).copper]).toEqual([who, p && can(p, "rollback:apply") ? 0 : 1_000]);
    }
  });

  it("flags from real trades: listed newest first with evidence, escalated then dismissed with events; bad decisions change nothing", async () => {
    const moderator = await person(["player", "moderator"]);
    const support = await person(["player", "support"]);
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const [a, b] = [await fundedTrader(t.db, [m.itemTypeId], 100_000, 100), await fundedTrader(t.db, [m.itemTypeId], 100_000, 100)];
    const s = (await MarketSession.open(() => t.db, m.slug))!;
    for (const [seller, buyer] of [[a, b], [a, b], [a, b], [b, a], [b, a], [b, a]] as const) {
      expect((await s.submit(place(seller, "sell", 100, 1))).ok).toBe(true);
      expect((await s.submit(place(buyer, "buy", 100, 1))).fills).toHaveLength(1);
    }
    // The feed hands out events below the server's oldest running transaction (ADR 017): on a
    // shared Postgres that can take a moment, so run the consumer until the pair's fills are in.
    const consumer = fraudConsumer({ ...defaultFraudConfig, velocityMinValue: 1e12, newAccountMinValue: 1e12 });
    for (let i = 0; i < 100; i++) {
      await runConsumer(t.db, consumer);
      if ((await rows(t.db, sql`select 1 from fraud_flags where rule = 'wash_trading' and ${a}::uuid = any(players)`)).length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const listed = await call(support, "GET", "/api/v1/admin/flags?limit=200");
    expect(listed.status).toBe(200);
    const times = listed.json.flags.map((f: { createdAt: string }) => f.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    const wash = listed.json.flags.find((f: { rule: string; players: Array<{ id: string }> }) => f.rule === "wash_trading" && f.players.some((p) => p.id === a));
    expect(wash).toBeDefined();
    expect(wash.target.kind).toBe("fill");
    expect(wash.players.map((p: { username: string | null }) => p.username).every((u: string | null) => typeof u === "string")).toBe(true);
    expect(wash.evidence.length).toBeGreaterThan(0);
    for (const e of wash.evidence) {
      const seen = await call(support, "GET", `/api/v1/admin/events/${e.eventId}`);
      expect(seen.status).toBe(200);
      expect(seen.json.event.payload.fills).toContain(Number((await rows<{ seq: string }>(t.db, sql`select seq::text as seq from fills where id = ${Number(wash.target.id)}`))[0]!.seq));
    }

    const before = await eventCount();
    expect((await call(moderator, "POST", `/api/v1/admin/flags/${wash.id}/dismiss`, { reason: "" })).status).toBe(400);
    expect((await call(moderator, "POST", `/api/v1/admin/flags/${crypto.randomUUID()}/dismiss`, { reason: "not there" })).status).toBe(404);
    expect(await eventCount()).toBe(before);
    const up = await call(moderator, "POST", `/api/v1/admin/flags/${wash.id}/escalate`, { reason: "looks like a ring" });
    expect([up.status, up.json.status, up.json.note]).toEqual([200, "escalated", "looks like a ring"]);
    expect((await call(moderator, "POST", `/api/v1/admin/flags/${wash.id}/escalate`, { reason: "again" })).status).toBe(409);
    const down = await call(moderator, "POST", `/api/v1/admin/flags/${wash.id}/dismiss`, { reason: "same guild, a loan" });
    expect([down.status, down.json.status, down.json.verdict]).toEqual([200, "resolved", "dismiss"]);
    expect((await call(moderator, "POST", `/api/v1/admin/flags/${wash.id}/dismiss`, { reason: "again" })).status).toBe(409);
    const events = await rows<{ type: string; actor: string; payload: Record<string, unknown> }>(t.db, sql`
      select type, actor, payload from events where stream = ${`flag:${wash.id}`} order by version`);
    expect(events).toEqual([
      { type: "flag_escalated", actor: `operator:${moderator.id}`, payload: { flagId: wash.id, from: "open", reason: "looks like a ring" } },
      { type: "flag_dismissed", actor: `operator:${moderator.id}`, payload: { flagId: wash.id, from: "escalated", reason: "same guild, a loan" } },
    ]);
    const open = await call(support, "GET", "/api/v1/admin/flags?limit=200");
    expect(open.json.flags.some((f: { id: string }) => f.id === wash.id)).toBe(false);
  });

  it("a rollback from a flag: dry run, proposal, apply above the threshold waits, the same admin may not approve, a second does", async () => {
    const [support, admin, second] = [await person(["player", "support"]), await person(["player", "admin"]), await person(["player", "admin"])];
    const m = await addMarket(t.db, { makerBps: 0, takerBps: 0 });
    const seller = await fundedTrader(t.db, [m.itemTypeId], 1, 10);
    const buyer = await fundedTrader(t.db, [], 50_000);
    const s = (await MarketSession.open(() => t.db, m.slug))!;
    expect((await s.submit(place(seller, "sell", 1_000, 10))).ok).toBe(true);
    expect((await s.submit(place(buyer, "buy", 1_000, 10))).fills).toHaveLength(1);
    const [fill] = await rows<{ id: string }>(t.db, sql`select id::text as id from fills where market_slug = ${m.slug} order by id desc limit 1`);
    const [flag] = await rows<{ id: string }>(t.db, sql`
      insert into fraud_flags (rule, score, players, explanation, subject) values ('price_outlier', 90, ${`{${seller},${buyer}}`}::uuid[], 'test', ${`fill:${fill!.id}`}) returning id::text as id`);

    expect((await call(support, "POST", "/api/v1/admin/rollbacks", {})).status).toBe(400);
    expect((await call(support, "POST", "/api/v1/admin/rollbacks", { flagId: crypto.randomUUID() })).status).toBe(404);
    const events = await eventCount();
    const dry = await call(support, "POST", "/api/v1/admin/rollbacks", { flagId: flag!.id });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ dryRun: true, target: { kind: "fill", id: fill!.id }, needsApproval: true, plan: { value: 20_000, debts: [] } }); // both legs: 10 items at 1,000 and 10,000 copper
    expect(dry.json.plan.takes).toEqual([
      { from: buyer, to: seller, asset: m.itemTypeId, amount: 10 },
      { from: seller, to: buyer, asset: 0, amount: 10_000 },
    ]);
    expect(await eventCount()).toBe(events); // a dry run writes nothing

    const proposed = await call(admin, "POST", "/api/v1/admin/rollbacks", { flagId: flag!.id, dryRun: false, reason: "stolen account" });
    expect([proposed.status, proposed.json.rollback.state, proposed.json.created]).toEqual([200, "proposed", true]);
    expect(await flagState(flag!.id)).toBe("resolved");
    const id = proposed.json.rollback.id as string;
    expect((await wallet(t.db, buyer, m.itemTypeId)).items).toBe(10); // nothing moved yet
    const pending = await call(admin, "POST", `/api/v1/admin/rollbacks/${id}/apply`);
    expect([pending.status, pending.json.state]).toEqual([200, "pending"]);
    expect((await wallet(t.db, buyer, m.itemTypeId)).items).toBe(10);
    const same = await call(admin, "POST", `/api/v1/admin/rollbacks/${id}/approve`);
    expect([same.status, same.json.error.code]).toEqual([409, "same_admin"]);
    const approved = await call(second, "POST", `/api/v1/admin/rollbacks/${id}/approve`);
    expect([approved.status, approved.json.state, approved.json.approvedBy]).toEqual([200, "applied", `operator:${second.id}`]);
    expect(await wallet(t.db, buyer, m.itemTypeId)).toMatchObject({ items: 0, copper: 50_000 });
    expect(await wallet(t.db, seller, m.itemTypeId)).toMatchObject({ items: 10, copper: 1 });
    const trail = await rows<{ type: string; actor: string }>(t.db, sql`select type, actor from events where stream = ${`rollback:${id}`} order by version`);
    expect(trail).toEqual([
      { type: "rollback_proposed", actor: `operator:${admin.id}` },
      { type: "rollback_awaiting_approval", actor: `operator:${admin.id}` },
      { type: "rollback_applied", actor: `operator:${second.id}` },
    ]);
    expect((await call(admin, "POST", "/api/v1/admin/rollbacks", { kind: "fill", targetId: fill!.id, dryRun: false, reason: "again" })).json).toMatchObject({ created: false, rollback: { id, state: "applied" } });
    const report = await checkLedger(t.db);
    expect(report.problems).toEqual([]);
  });

  it("the OpenAPI document lists the review routes", async () => {
    const doc = (await call(undefined, "GET", "/api/v1/openapi.json")).json;
    expect(doc.paths["/api/v1/admin/flags"].get.operationId).toBe("adminListFlags");
    expect(doc.paths["/api/v1/admin/flags/{id}/dismiss"].post.responses["403"]).toBeDefined();
    expect(doc.paths["/api/v1/admin/rollbacks"].post.operationId).toBe("adminPlanRollback");
    expect(doc.paths["/api/v1/admin/rollbacks/{id}/approve"].post.operationId).toBe("adminApproveRollback");
  });
});
