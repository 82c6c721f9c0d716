/**
 * Social sign-in (issue 20, ADR 037) against a REAL local OpenID provider (oidc-provider on
 * OIDC_TEST_PORT), on PGlite and on the real Postgres: sign up through it, sign in again, link it to
 * an existing account and unlink it (never the last way in), a tampered state, a tampered PKCE
 * verifier and a wrong nonce refused, an e-mail another account uses never merged, and a player
 * with two-factor sign-in still asked for the code.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { confirmEnrolment, startEnrolment, totp } from "../../db/security/second-factor";
import { hasPassword, listMyIdentities, signUpWithIdentity, unlinkIdentity } from "../../db/security/identities";
import { signedInRedirect } from "../../edge/auth/credentials-form.server";
import { checkCredentials } from "../../edge/auth/signin.server";
import { signUp } from "../../edge/auth/signup.server";
import { finishFlow, openFlow, seal, startFlow, type FlowState } from "../../edge/auth/social/flow.server";
import { settleIdentity } from "../../edge/auth/social/outcome.server";
import type { AppLoadContext } from "../../edge/context.server";
import { openTestDb, type TestDb } from "../support/db";
import { signInAt, startLocalOidc, type LocalOidc } from "../support/oidc-server";

const SECRET = "social-sign-in-test-secret-0123456789";
let t: TestDb;
let idp: LocalOidc;

beforeAll(async () => {
  [t, idp] = await Promise.all([openTestDb(), startLocalOidc()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([t?.close(), idp?.close()]);
});

const uniq = () => Math.random().toString(36).slice(2, 8);

/** One trip: start, sign in at the provider as `account`, come back with the callback URL. */
async function trip(account: string, intent: "signin" | "link" = "signin", playerId?: string) {
  const started = await startFlow(SECRET, idp.provider, { intent, playerId, redirectTo: "/inventory", redirectUri: idp.redirectUri });
  const flow = openFlow(SECRET, started.cookie)!;
  const callback = await signInAt(started.authorizationUrl, account, idp.redirectUri);
  return { started, flow, callback };
}

async function identityOf(account: string) {
  const { flow, callback } = await trip(account);
  const finished = await finishFlow(idp.provider, flow, callback, idp.redirectUri);
  if (!finished.ok) throw new Error(finished.message);
  return { flow, ...finished };
}

