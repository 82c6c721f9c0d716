/** Sign-up, sign-in, sign-out and the pages, through the built worker like a browser without JS. */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { hashPassword } from "../../edge/auth/password.server";
import { api, Browser, counts, expectNoChange, openDb, textOf, uniqueName } from "./client";

const sessionRow = async (username: string) =>
  rows<{ revoked: boolean; csrf: string }>((await openDb()).db, sql`
    select s.revoked_at is not null as revoked, s.csrf_token as csrf from sessions s join players p on p.id = s.player_id
    where lower(p.username) = lower(${username}) and s.kind = 'web' order by s.created_at`);

describe("sign up", () => {
  it("creates the player with the starter kit, signs in, and shows it on /inventory and /api/v1/inventory", async () => {
    const b = new Browser();
    const name = uniqueName("Trader");
    const before = await counts();
    const { res } = await b.signUp(name);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/inventory");
    const [session, device] = res.headers.getSetCookie();
    expect(session).toMatch(/^bazaar_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000$/);
    // A new browser also gets its device id (new-device sign-in alerts; only its digest is stored).
    expect(device).toMatch(/^bazaar_device=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=34560000$/);
    const after = await counts();
    expect(after.players).toBe(before.players + 1);
    expect(after.sessions).toBe(before.sessions + 1);
    expect(after.events).toBeGreaterThan(before.events);

    const page = textOf((await b.get("/inventory")).html);
    expect(page).toContain("1,000.00 gold");
    for (const thing of ["Health Potion", "Copper Ore", "Bread", "Iron Sword", "durability"]) expect(page).toContain(thing);
    expect(textOf((await b.get("/")).html)).toContain(`Welcome back, ${name}`);

    const token = (await api("/tokens", { method: "POST", json: { username: name.toLowerCase(), password: "correct-horse-9", label: "test" } })).body.token;
    const me = await api("/me", { token });
    expect(me.body).toMatchObject({ username: name, roles: ["player"] });
    const inv = await api("/inventory", { token });
    expect(inv.body.balance).toEqual({ available: 100_000, reserved: 0 });
    expect(inv.body.stacks.map((s: { slug: string; available: number }) => [s.slug, s.available]).sort()).toEqual([["bread", 10], ["copper-ore", 20], ["health-potion", 5]]);
    expect(inv.body.uniques.map((u: { slug: string }) => u.slug)).toEqual(["iron-sword"]);
  });

  it("refuses a username that differs only in case: 409, nothing written", async () => {
    const name = uniqueName("Case");
    expect((await new Browser().signUp(name)).res.status).toBe(302);
    const b = new Browser();
    const csrf = await b.csrf("/signup");
    const { res, html } = await expectNoChange(() => b.post("/signup", { csrf, username: name.toUpperCase(), password: "another-pass-1" }));
    expect(res.status).toBe(409);
    expect(textOf(html)).toContain("username taken");
  });

  it.each([
    [{ username: "ab", password: "long enough" }, 400, "username must be 3-24 characters"],
    [{ username: "x".repeat(25), password: "long enough" }, 400, "username must be 3-24 characters"],
    [{ username: "has space", password: "long enough" }, 400, "may contain only letters"],
    [{ username: "ctl\u0001name", password: "long enough" }, 400, "may contain only letters"],
    [{ username: "okname", password: "short" }, 400, "at least 8 characters"],
    [{ username: "okname", password: "p".repeat(129) }, 400, "at most 128 characters"],
    [{ username: "okname", password: "nul\u0000password" }, 400, "control characters"],
    [{ username: "okname" }, 400, "password"],
    [{ password: "long enough" }, 400, "username"],
  ])("refuses %j with %i and says why, writing nothing", async (fields, status, message) => {
    const b = new Browser();
    const csrf = await b.csrf("/signup");
    const { res, html } = await expectNoChange(() => b.post("/signup", { csrf, ...(fields as Record<string, string>) }));
    expect(res.status).toBe(status);
    expect(textOf(html)).toContain(message);
  });

  it("refuses a missing, wrong or foreign CSRF token and cross-site posts with 403, writing nothing", async () => {
    const b = new Browser();
    const csrf = await b.csrf("/signup");
    const fields = { username: uniqueName("csrf"), password: "long enough" };
    await expectNoChange(async () => {
      expect((await b.post("/signup", fields)).res.status).toBe(403);
      expect((await b.post("/signup", { ...fields, csrf: "wrong" })).res.status).toBe(403);
      expect((await b.post("/signup", { ...fields, csrf: `${csrf.slice(0, -2)}xx` })).res.status).toBe(403);
      const stranger = new Browser();
      expect((await stranger.post("/signup", { ...fields, csrf })).res.status).toBe(403); // no cookie
      const cross = await b.post("/signup", { ...fields, csrf }, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
      expect(cross.res.status).toBe(403);
      expect(textOf(cross.html)).toContain("only be sent from Bazaar");
    });
  });

  it("refuses non-form bodies with 415 and oversized forms with 413", async () => {
    const b = new Browser();
    const csrf = await b.csrf("/signup");
    await expectNoChange(async () => {
      expect((await b.post("/signup", { csrf }, { "Content-Type": "application/json" })).res.status).toBe(415);
      expect((await b.post("/signup", { csrf, username: "big", password: "p".repeat(20_000) })).res.status).toBe(413);
    });
  });
});

describe("sign in and out", () => {
  it("sign-in rotates the session: a new row, the old one revoked, the old cookie dead", async () => {
    const name = uniqueName("Rot");
    const b = new Browser();
    await b.signUp(name);
    const oldCookie = b.cookies.get("bazaar_session")!;
    const { res } = await b.signIn(name);
    expect(res.status).toBe(302);
    expect(b.cookies.get("bazaar_session")).not.toBe(oldCookie);
    expect((await sessionRow(name)).map((s) => s.revoked)).toEqual([true, false]);
    const old = new Browser();
    old.cookies.set("bazaar_session", oldCookie);
    expect((await old.get("/inventory")).res.status).toBe(302);
  });

  it("upgrades a weaker stored hash on sign-in", async () => {
    const name = uniqueName("Old");
    await new Browser().signUp(name);
    const d = (await openDb()).db;
    const weak = await hashPassword("correct-horse-9", { N: 1024, r: 8, p: 1 });
    await d.execute(sql`update players set password_hash = ${weak} where username = ${name}`);
    expect((await new Browser().signIn(name)).res.status).toBe(302);
    const [row] = await rows<{ hash: string }>(d, sql`select password_hash as hash from players where username = ${name}`);
    expect(row!.hash).toMatch(/^scrypt\$16384\$8\$5\$/);
  });

  it("a wrong password or unknown user is 401 with one message, writing nothing", async () => {
    const name = uniqueName("Pw");
    await new Browser().signUp(name);
    for (const [u, p] of [[name, "wrong-password"], [uniqueName("nobody"), "wrong-password"]]) {
      const b = new Browser();
      const csrf = await b.csrf("/signin");
      const { res, html } = await expectNoChange(() => b.post("/signin", { csrf, username: u!, password: p! }));
      expect(res.status).toBe(401);
      expect(textOf(html)).toContain("wrong username or password");
    }
  });

  it("sign-out revokes the session row and the cookie stops working; GET never signs out", async () => {
    const name = uniqueName("Out");
    const b = new Browser();
    await b.signUp(name);
    const cookie = b.cookies.get("bazaar_session")!;
    await expectNoChange(async () => {
      expect((await b.get("/signout")).res.status).toBe(302);
      expect((await b.post("/signout", {})).res.status).toBe(403); // no csrf
      expect((await b.post("/signout", { csrf: "x".repeat(43) })).res.status).toBe(403);
    });
    const [session] = await sessionRow(name);
    const { res } = await b.post("/signout", { csrf: session!.csrf });
    expect(res.status).toBe(302);
    expect(res.headers.get("Set-Cookie")).toMatch(/^bazaar_session=; .*Max-Age=0/);
    expect((await sessionRow(name)).map((s) => s.revoked)).toEqual([true]);
    const replay = new Browser();
    replay.cookies.set("bazaar_session", cookie);
    const inv = await replay.get("/inventory");
    expect(inv.res.status).toBe(302);
    expect(inv.res.headers.get("Location")).toBe("/signin?redirectTo=%2Finventory");
  });
});

describe("pages", () => {
  it("home explains Bazaar to visitors; unknown pages are 404 in words", async () => {
    const b = new Browser();
    expect(textOf((await b.get("/")).html)).toContain("trading floor");
    const missing = await b.get("/no-such-page");
    expect(missing.res.status).toBe(404);
    expect(textOf(missing.html)).toContain("Nothing here");
  });
});
