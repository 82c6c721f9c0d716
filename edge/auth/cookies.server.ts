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

export function serializeCookie(c: CookieSpec, value: string, maxAgeSeconds: number): string {
  const parts = [`${c.name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`];
  if (c.secure) parts.push("Secure");
  return parts.join("; ");
}

export const clearCookie = (c: CookieSpec) => serializeCookie(c, "", 0);

/** Value of one cookie, or undefined. Only token-shaped values are accepted. */
export function readCookie(request: Request, c: CookieSpec): string | undefined {
  const header = request.headers.get("Cookie");
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== c.name) continue;
    const value = pair.slice(eq + 1).trim();
    return /^[A-Za-z0-9_.-]{16,200}$/.test(value) ? value : undefined;
  }
  return undefined;
}
