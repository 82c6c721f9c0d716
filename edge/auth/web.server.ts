/** The browser side of auth: the session cookie, the current player, sign-in and sign-out. */
import { redirect } from "@remix-run/cloudflare";
import type { AppLoadContext } from "../context.server";
import { recordSessionDevice } from "../../db/security/sessions";
import { describeDevice, describePlace } from "../security/device";
import { clearCookie, DEVICE_COOKIE_DAYS, deviceCookie, readCookie, serializeCookie, sessionCookie } from "./cookies.server";
import { digest, newToken } from "./tokens";
import { findSession, openSession, revokeByToken, revokeSession, WEB_SESSION_DAYS, type ActiveSession } from "./sessions.server";

export async function getWebSession(request: Request, context: AppLoadContext): Promise<ActiveSession | undefined> {
  const token = readCookie(request, sessionCookie(request));
  return token ? findSession(context.db, token, "web") : undefined;
}

/** The signed-in session, or a redirect to /signin that comes back here afterwards. */
export async function requireWebSession(request: Request, context: AppLoadContext): Promise<ActiveSession> {
  const session = await getWebSession(request, context);
  if (session) return session;
  const url = new URL(request.url);
  throw redirect(`/signin?${new URLSearchParams({ redirectTo: url.pathname + url.search })}`);
}

/**
 * Open a new web session (revoking the browser's previous one), record where it was opened (a
 * sign-in from a device this player never used writes a "sign_in" alert), and return the
 * Set-Cookie headers: the session, and the device id when the browser had none.
 */
export async function startWebSession(request: Request, context: AppLoadContext, playerId: string, steppedUp = false): Promise<string[]> {
  const spec = sessionCookie(request);
  const previous = readCookie(request, spec);
  if (previous) await revokeByToken(context.db, previous);
  const issued = await openSession(context.db, playerId, "web", null, steppedUp);
  const deviceSpec = deviceCookie(request);
  const knownDevice = readCookie(request, deviceSpec);
  const device = knownDevice ?? newToken();
  await recordSessionDevice(context.db, { sessionId: issued.id, playerId, device: describeDevice(request.headers.get("User-Agent")), place: describePlace(request), deviceKey: digest(device) });
  const cookies = [serializeCookie(spec, issued.token, WEB_SESSION_DAYS * 86_400)];
  if (!knownDevice) cookies.push(serializeCookie(deviceSpec, device, DEVICE_COOKIE_DAYS * 86_400));
  return cookies;
}

/** Revoke the session and return the Set-Cookie that clears it. */
export async function endWebSession(request: Request, context: AppLoadContext, session: ActiveSession): Promise<string> {
  await revokeSession(context.db, session.player.id, session.id, "web");
  return clearCookie(sessionCookie(request));
}

/** Only same-site relative paths: never "//evil.example" or "/\\evil". */
export function safeRedirect(to: unknown, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  if (to.length > 500 || /[\p{Cc}]/u.test(to)) return fallback;
  return to;
}
