/**
 * Social sign-in (issue 20, ADR 037) through the built worker like a browser without JS, against a
 * real local OpenID provider (oidc-provider on OIDC_TEST_PORT; the worker is configured for it in
 * tests/http/setup.ts): the button and the CSP, sign up through it (pick a name), link it to a
 * password account from Security and sign in with it, unlink; an e-mail another account uses is
 * refused with the way out; a tampered state opens no session.
 */
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInAt, startLocalOidc, type LocalOidc } from "../support/oidc-server";
import { baseUrl, Browser, textOf, uniqueName } from "./client";

let idp: LocalOidc;
const callback = () => `${baseUrl()}/signin/social/local/callback`;
beforeAll(async () => {
  idp = await startLocalOidc(callback());
});
afterAll(async () => idp?.close());

/** Press "Continue with Local ID" (or "Link Local ID"), sign in at the provider as `account`: the callback URL. */
async function toProvider(b: Browser, account: string, intent: "signin" | "link", from: "/signin" | "/security") {
  const csrf = await b.csrf(from);
  const start = await b.post("/signin/social/local", { csrf, intent });
  expect(start.res.status).toBe(302);
  const location = new URL(start.res.headers.get("Location")!);
  expect(location.origin).toBe(idp.provider.issuer);
  expect(location.searchParams.get("code_challenge_method")).toBe("S256");
  expect(b.cookies.has("bazaar_oidc")).toBe(true);
  return signInAt(location, account, callback());
}

const pathOf = (url: URL) => url.pathname + url.search;

