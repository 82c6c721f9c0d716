/** The sign-up / sign-in form action shared by both routes: CSRF, validation, then `run`. */
import { data, redirect } from "@remix-run/cloudflare";
import type { AppLoadContext } from "../context.server";
import { field, readForm, type FormProblem } from "../forms.server";
import { Credentials, issueSentence } from "../validation";
import { verifyGuestCsrf } from "./csrf.server";
import type { Failure } from "./signup.server";
import { hasSecondFactor } from "../../db/security/second-factor";
import { pendingSignInCookie, serializeCookie } from "./cookies.server";
import { PENDING_SIGN_IN_SECONDS, signPendingSignIn } from "./second-factor.server";
import { safeRedirect, startWebSession } from "./web.server";

type Outcome = { ok: true; playerId: string } | Failure;

export async function credentialsAction(
  request: Request,
  context: AppLoadContext,
  run: (input: { username: string; password: string }) => Promise<Outcome>,
  defaultRedirect: string,
) {
  const form = await readForm(request);
  const username = field(form, "username");
  const csrf = verifyGuestCsrf(request, form, context.env.SESSION_SECRET);
  if (csrf) return data<FormProblem & { username: string }>({ formError: csrf.message, username }, { status: csrf.status });

  const parsed = Credentials.safeParse({ username, password: field(form, "password") });
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0])] ??= issueSentence(issue.message);
    return data<FormProblem & { username: string }>(
      { formError: "Please fix the fields marked below.", fieldErrors, username: username.slice(0, 24) },
      { status: 400 },
    );
  }
  const outcome = await run(parsed.data);
  if (!outcome.ok) {
    const fieldErrors = outcome.code === "username_taken" ? { username: outcome.message } : undefined;
    return data<FormProblem & { username: string }>({ formError: outcome.message, fieldErrors, username }, { status: outcome.status });
  }
  const to = safeRedirect(new URL(request.url).searchParams.get("redirectTo"), defaultRedirect);
  return signedInRedirect(request, context, outcome.playerId, to);
}

/**
 * The first factor was right (a password, or a provider's answer: ADR 037). With two-factor
 * sign-in on (ADR 028): no session yet, a signed 5-minute mark and the code page. Otherwise the
 * session. `extraCookies` (e.g. clearing the social flow's) go on either redirect; `via` names the
 * provider for the code page.
 */
export async function signedInRedirect(request: Request, context: AppLoadContext, playerId: string, to: string, extraCookies: string[] = [], via?: string) {
  const headers = new Headers();
  for (const c of extraCookies) headers.append("Set-Cookie", c);
  if (await hasSecondFactor(context.db, playerId)) {
    const mark = signPendingSignIn(context.env.SESSION_SECRET, playerId);
    headers.append("Set-Cookie", serializeCookie(pendingSignInCookie(request), mark, PENDING_SIGN_IN_SECONDS));
    return redirect(`/signin/code?${new URLSearchParams({ redirectTo: to, ...(via ? { via } : {}) })}`, { headers });
  }
  for (const c of await startWebSession(request, context, playerId)) headers.append("Set-Cookie", c);
  return redirect(to, { headers });
}