const count = async (table: "players" | "player_identities") => (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from ${sql.identifier(table)}`))[0]!.n;

describe(`social sign-in on ${process.env.TEST_DB ?? "pglite"} with a local oidc-provider`, () => {
  it("the trip asks for code + PKCE S256 + state + nonce; the flow cookie is signed and holds no more than it should", async () => {
    const started = await startFlow(SECRET, idp.provider, { intent: "signin", redirectTo: "/", redirectUri: idp.redirectUri });
    const q = started.authorizationUrl.searchParams;
    expect(started.authorizationUrl.origin).toBe(idp.provider.issuer);
    expect(q.get("response_type")).toBe("code");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get("code_challenge")).not.toBe(started.state.v);
    expect(q.get("state")).toBe(started.state.s);
    expect(q.get("nonce")).toBe(started.state.n);
    expect(openFlow(SECRET, started.cookie)).toEqual(started.state);
    expect(openFlow("another-secret-entirely-0123456789abc", started.cookie)).toBeUndefined();
    expect(openFlow(SECRET, started.cookie, (started.state.e + 1) * 1000)).toBeUndefined();
  });

  it("signs up through the provider (a name picked, no password, the starter kit), then signs in again as the same player", async () => {
    const account = `ann-${uniq()}`;
    idp.accounts.set(account, { email: `${account}@example.test`, name: account });
    const { flow, identity, name } = await identityOf(account);
    expect(identity).toMatchObject({ provider: "local", issuer: idp.provider.issuer, subject: account, email: `${account}@example.test`, emailVerified: true });
    expect(name).toBe(account);
    expect(await settleIdentity(t.db, idp.provider, flow, identity, undefined)).toEqual({ ok: true, kind: "sign_up" });

    const username = `ann_${uniq()}`;
    const created = await signUpWithIdentity(t.db, username, identity, idp.provider.name);
    if (!created.ok) throw new Error(created.message);
    const [balance] = await rows<{ available: string }>(t.db, sql`select available::text from balances where player_id = ${created.playerId}`);
    expect(Number(balance!.available)).toBe(100_000);
    expect(await hasPassword(t.db, created.playerId)).toBe(false);
    // No password: the password form never signs this player in, whatever is typed.
    expect(await checkCredentials(t.db, { username, password: "!no-password" })).toMatchObject({ ok: false, status: 401 });
    expect(await checkCredentials(t.db, { username, password: "something-long" })).toMatchObject({ ok: false, status: 401 });

    const again = await identityOf(account);
    expect(await settleIdentity(t.db, idp.provider, again.flow, again.identity, undefined)).toEqual({ ok: true, kind: "signed_in", playerId: created.playerId });
    // The identity twice: refused, nothing created.
    const players = await count("players");
    expect(await signUpWithIdentity(t.db, `dup_${uniq()}`, identity, idp.provider.name)).toMatchObject({ ok: false, code: "identity_linked_elsewhere" });
    expect(await count("players")).toBe(players);
    // Its only way in cannot be unlinked.
    const [mine] = await listMyIdentities(t.db, created.playerId);
    expect(await unlinkIdentity(t.db, created.playerId, mine!.id)).toMatchObject({ ok: false, status: 409, code: "last_sign_in_method" });
    expect(await listMyIdentities(t.db, created.playerId)).toHaveLength(1);
  });

  it("links the provider to an existing signed-in account, which it then signs in; unlinks it (the password remains)", async () => {
    const username = `bob_${uniq()}`;
    const bob = await signUp(t.db, { username, password: "bobs-password-1" });
    if (!bob.ok) throw new Error(bob.message);
    const account = `bob-${uniq()}`;
    idp.accounts.set(account, { email: `${account}@example.test` });

    const { flow, callback } = await trip(account, "link", bob.playerId);
    expect(flow).toMatchObject({ i: "link", pl: bob.playerId });
    const finished = await finishFlow(idp.provider, flow, callback, idp.redirectUri);
    if (!finished.ok) throw new Error(finished.message);
    // Signed out (or signed in as someone else) by the time the provider answers: nothing linked.
    expect(await settleIdentity(t.db, idp.provider, flow, finished.identity, undefined)).toMatchObject({ ok: false, code: "not_signed_in" });
    expect(await listMyIdentities(t.db, bob.playerId)).toEqual([]);
    expect(await settleIdentity(t.db, idp.provider, flow, finished.identity, bob.playerId)).toEqual({ ok: true, kind: "linked", already: false });
    const [linked] = await listMyIdentities(t.db, bob.playerId);
    expect(linked).toMatchObject({ provider: "local", email: `${account}@example.test` });
    const [alert] = await rows<{ kind: string; title: string }>(t.db, sql`select kind, title from alerts where player_id = ${bob.playerId}`);
    expect(alert).toMatchObject({ kind: "sign_in", title: "Local ID sign-in linked" });

    const again = await identityOf(account);
    expect(await settleIdentity(t.db, idp.provider, again.flow, again.identity, undefined)).toEqual({ ok: true, kind: "signed_in", playerId: bob.playerId });

    // Another player cannot link the same provider account.
    const eve = await signUp(t.db, { username: `eve_${uniq()}`, password: "eves-password-1" });
    if (!eve.ok) throw new Error(eve.message);
    const stolen = await trip(account, "link", eve.playerId);
    const stolenId = await finishFlow(idp.provider, stolen.flow, stolen.callback, idp.redirectUri);
    if (!stolenId.ok) throw new Error(stolenId.message);
    expect(await settleIdentity(t.db, idp.provider, stolen.flow, stolenId.identity, eve.playerId)).toMatchObject({ ok: false, status: 409, code: "identity_linked_elsewhere" });
    expect(await unlinkIdentity(t.db, eve.playerId, linked!.id)).toMatchObject({ ok: false, status: 404 });

    expect(await unlinkIdentity(t.db, bob.playerId, linked!.id)).toEqual({ ok: true });
    expect(await listMyIdentities(t.db, bob.playerId)).toEqual([]);
    expect(await checkCredentials(t.db, { username, password: "bobs-password-1" })).toMatchObject({ ok: true, playerId: bob.playerId });
  });

  it("refuses a callback whose state was tampered with", async () => {
    const account = `sam-${uniq()}`;
    idp.accounts.set(account, { email: `${account}@example.test` });
    const { flow, callback } = await trip(account);
    const tampered = new URL(callback);
    tampered.searchParams.set("state", `${flow.s.slice(0, -2)}xy`);
    expect(await finishFlow(idp.provider, flow, tampered, idp.redirectUri)).toMatchObject({ ok: false, status: 401, code: "state_mismatch" });
    const none = new URL(callback);
    none.searchParams.delete("state");
    expect(await finishFlow(idp.provider, flow, none, idp.redirectUri)).toMatchObject({ ok: false, code: "state_mismatch" });
  });

  it("refuses a code exchanged with another PKCE verifier (the provider says invalid_grant)", async () => {
    const account = `pia-${uniq()}`;
    idp.accounts.set(account, { email: `${account}@example.test` });
    const { flow, callback } = await trip(account);
    const other: FlowState = { ...flow, v: `${flow.v.slice(0, -4)}AAAA` };
    expect(await finishFlow(idp.provider, other, callback, idp.redirectUri)).toMatchObject({ ok: false, status: 401, code: "code_refused", message: expect.stringContaining("invalid_grant") });
  });

  it("refuses an ID token whose nonce is not the one this browser sent", async () => {
    const account = `nia-${uniq()}`;
    idp.accounts.set(account, { email: `${account}@example.test` });
    const { flow, callback } = await trip(account);
    const other: FlowState = { ...flow, n: "another-nonce-entirely-0123456789abcdefghij" };
    expect(await finishFlow(idp.provider, other, callback, idp.redirectUri)).toMatchObject({ ok: false, status: 401, code: "id_token_invalid", message: expect.stringContaining("nonce") });
    // A flow cookie signed with another key (an attacker's own values) is not even read.
    expect(openFlow(SECRET, seal("attackers-own-secret-0123456789abcdef", "oidc-flow", other))).toBeUndefined();
  });

  it("never merges by e-mail: an e-mail another account uses is refused with the way out, nothing created", async () => {
    const shared = `Shared-${uniq()}@Example.test`;
    const first = `cid-${uniq()}`;
    idp.accounts.set(first, { email: shared.toLowerCase() });
    const one = await identityOf(first);
    const owner = await signUpWithIdentity(t.db, `cid_${uniq()}`, one.identity, idp.provider.name);
    if (!owner.ok) throw new Error(owner.message);

    const second = `cid2-${uniq()}`;
    idp.accounts.set(second, { email: shared });
    const two = await identityOf(second);
    const [players, identities] = [await count("players"), await count("player_identities")];
    const settled = await settleIdentity(t.db, idp.provider, two.flow, two.identity, undefined);
    expect(settled).toMatchObject({ ok: false, status: 409, code: "email_in_use" });
    expect(!settled.ok && settled.message).toMatch(/Sign in to that account.*link Local ID from Security/);
    expect(await signUpWithIdentity(t.db, `cid_${uniq()}`, two.identity, idp.provider.name)).toMatchObject({ ok: false, code: "email_in_use" });
    expect([await count("players"), await count("player_identities")]).toEqual([players, identities]);
    // The way out: the owner, signed in, links the second provider account on purpose.
    expect(await settleIdentity(t.db, idp.provider, { ...two.flow, i: "link", pl: owner.playerId }, two.identity, owner.playerId)).toEqual({ ok: true, kind: "linked", already: false });
    expect(await listMyIdentities(t.db, owner.playerId)).toHaveLength(2);
  });

  it("a player with two-factor sign-in still gives the code after the provider: no session, the code page", async () => {
    const account = `tia-${uniq()}`;
    idp.accounts.set(account, { email: `${account}@example.test` });
    const { identity } = await identityOf(account);
    const created = await signUpWithIdentity(t.db, `tia_${uniq()}`, identity, idp.provider.name);
    if (!created.ok) throw new Error(created.message);
    const started = await startEnrolment(t.db, SECRET, created.playerId, "tia");
    if (!started.ok) throw new Error(started.message);
    const confirmed = await confirmEnrolment(t.db, SECRET, created.playerId, totp(started.secret, "x").generate());
    if (!confirmed.ok) throw new Error(confirmed.message);

    const context = { db: t.db, env: { SESSION_SECRET: SECRET } } as unknown as AppLoadContext;
    const request = new Request("http://127.0.0.1:8787/signin/social/local/callback");
    const response = await signedInRedirect(request, context, created.playerId, "/inventory", [], "local");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/signin/code?redirectTo=%2Finventory&via=local");
    const cookies = response.headers.getSetCookie().join("\n");
    expect(cookies).toMatch(/^bazaar_2fa=/m);
    expect(cookies).not.toMatch(/bazaar_session=/);
    const [sessions] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from sessions where player_id = ${created.playerId}`);
    expect(sessions!.n).toBe(0);
  });
});
