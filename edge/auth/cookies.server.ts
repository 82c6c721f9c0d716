/**
 * Cookies for the web session and the guest CSRF token.
 *
 * In production: `__Host-bazaar_session`, Secure, HttpOnly, SameSite=Lax, Path=/ (the __Host-
 * prefix forbids a Domain attribute, so a sibling subdomain cannot plant one).
 * On plain http://127.0.0.1 or http://localhost (wrangler dev, tests): browsers only keep Secure
 * cookies there for "localhost", and never __Host- cookies without Secure, so locally the cookie
 * is `bazaar_session` without Secure. This only happens for an http: loopback URL, which a
 * deployed worker never sees.
 */
export interface CookieSpec {
  name: string;
  secure: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function isLocalHttp(request: Request): boolean {
  const url = new URL(request.url);
  return url.protocol === "http:" && LOOPBACK.has(url.hostname);
}

function spec(request: Request, base: string): CookieSpec {
  return isLocalHttp(request) ? { name: base, secure: false } : { name: `__Host-${base}`, secure: true };
}

export const sessionCookie = (request: Request) => spec(request, "bazaar_session");
export const guestCsrfCookie = (request: Request) => spec(request, "bazaar_csrf");
/** A long-lived random id of this browser, for "new device" sign-in alerts (only its digest is stored). */
export const deviceCookie = (request: Request) => spec(request, "bazaar_device");
export const DEVICE_COOKIE_DAYS = 400;

export function serializeCookie(c: CookieSpec, value: string, maxAgeSeconds: number): string {
  const parts = [`${c.name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`];
  if (c.secure) parts.push("Secure");
  return parts.join("; ");
}

export const clearCookie = (c: CookieSpec) => serializeCookie(c, "", 0);

/** Value of one cookie, or undefined. Only token-shaped values (at most `max` characters) are accepted. */
export function readCookie(request: Request, c: CookieSpec, max = 200): string | undefined {
  const header = request.headers.get("Cookie");
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== c.name) continue;
    const value = pair.slice(eq + 1).trim();
    return value.length >= 16 && value.length <= max && /^[A-Za-z0-9_.-]+$/.test(value) ? value : undefined;
  }
  return undefined;
}
/** Between the password and the second factor: the signed, short-lived "password was right" mark. */
export const pendingSignInCookie = (request: Request) => spec(request, "bazaar_2fa");
/** Social sign-in (ADR 037): the signed 10-minute state, nonce and PKCE verifier of one trip to a provider. */
export const socialFlowCookie = (request: Request) => spec(request, "bazaar_oidc");
/** Social sign-up: the signed identity a provider vouched for, until the player picks a name. */
export const socialSignUpCookie = (request: Request) => spec(request, "bazaar_oidc_new");
