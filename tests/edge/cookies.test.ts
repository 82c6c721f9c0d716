import { describe, expect, it } from "vitest";
import { readCookie, serializeCookie, sessionCookie } from "../../edge/auth/cookies.server";
import { checkOrigin, guestCsrf, verifyGuestCsrf, verifySessionCsrf } from "../../edge/auth/csrf.server";
import type { ActiveSession } from "../../edge/auth/sessions.server";
import { safeRedirect } from "../../edge/auth/web.server";

const SECRET = "s".repeat(40);
const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { method: "POST", headers });
const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

describe("session cookie", () => {
  it("is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/ on https", () => {
    const spec = sessionCookie(req("https://bazaar.example/"));
    expect(spec).toEqual({ name: "__Host-bazaar_session", secure: true });
    const header = serializeCookie(spec, "tok", 60);
    expect(header).toBe("__Host-bazaar_session=tok; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure");
    expect(header).not.toMatch(/Domain=/);
  });
  it("drops Secure and the prefix only on plain-http loopback", () => {
    for (const url of ["http://127.0.0.1:8787/", "http://localhost:8787/"]) {
      expect(sessionCookie(req(url))).toEqual({ name: "bazaar_session", secure: false });
    }
    expect(sessionCookie(req("http://bazaar.example/")).secure).toBe(true);
    expect(sessionCookie(req("https://127.0.0.1/")).secure).toBe(true);
  });
  it("reads only token-shaped values of the right name", () => {
    const spec = { name: "bazaar_session", secure: false };
    const token = "A".repeat(43);
    expect(readCookie(req("http://127.0.0.1/", { Cookie: `x=1; bazaar_session=${token}` }), spec)).toBe(token);
    expect(readCookie(req("http://127.0.0.1/", { Cookie: `bazaar_session=short` }), spec)).toBeUndefined();
    expect(readCookie(req("http://127.0.0.1/", { Cookie: `bazaar_session_x=${token}` }), spec)).toBeUndefined();
  });
});

describe("CSRF", () => {
  const base = "https://bazaar.example/signup";
  it("refuses cross-site requests by Sec-Fetch-Site or Origin", () => {
    expect(checkOrigin(req(base, { "Sec-Fetch-Site": "cross-site" }))?.status).toBe(403);
    expect(checkOrigin(req(base, { "Sec-Fetch-Site": "same-site" }))?.status).toBe(403);
    expect(checkOrigin(req(base, { Origin: "https://evil.example" }))?.status).toBe(403);
    expect(checkOrigin(req(base, { Origin: "null" }))?.status).toBe(403);
    expect(checkOrigin(req(base, { Origin: "https://bazaar.example", "Sec-Fetch-Site": "same-origin" }))).toBeUndefined();
    expect(checkOrigin(req(base))).toBeUndefined();
  });
  it("guest double-submit: field must equal a cookie we signed", () => {
    const { token, setCookie } = guestCsrf(req(base), SECRET);
    expect(setCookie).toMatch(/^__Host-bazaar_csrf=/);
    const cookie = `__Host-bazaar_csrf=${token}`;
    expect(verifyGuestCsrf(req(base, { Cookie: cookie }), form({ csrf: token }), SECRET)).toBeUndefined();
    expect(verifyGuestCsrf(req(base, { Cookie: cookie }), form({}), SECRET)?.code).toBe("csrf_token_invalid");
    expect(verifyGuestCsrf(req(base), form({ csrf: token }), SECRET)?.code).toBe("csrf_token_invalid");
    // An attacker who can plant a cookie still cannot mint a valid one without the secret.
    const forged = `${"A".repeat(43)}.${"B".repeat(43)}`;
    expect(verifyGuestCsrf(req(base, { Cookie: `__Host-bazaar_csrf=${forged}` }), form({ csrf: forged }), SECRET)?.code).toBe("csrf_token_invalid");
    expect(verifyGuestCsrf(req(base, { Cookie: cookie }), form({ csrf: token }), "x".repeat(40))?.code).toBe("csrf_token_invalid");
  });
  it("reuses a valid guest cookie instead of issuing a new one", () => {
    const first = guestCsrf(req(base), SECRET);
    const again = guestCsrf(req(base, { Cookie: `__Host-bazaar_csrf=${first.token}` }), SECRET);
    expect(again).toEqual({ token: first.token });
  });
  it("signed-in forms must carry the session's own token", () => {
    const session = { id: "x", kind: "web", csrfToken: "T".repeat(43), player: { id: "p", username: "u", roles: [], secondFactor: false }, steppedUpAt: null } as ActiveSession;
    expect(verifySessionCsrf(req(base), form({ csrf: "T".repeat(43) }), session)).toBeUndefined();
    expect(verifySessionCsrf(req(base), form({ csrf: "U".repeat(43) }), session)?.status).toBe(403);
    expect(verifySessionCsrf(req(base), form({}), session)?.status).toBe(403);
  });
});

describe("safeRedirect", () => {
  it.each([
    ["/inventory", "/inventory"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example", "/"],
    ["/a\nb", "/"],
    [undefined, "/"],
  ])("%j -> %j", (to, expected) => expect(safeRedirect(to)).toBe(expected));
});