describe("social sign-in through the worker", () => {
  it("shows the provider's button, and the CSP lets the form go there", async () => {
    const page = await new Browser().get("/signin");
    expect(textOf(page.html)).toContain("Continue with Local ID");
    expect(page.html).toContain('action="/signin/social/local"');
    expect(page.res.headers.get("Content-Security-Policy")).toContain(`form-action 'self' ${idp.provider.issuer}`);
  });

  it("signs up through the provider: pick a name, then signed in; its only way in cannot be unlinked", async () => {
    const account = uniqueName("ann");
    idp.accounts.set(account, { email: `${account}@example.test`, name: account });
    const b = new Browser();
    const back = await b.get(pathOf(await toProvider(b, account, "signin", "/signin")));
    expect(back.res.status).toBe(302);
    expect(back.res.headers.get("Location")).toBe("/signup/social");
    expect(b.cookies.has("bazaar_oidc")).toBe(false);
    const picker = await b.get("/signup/social");
    expect(textOf(picker.html)).toContain(`Local ID says you are ${account}@example.test`);
    const csrf = await b.csrf("/signup/social");
    const bad = await b.post("/signup/social", { csrf, username: "no spaces!" });
    expect(bad.res.status).toBe(400);
    const name = uniqueName("Ann");
    const made = await b.post("/signup/social", { csrf, username: name });
    expect(made.res.status).toBe(302);
    expect(made.res.headers.get("Location")).toBe("/inventory");
    expect(b.cookies.has("bazaar_session")).toBe(true);
    const security = await b.get("/security");
    expect(textOf(security.html)).toContain(`Local ID · ${account}@example.test`);
    expect(textOf(security.html)).toContain("This is your only way to sign in");

    // Next time: straight in, as the same player.
    const again = new Browser();
    const signedIn = await again.get(pathOf(await toProvider(again, account, "signin", "/signin")));
    expect(signedIn.res.status).toBe(302);
    expect(again.cookies.has("bazaar_session")).toBe(true);
    expect(textOf((await again.get("/inventory")).html)).toContain(name);
  });

  it("links the provider to a password account from Security, signs in with it, unlinks it", async () => {
    const b = new Browser();
    const name = uniqueName("Bob");
    expect((await b.signUp(name)).res.status).toBe(302);
    const account = uniqueName("bob");
    idp.accounts.set(account, { email: `${account}@example.test` });
    const linked = await b.get(pathOf(await toProvider(b, account, "link", "/security")));
    expect(linked.res.status).toBe(302);
    expect(linked.res.headers.get("Location")).toBe("/security?linked=local");
    expect(textOf((await b.get("/security?linked=local")).html)).toContain("Local ID is linked");

    const other = new Browser();
    const signedIn = await other.get(pathOf(await toProvider(other, account, "signin", "/signin")));
    expect(signedIn.res.status).toBe(302);
    expect(signedIn.res.headers.get("Location")).toBe("/");
    expect(textOf((await other.get("/inventory")).html)).toContain(name);

    const page = await b.get("/security");
    const identity = /name="identity" value="([0-9a-f-]{36})"/.exec(page.html)![1]!;
    const csrf = await b.csrf("/security");
    const unlinked = await b.post("/security", { csrf, intent: "unlink", identity });
    expect(unlinked.res.status).toBe(200);
    expect(textOf(unlinked.html)).toContain("Unlinked");
    expect(textOf((await b.get("/security")).html)).toContain("Link Local ID");
  });

  it("never merges by e-mail: the page says to sign in to that account and link from Security", async () => {
    const email = `${uniqueName("shared")}@example.test`;
    const first = uniqueName("cid");
    idp.accounts.set(first, { email });
    const a = new Browser();
    await a.get(pathOf(await toProvider(a, first, "signin", "/signin")));
    expect((await a.post("/signup/social", { csrf: await a.csrf("/signup/social"), username: uniqueName("Cid") })).res.status).toBe(302);

    const second = uniqueName("cid2");
    idp.accounts.set(second, { email: email.toUpperCase() });
    const b = new Browser();
    const refused = await b.get(pathOf(await toProvider(b, second, "signin", "/signin")));
    expect(refused.res.status).toBe(409);
    expect(textOf(refused.html)).toContain("already used by another Bazaar account. Sign in to that account");
    expect(b.cookies.has("bazaar_session")).toBe(false);
    expect(b.cookies.has("bazaar_oidc_new")).toBe(false);
  });

  it("a player with two-factor sign-in still gives the code after the provider", async () => {
    const account = uniqueName("tia");
    idp.accounts.set(account, { email: `${account}@example.test` });
    const b = new Browser();
    await b.get(pathOf(await toProvider(b, account, "signin", "/signin")));
    expect((await b.post("/signup/social", { csrf: await b.csrf("/signup/social"), username: uniqueName("Tia") })).res.status).toBe(302);
    const csrf = await b.csrf("/security");
    await b.post("/security", { csrf, intent: "start" });
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec((await b.get("/security")).html)![1]!.replace(/ /g, "");
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
    expect((await b.post("/security", { csrf, intent: "confirm", code: totp.generate() })).res.status).toBe(200);

    const c = new Browser();
    const back = await c.get(pathOf(await toProvider(c, account, "signin", "/signin")));
    expect(back.res.status).toBe(302);
    expect(back.res.headers.get("Location")).toMatch(/^\/signin\/code\?redirectTo=%2F&via=local$/);
    expect(c.cookies.has("bazaar_session")).toBe(false);
    expect(textOf((await c.get(back.res.headers.get("Location")!)).html)).toContain("Local ID says it is you.");
    const code = await c.post("/signin/code", { csrf: await c.csrf("/signin/code"), code: totp.generate({ timestamp: Date.now() + 30_000 }) });
    expect(code.res.status).toBe(302);
    expect(c.cookies.has("bazaar_session")).toBe(true);
  });

  it("a tampered state, or a callback this browser did not start, opens no session", async () => {
    const account = uniqueName("sam");
    idp.accounts.set(account, { email: `${account}@example.test` });
    const b = new Browser();
    const url = await toProvider(b, account, "signin", "/signin");
    url.searchParams.set("state", "tampered-state-value-0123456789");
    const tampered = await b.get(pathOf(url));
    expect(tampered.res.status).toBe(401);
    expect(textOf(tampered.html)).toContain("its state is wrong");
    expect(b.cookies.has("bazaar_session")).toBe(false);
    // The flow cookie is used once: the real answer afterwards is refused too.
    const stranger = await new Browser().get(pathOf(url));
    expect(stranger.res.status).toBe(400);
    expect(textOf(stranger.html)).toContain("was not started in this browser");
  });
});
