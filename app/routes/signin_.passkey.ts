/**
 * POST /signin/passkey (a resource route, JSON): the options for signing in with a passkey (ADR
 * 036). purpose=sign-in: password-less, any passkey on the device (discoverable); purpose=
 * second-factor: after a right password (the signed pending mark), one of that player's passkeys
 * instead of the code. The answer goes back to /signin or /signin/code with their forms.
 */
import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { pendingSignInCookie, readCookie } from "../../edge/auth/cookies.server";
import { verifyGuestCsrf } from "../../edge/auth/csrf.server";
import { authenticationOptions, relyingParty } from "../../edge/auth/passkeys.server";
import { readPendingSignIn } from "../../edge/auth/second-factor.server";
import { field, readForm } from "../../edge/forms.server";

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const csrf = verifyGuestCsrf(request, form, context.env.SESSION_SECRET);
  if (csrf) return Response.json({ code: csrf.code, message: csrf.message }, { status: csrf.status });
  const purpose = field(form, "purpose");
  let playerId: string | null = null;
  if (purpose === "second-factor") {
    playerId = readPendingSignIn(context.env.SESSION_SECRET, readCookie(request, pendingSignInCookie(request))) ?? null;
    if (!playerId) return Response.json({ code: "sign_in_expired", message: "Your sign-in took too long. Enter your password again." }, { status: 401 });
  } else if (purpose !== "sign-in") {
    return Response.json({ code: "bad_purpose", message: "Unknown passkey action: reload the page and try again." }, { status: 400 });
  }
  const options = await authenticationOptions(context.db, relyingParty(request), purpose, playerId);
  if ("ok" in options) return Response.json({ code: options.code, message: options.message }, { status: options.status });
  return Response.json({ options }, { headers: { "Cache-Control": "no-store" } });
}
