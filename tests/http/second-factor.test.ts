/**
 * Two-factor sign-in (issue 20, ADR 028) through the built worker like a browser without JS: enrol
 * from the page's key, confirm, recovery codes shown once; sign-in then asks for the code (no session
 * before it), a wrong code and a replayed code are refused, a recovery code works once; API tokens
 * need the code; turning it off needs a code; five wrong codes and the factor is refused for a while.
 */
import { sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { api, Browser, openDb, textOf, uniqueName } from "./client";

const PASSWORD = "correct-horse-9";
const codeFor = (secret: string, offsetSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });
const webSessions = async (username: string) =>
  (await rows<{ n: number }>((await openDb()).db, sql`select count(*)::int as n from sessions s join players p on p.id = s.player_id where p.username = ${username} and s.kind = 'web' and s.revoked_at is null`))[0]!.n;

/** A new player who turns the factor on: returns the browser, the key and the recovery codes. */
async function enrolled() {
  const b = new Browser();
  const name = uniqueName("Twofa");
  expect((await b.signUp(name, PASSWORD)).res.status).toBe(302);
  const csrf = await b.csrf("/security");
  expect((await b.post("/security", { csrf, intent: "start" })).res.status).toBe(200);
  const page = await b.get("/security");
  expect(page.html).toContain("<svg");
  const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.html)![1]!.replace(/ /g, "");
  const wrong = await b.post("/security", { csrf, intent: "confirm", code: codeFor(secret, 10) });
  expect(wrong.res.status).toBe(401);
  expect(textOf(wrong.html)).toContain("That code is not right");
  const ok = await b.post("/security", { csrf, intent: "confirm", code: codeFor(secret) });
  expect(ok.res.status).toBe(200);
  const codes = [...ok.html.matchAll(/<li><code>([a-z0-9-]{14})<\/code><\/li>/g)].map((m) => m[1]!);
  expect(codes).toHaveLength(10);
  // Shown once: the page afterwards shows how many are left, never the codes.
  const after = await b.get("/security");
  expect(textOf(after.html)).toContain("10 of 10 recovery codes left");
  for (const c of codes) expect(after.html).not.toContain(c);
  return { b, name, secret, codes };
}

describe("two-factor sign-in", () => {
  it("asks for the code after the password; a wrong or replayed code opens no session; a recovery code works once", async () => {
    const { b: first, name, secret, codes } = await enrolled();
    const before = await webSessions(name);
    const b = new Browser();
    const pw = await b.signIn(name, PASSWORD);
    expect(pw.res.status).toBe(302);
    expect(pw.res.headers.get("Location")).toMatch(/^\/signin\/code\?redirectTo=/);
    expect(pw.res.headers.getSetCookie().join()).not.toContain("bazaar_session=");
    expect(await webSessions(name)).toBe(before);
    expect(textOf((await b.get("/signin/code")).html)).toContain("Your password was right");

    const csrf = await b.csrf("/signin/code");
    const wrong = await b.post("/signin/code", { csrf, code: codeFor(secret, 20) });
    expect(wrong.res.status).toBe(401);
    expect(await webSessions(name)).toBe(before);

    // The confirming code used this step; the next step's code is inside the window.
    const code = codeFor(secret, 1);
    const ok = await b.post("/signin/code", { csrf, code });
    expect(ok.res.status).toBe(302);
    expect(ok.res.headers.get("Location")).toBe("/");
    expect(await webSessions(name)).toBe(before + 1);
    expect(textOf((await b.get("/")).html)).toContain(`Welcome back, ${name}`);
    // Signing in with the code counts as a step-up (ADR 035): the new session goes straight through
    // /step-up; the session that only set the factor up is asked, and told why.
    const steppedUp = await rows<{ fresh: boolean }>((await openDb()).db, sql`
      select s.stepped_up_at is not null as fresh from sessions s join players p on p.id = s.player_id
      where p.username = ${name} and s.kind = 'web' and s.revoked_at is null order by s.created_at`);
    expect(steppedUp.map((r) => r.fresh)).toEqual([false, true]);
    const through = await b.get("/step-up?for=second-factor:disable&redirectTo=/security");
    expect([through.res.status, through.res.headers.get("Location")]).toEqual([302, "/security"]);
    const asked = await first.get("/step-up?for=second-factor:disable&redirectTo=/security");
    expect(asked.res.status).toBe(200);
    expect(textOf(asked.html)).toContain("Confirm it's you to turn off two-factor sign-in");

    const thief = new Browser();
    await thief.signIn(name, PASSWORD);
    const tcsrf = await thief.csrf("/signin/code");
    const replay = await thief.post("/signin/code", { csrf: tcsrf, code });
    expect(replay.res.status).toBe(401);
    expect(textOf(replay.html)).toContain("That code was already used");
    expect(await webSessions(name)).toBe(before + 1);

    const rec = await thief.post("/signin/code", { csrf: tcsrf, code: codes[0]! });
    expect(rec.res.status).toBe(302);
    expect(rec.res.headers.get("Location")).toBe("/security?recovery=used");
    expect(textOf((await thief.get("/security?recovery=used")).html)).toContain("9 of 10 recovery codes left");

    const third = new Browser();
    await third.signIn(name, PASSWORD);
    const again = await third.post("/signin/code", { csrf: await third.csrf("/signin/code"), code: codes[0]! });
    expect(again.res.status).toBe(401);
    expect(textOf(again.html)).toContain("already used");
  });

  it("the code page without a right password sends you back to the password", async () => {
    const b = new Browser();
    const res = (await b.get("/signin/code")).res;
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/signin");
    b.cookies.set("bazaar_2fa", "00000000-0000-0000-0000-000000000000.9999999999.forged-mac-value-xx");
    expect((await b.get("/signin/code")).res.status).toBe(302);
  });

  it("API tokens need the code; turning the factor off needs one too", async () => {
    const { b, name, codes } = await enrolled();
    const username = name.toLowerCase();
    const none = await api("/tokens", { method: "POST", json: { username, password: PASSWORD, label: "bot" } });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("second_factor_required");
    const bad = await api("/tokens", { method: "POST", json: { username, password: PASSWORD, label: "bot", code: "123456" } });
    expect(bad.status).toBe(401);
    const ok = await api("/tokens", { method: "POST", json: { username, password: PASSWORD, label: "bot", code: codes[1]! } });
    expect(ok.status).toBe(201);

    const csrf = await b.csrf("/security");
    const refused = await b.post("/security", { csrf, intent: "disable", code: "" });
    expect(refused.res.status).toBe(400);
    expect(textOf((await b.get("/security")).html)).toContain("On.");
    const off = await b.post("/security", { csrf, intent: "disable", code: codes[2]! });
    expect(off.res.status).toBe(200);
    expect(textOf(off.html)).toContain("Two-factor sign-in is off");
    const plain = await new Browser().signIn(name, PASSWORD);
    expect(plain.res.headers.get("Location")).toBe("/");
  });

  it("five wrong codes, then even a right one is refused for a while (429)", async () => {
    const { name, codes } = await enrolled();
    const b = new Browser();
    await b.signIn(name, PASSWORD);
    const csrf = await b.csrf("/signin/code");
    for (let i = 0; i < 5; i++) expect((await b.post("/signin/code", { csrf, code: String(100000 + i) })).res.status).toBe(401);
    const locked = await b.post("/signin/code", { csrf, code: codes[0]! });
    expect(locked.res.status).toBe(429);
    expect(textOf(locked.html)).toContain("Too many wrong codes");
  });
});
