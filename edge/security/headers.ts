/**
 * The security headers every response carries (ADR 021), as pure functions of the request and a
 * per-request nonce, so they are unit-tested without a worker.
 *
 * Content-Security-Policy (pages): scripts only with this response's nonce, plus what those
 * scripts load ('strict-dynamic': Remix's entry imports its route chunks, the chart imports
 * chart-lib); no plugins, no <base>, forms post only to us, never framed; connections to us and
 * to the market rooms (PARTY_HOST, ws: on a plain-http page, wss: on https); the service worker
 * and the manifest from us. Style attributes stay allowed (React renders style="width: 40%" for
 * the depth bars; the chart library sets element styles), style sheets only from us or nonced.
 * Violations are reported to /csp-report (logged) and, in the browser suite, fail the test.
 */
export const CSP_REPORT_PATH = "/csp-report";

/** 128 random bits, base64: new for every response. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export interface PolicyInput {
  nonce: string;
  /** The page's own URL (its scheme decides ws: or wss: for the rooms). */
  url: URL;
  /** Where browsers reach the rooms, e.g. "127.0.0.1:1999" or "bazaar.user.partykit.dev"; unset: same origin. */
  partyHost?: string | null;
  /**
   * Origins a form post may be redirected to: the social sign-in providers (ADR 037). Browsers
   * apply form-action to the redirects after a post, and "Sign in with ..." posts to us, then
   * redirects to the provider's authorization page.
   */
  formTargets?: readonly string[];
}

export function contentSecurityPolicy({ nonce, url, partyHost, formTargets = [] }: PolicyInput): string {
  const secure = url.protocol === "https:";
  const rooms = partyHost && partyHost !== url.host ? [`${secure ? "wss" : "ws"}://${partyHost}`, `${secure ? "https" : "http"}://${partyHost}`] : [];
  const directives: Array<[string, ...string[]]> = [
    ["default-src", "'self'"],
    // 'strict-dynamic' makes browsers that know it ignore 'self' https: 'unsafe-inline', which only
    // older browsers (CSP 2) read.
    ["script-src", `'nonce-${nonce}'`, "'strict-dynamic'", "'self'", "'unsafe-inline'", ...(secure ? ["https:"] : [])],
    ["style-src", "'self'", `'nonce-${nonce}'`],
    ["style-src-attr", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'", ...rooms],
    ["worker-src", "'self'"],
    ["manifest-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'", ...formTargets],
    ["frame-ancestors", "'none'"],
    ["report-uri", CSP_REPORT_PATH],
  ];
  if (secure) directives.push(["upgrade-insecure-requests"]);
  return directives.map((d) => d.join(" ")).join("; ");
}

/** Headers for every response (pages, API, errors); the CSP only on HTML. */
export function securityHeaders(url: URL): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), bluetooth=(), browsing-topics=(), publickey-credentials-get=(self)",
  };
  // Browsers ignore HSTS over plain http (npm start on 127.0.0.1); sent on https only.
  if (url.protocol === "https:") headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  return headers;
}

/** Set the headers on a response (a copy when its headers are immutable, e.g. from fetch). */
export function withSecurityHeaders(response: Response, url: URL, csp: string | undefined): Response {
  let out = response;
  const apply = (h: Headers) => {
    for (const [k, v] of Object.entries(securityHeaders(url))) h.set(k, v);
    if (csp && (h.get("Content-Type") ?? "").startsWith("text/html")) h.set("Content-Security-Policy", csp);
  };
  try {
    apply(out.headers);
  } catch {
    out = new Response(response.body, response);
    apply(out.headers);
  }
  return out;
}
