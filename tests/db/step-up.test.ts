/**
 * Step-up for a player's own high-value act (issue 20, ADR 035) through the real /api/v1 router in
 * Node, on PGlite and on the real Postgres: accepting an offer above the confirmation threshold asks
 * a player WITH two-factor sign-in for a fresh code (403 step_up_required, nothing moved), takes it
 * as `code` in the body, and refuses the same code replayed; a player without a factor is never
 * blocked, and an offer below the threshold never asks.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import type { AppLoadContext } from "../../edge/context.server";
import { openSession } from "../../edge/auth/sessions.server";
import { openTestDb, type TestDb } from "../support/db";
import { apiContext, bearer } from "../support/game-server";
import { enrolSecondFactor, setSteppedUp } from "../support/second-factor";
import { addPlayer } from "../support/world";
import * as offerPage from "../../app/routes/offers.$id";

let t: TestDb;
let context: AppLoadContext;
const THRESHOLD = 1_000;
beforeAll(async () => {
  t = await openTestDb();
  context = apiContext(t.db, { OFFER_MIN_ACCOUNT_AGE_SECONDS: "0", OFFER_ACCEPT_DELAY_SECONDS: "0", OFFER_CONFIRM_ABOVE_COPPER: String(THRESHOLD) });
});
afterAll(async () => t?.close());

async function trader(opts: { secondFactor: boolean }) {
  const id = await addPlayer(t.db);
  await withTx(t.db, (tx) => ledger.mint(tx, { actor: "system:seed" }, { playerId: id, asset: ledger.CURRENCY, amount: 10_000 }));
  const factor = opts.secondFactor ? await enrolSecondFactor(t.db, id) : undefined;
  const session = await openSession(t.db, id, "api", "test");
  const [{ username }] = (await rows<{ username: string }>(t.db, sql`select username from players where id = ${id}`)) as [{ username: string }];
  return { id, username, token: session.token, sessionId: session.id, factor };
}
type Trader = Awaited<ReturnType<typeof trader>>;

async function offer(from: Trader, to: Trader, copper: number): Promise<string> {
  const made = await bearer(context, from.token, "POST", "/api/v1/offers", { to: to.username, give: [{ kind: "currency", quantity: copper }], ask: [] });
  expect(made.status).toBe(201);
  return made.json!.offer.id as string;
}

const available = async (p: Trader) => (await bearer(context, p.token, "GET", "/api/v1/inventory")).json!.balance.available as number;

describe(`step-up for high-value offers on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("a player without two-factor sign-in is never blocked by step-up", async () => {
    const [a, b] = [await trader({ secondFactor: false }), await trader({ secondFactor: false })];
    const id = await offer(a, b, 5_000);
    expect((await bearer(context, b.token, "POST", `/api/v1/offers/${id}/accept`, {})).status).toBe(428);
    const done = await bearer(context, b.token, "POST", `/api/v1/offers/${id}/accept`, { confirm: true });
    expect([done.status, done.json!.offer.status]).toEqual([200, "accepted"]);
  });

  it("with two-factor sign-in: a fresh code is asked above the threshold, taken from the body, and not taken twice", async () => {
    const [a, b] = [await trader({ secondFactor: false }), await trader({ secondFactor: true })];
    const id = await offer(a, b, 5_000);
    const before = await available(b);
    const asked = await bearer(context, b.token, "POST", `/api/v1/offers/${id}/accept`, { confirm: true });
    expect([asked.status, asked.json!.error.code]).toEqual([403, "step_up_required"]);
    expect(asked.json!.error.message).toMatch(/^Confirm it's you to trade something this valuable: send a current code .* as "code" in the request body/);
    expect(await available(b)).toBe(before);
    const code = b.factor!.code();
    const done = await bearer(context, b.token, "POST", `/api/v1/offers/${id}/accept`, { confirm: true, code });
    expect([done.status, done.json!.offer.status]).toEqual([200, "accepted"]);
    expect(await available(b)).toBe(before + 5_000);

    // stale again: the same code is refused, nothing moves; a recovery code works
    await setSteppedUp(t.db, b.sessionId, 11);
    const second = await offer(a, b, 2_000);
    const replayed = await bearer(context, b.token, "POST", `/api/v1/offers/${second}/accept`, { confirm: true, code });
    expect([replayed.status, replayed.json!.error.code]).toEqual([401, "code_reused"]);
    expect(await available(b)).toBe(before + 5_000);
    const viaRecovery = await bearer(context, b.token, "POST", `/api/v1/offers/${second}/accept`, { confirm: true, code: b.factor!.recoveryCodes[0] });
    expect(viaRecovery.status).toBe(200);

    // fresh for 10 minutes: the next high-value offer needs no code
    const third = await offer(a, b, 1_500);
    expect((await bearer(context, b.token, "POST", `/api/v1/offers/${third}/accept`, { confirm: true })).status).toBe(200);
  });

  it("sending (or countering with) an offer that gives away a lot: a fresh code first when two-factor sign-in is on", async () => {
    const [thief, friend] = [await trader({ secondFactor: true }), await trader({ secondFactor: false })];
    await setSteppedUp(t.db, thief.sessionId, null);
    const offersOf = async () => (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from trade_offers where from_player_id = ${thief.id}`))[0]!.n;
    const gift = { to: friend.username, give: [{ kind: "currency", quantity: 5_000 }], ask: [] };
    const asked = await bearer(context, thief.token, "POST", "/api/v1/offers", gift);
    expect([asked.status, asked.json!.error.code]).toEqual([403, "step_up_required"]);
    expect(await offersOf()).toBe(0);
    // Under the threshold, or asking rather than giving: no code.
    expect((await bearer(context, thief.token, "POST", "/api/v1/offers", { ...gift, give: [{ kind: "currency", quantity: THRESHOLD - 1 }] })).status).toBe(201);
    expect((await bearer(context, thief.token, "POST", "/api/v1/offers", { to: friend.username, give: [], ask: [{ kind: "currency", quantity: 5_000 }] })).status).toBe(201);
    expect(await offersOf()).toBe(2);
    const sent = await bearer(context, thief.token, "POST", "/api/v1/offers", { ...gift, code: thief.factor!.code() });
    expect(sent.status).toBe(201);
    expect(await offersOf()).toBe(3);
    // A counter-offer that gives away a lot asks too (the step-up above is fresh: stale it first).
    const theirs = await offer(friend, thief, 10);
    await setSteppedUp(t.db, thief.sessionId, 11);
    const counter = await bearer(context, thief.token, "POST", `/api/v1/offers/${theirs}/counter`, { give: [{ kind: "currency", quantity: 5_000 }], ask: [] });
    expect([counter.status, counter.json!.error.code]).toEqual([403, "step_up_required"]);
    expect(await offersOf()).toBe(3);
  });

  it("the offer page sends a high-value accept to /step-up and back; nothing moves until then", async () => {
    const [a, b] = [await trader({ secondFactor: false }), await trader({ secondFactor: true })];
    const id = await offer(a, b, 5_000);
    const web = await openSession(t.db, b.id, "web");
    const BASE = "http://localhost:5173";
    const post = (fields: Record<string, string>) => new Request(`${BASE}/offers/${id}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, Cookie: `bazaar_session=${web.token}` },
      body: new URLSearchParams({ csrf: web.csrfToken!, ...fields }),
    });
    const before = await available(b);
    let answer: unknown;
    try {
      answer = await offerPage.action({ request: post({ intent: "accept", confirm: "yes" }), context, params: { id } } as never);
    } catch (thrown) {
      answer = thrown;
    }
    expect(answer).toBeInstanceOf(Response);
    const location = new URL((answer as Response).headers.get("Location")!, BASE);
    expect([(answer as Response).status, location.pathname, location.searchParams.get("for"), location.searchParams.get("redirectTo")]).toEqual([302, "/step-up", "offer:high-value", `/offers/${id}`]);
    expect(await available(b)).toBe(before);
    await setSteppedUp(t.db, web.id, 0);
    const done = (await offerPage.action({ request: post({ intent: "accept", confirm: "yes" }), context, params: { id } } as never)) as Response;
    expect([done.status, done.headers.get("Location")]).toEqual([302, `/offers/${id}`]);
    expect(await available(b)).toBe(before + 5_000);
  });

  it("below the threshold no code is asked, even with two-factor sign-in and a stale step-up", async () => {
    const [a, b] = [await trader({ secondFactor: false }), await trader({ secondFactor: true })];
    await setSteppedUp(t.db, b.sessionId, 60);
    const id = await offer(a, b, THRESHOLD - 1);
    expect((await bearer(context, b.token, "POST", `/api/v1/offers/${id}/accept`, {})).status).toBe(200);
  });
});
