/**
 * Changing my password (issue 20: edge/auth/password-change.server.ts, /security/password) on
 * PGlite and the real Postgres, through the page's action as Remix calls it: a wrong current
 * password, a mismatch or a short one changes nothing; a right change signs out every other
 * session and token and writes one event; with two-factor sign-in on it needs a fresh step-up; an
 * account made through a provider sets its first password; two changes at once: one wins.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { NO_PASSWORD } from "../../db/security/identities";
import * as page from "../../app/routes/security_.password";
import { changePassword } from "../../edge/auth/password-change.server";
import { hashPassword, verifyPassword } from "../../edge/auth/password.server";
import { openSession } from "../../edge/auth/sessions.server";
import type { AppLoadContext } from "../../edge/context.server";
import { openTestDb, type TestDb } from "../support/db";
import { apiContext } from "../support/game-server";
import { enrolSecondFactor, setSteppedUp } from "../support/second-factor";
import { addPlayer } from "../support/world";

let t: TestDb;
let context: AppLoadContext;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 4 });
  context = apiContext(t.db);
});
afterAll(async () => t?.close());

const OLD = "old-password-1";
const BASE = "http://localhost:5173";

async function player(hash?: string) {
  const id = await addPlayer(t.db);
  await t.db.execute(sql`update players set password_hash = ${hash ?? (await hashPassword(OLD))} where id = ${id}`);
  const web = await openSession(t.db, id, "web");
  const other = await openSession(t.db, id, "web");
  const token = await openSession(t.db, id, "api", "bot");
  return { id, web, other, token };
}
type Player = Awaited<ReturnType<typeof player>>;

const post = (p: Player, fields: Record<string, string>) => new Request(`${BASE}/security/password`, {
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, Cookie: `bazaar_session=${p.web.token}` },
  body: new URLSearchParams({ csrf: p.web.csrfToken!, ...fields }),
});

/** The action's answer: status and body, or the redirect it threw. */
async function submit(p: Player, fields: Record<string, string>): Promise<{ status: number; body?: { error?: string; done?: string }; location?: string | null }> {
  try {
    const out = (await page.action({ request: post(p, fields), context, params: {} } as never)) as { init?: { status?: number }; data?: unknown };
    return { status: out.init?.status ?? 200, body: out.data as { error?: string; done?: string } };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, location: thrown.headers.get("Location") };
    throw thrown;
  }
}

async function state(p: Player) {
  const [row] = await rows<{ hash: string; live: string[]; events: number }>(t.db, sql`
    select (select password_hash from players where id = ${p.id}) as hash,
      (select coalesce(array_agg(id order by id), '{}') from sessions where player_id = ${p.id} and revoked_at is null) as live,
      (select count(*)::int from events where stream = ${`player:${p.id}`} and type = 'password_changed') as events`);
  return row!;
}

describe(`changing my password on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("refuses a wrong current password, a mismatch, a short or an unchanged one, changing nothing", async () => {
    const p = await player();
    const before = await state(p);
    for (const [fields, status, words] of [
      [{ current: "not-it-at-all", password: "new-password-2", confirm: "new-password-2" }, 403, /current password is wrong/],
      [{ current: OLD, password: "new-password-2", confirm: "new-password-3" }, 400, /differ/],
      [{ current: OLD, password: "short", confirm: "short" }, 400, /new password/i],
      [{ current: OLD, password: OLD, confirm: OLD }, 400, /the one you have/],
    ] as const) {
      const r = await submit(p, fields);
      expect([r.status, r.body?.error]).toEqual([status, expect.stringMatching(words)]);
    }
    expect(await state(p)).toEqual(before);
  });

  it("changes it, signs out every other session and token, keeps mine, and writes one event", async () => {
    const p = await player();
    const r = await submit(p, { current: OLD, password: "new-password-2", confirm: "new-password-2" });
    expect(r.status).toBe(200);
    expect(r.body?.done).toMatch(/^Password changed\. 2 other sessions and API tokens were signed out\.$/);
    const after = await state(p);
    expect(after.live).toEqual([p.web.id]);
    expect(after.events).toBe(1);
    expect(await verifyPassword("new-password-2", after.hash)).toBe(true);
    expect(await verifyPassword(OLD, after.hash)).toBe(false);
    const [event] = await rows<{ payload: Record<string, unknown>; actor: string }>(t.db, sql`select payload, actor from events where stream = ${`player:${p.id}`} and type = 'password_changed'`);
    expect(event).toEqual({ payload: { firstPassword: false, sessionsRevoked: 2 }, actor: `player:${p.id}` });
    expect(JSON.stringify(event)).not.toContain("new-password-2");
  });

  it("with two-factor sign-in on, sends the player to the step-up page first; after a fresh code it works", async () => {
    const p = await player();
    await enrolSecondFactor(t.db, p.id);
    const before = await state(p);
    const r = await submit(p, { current: OLD, password: "new-password-2", confirm: "new-password-2" });
    expect(r.status).toBe(302);
    expect(r.location).toBe(`/step-up?for=password%3Achange&redirectTo=%2Fsecurity%2Fpassword`);
    expect(await state(p)).toEqual(before);
    await setSteppedUp(t.db, p.web.id, 11); // older than the 10 minutes a step-up lasts
    expect((await submit(p, { current: OLD, password: "new-password-2", confirm: "new-password-2" })).status).toBe(302);
    await setSteppedUp(t.db, p.web.id, 1);
    expect((await submit(p, { current: OLD, password: "new-password-2", confirm: "new-password-2" })).status).toBe(200);
  });

  it("sets a first password on an account made through a provider, without a current one", async () => {
    const p = await player(NO_PASSWORD);
    const r = await submit(p, { current: "", password: "first-password-1", confirm: "first-password-1" });
    expect(r.status).toBe(200);
    expect(r.body?.done).toMatch(/^Password set/);
    expect(await verifyPassword("first-password-1", (await state(p)).hash)).toBe(true);
  });

  it("two changes at once from one old password: one wins, the other is told, one event", async () => {
    const p = await player();
    const results = await Promise.all(["new-password-a", "new-password-b"].map((next) => changePassword(t.db, { playerId: p.id, sessionId: p.web.id, current: OLD, next, confirm: next })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const lost = results.find((r) => !r.ok);
    expect(lost).toMatchObject({ status: 409, code: "password_changed_meanwhile" });
    expect((await state(p)).events).toBe(1);
  });
});
