/**
 * CSRF defence for every POST form, in two layers:
 * 1. Origin / Sec-Fetch-Site: a browser request from another site is refused outright.
 * 2. A token in a hidden `csrf` field: signed-in forms carry the session's csrf_token; the
 *    sign-up and sign-in forms (no session yet) use a signed double-submit cookie.
 * Non-browser clients send neither header and are held to the token alone.
 */
import { guestCsrfCookie, readCookie, serializeCookie } from "./cookies.server";
import type { ActiveSession } from "./sessions.server";
import { hmac, newToken, sameString } from "./tokens";

export const CSRF_FIELD = "csrf";
const GUEST_TTL_SECONDS = 2 * 60 * 60;

export type CsrfFailure = { status: 403; code: string; message: string };

export function checkOrigin(request: Request): CsrfFailure | undefined {
  const site = request.headers.get("Sec-Fetch-Site");
  if (site && site !== "same-origin") {
    return { status: 403, code: "cross_site_request", message: "this form can only be sent from Bazaar's own pages" };
  }
  const origin = request.headers.get("Origin");
  if (origin && origin !== new URL(request.url).origin) {
    return { status: 403, code: "cross_site_request", message: `requests from ${origin} are not accepted` };
  }
  return undefined;
}

const missing: CsrfFailure = {
  status: 403,
  code: "csrf_token_invalid",
  message: "the form's security token is missing or out of date: reload the page and try again",
};

const formToken = (form: FormData) => {
  const value = form.get(CSRF_FIELD);
  return typeof value === "string" && value.length <= 200 ? value : "";
};

/** For signed-in forms: Origin check plus the session's token. */
export function verifySessionCsrf(request: Request, form: FormData, session: ActiveSession): CsrfFailure | undefined {
  const origin = checkOrigin(request);
  if (origin) return origin;
  const sent = formToken(form);
  if (!session.csrfToken || !sent || !sameString(sent, session.csrfToken)) return missing;
  return undefined;
}

const signGuest = (secret: string, nonce: string) => `${nonce}.${hmac(secret, `guest-csrf:${nonce}`)}`;

function validGuest(secret: string, value: string | undefined): value is string {
  if (!value) return false;
  const nonce = value.split(".")[0] ?? "";
  return sameString(value, signGuest(secret, nonce));
}

/** The guest token for a sign-up/sign-in form, and the Set-Cookie header if it is new. */
export function guestCsrf(request: Request, secret: string): { token: string; setCookie?: string } {
  const spec = guestCsrfCookie(request);
  const current = readCookie(request, spec);
  if (validGuest(secret, current)) return { token: current };
  const token = signGuest(secret, newToken());
  return { token, setCookie: serializeCookie(spec, token, GUEST_TTL_SECONDS) };
}

/** For sign-up/sign-in: Origin check, then form field == cookie, and the cookie is ours. */
export function verifyGuestCsrf(request: Request, form: FormData, secret: string): CsrfFailure | undefined {
  const origin = checkOrigin(request);
  if (origin) return origin;
  const cookie = readCookie(request, guestCsrfCookie(request));
  const sent = formToken(form);
  if (!validGuest(secret, cookie) || !sent || !sameString(sent, cookie)) return missing;
  return undefined;
}
