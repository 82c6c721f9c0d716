/**
 * POST /signin/social/:provider: start a trip to a social sign-in provider (ADR 037): to sign in or
 * sign up (the sign-in page's buttons, guest CSRF), or to link it to the signed-in player
 * (Security's buttons, the session's CSRF). Sets the signed flow cookie and redirects to the
 * provider. A plain form post, so the browser follows the redirect (the CSP's form-action allows
 * the configured providers).
 */
import { data, redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { StatusError } from "~/components/StatusError";
import { Link, useActionData } from "@remix-run/react";
import { serializeCookie, socialFlowCookie } from "../../edge/auth/cookies.server";
import { verifyGuestCsrf, verifySessionCsrf } from "../../edge/auth/csrf.server";
import { FLOW_SECONDS, startFlow } from "../../edge/auth/social/flow.server";
import { findProvider } from "../../edge/auth/social/providers.server";
import { callbackUrl } from "../../edge/auth/social/web.server";
import { getWebSession, safeRedirect } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";

export async function action({ request, context, params }: ActionFunctionArgs) {
  const provider = findProvider(context.env.oidcProviders, params.provider ?? "");
  if (!provider) return data({ error: `There is no sign-in provider "${String(params.provider).slice(0, 40)}" here.` }, { status: 404 });
  const form = await readForm(request);
  const intent = field(form, "intent") === "link" ? "link" : "signin";
  let playerId: string | undefined;
  if (intent === "link") {
    const session = await getWebSession(request, context);
    if (!session) return data({ error: "Sign in first: a provider is linked to the account you are signed in to." }, { status: 401 });
    const csrf = verifySessionCsrf(request, form, session);
    if (csrf) return data({ error: csrf.message }, { status: csrf.status });
    playerId = session.player.id;
  } else {
    const csrf = verifyGuestCsrf(request, form, context.env.SESSION_SECRET);
    if (csrf) return data({ error: csrf.message }, { status: csrf.status });
  }
  const redirectTo = intent === "link" ? "/security" : safeRedirect(field(form, "redirectTo"), "/");
  let started;
  try {
    started = await startFlow(context.env.SESSION_SECRET, provider, { intent, playerId, redirectTo, redirectUri: callbackUrl(request, provider.id) });
  } catch (error) {
    console.error(JSON.stringify({ msg: "oidc discovery failed", provider: provider.id, error: String(error).slice(0, 200), requestId: context.requestId }));
    return data({ error: `${provider.name} cannot be reached right now. Try again in a minute, or use your password.` }, { status: 502 });
  }
  return redirect(started.authorizationUrl.toString(), {
    headers: { "Set-Cookie": serializeCookie(socialFlowCookie(request), started.cookie, FLOW_SECONDS) },
  });
}

export const meta: MetaFunction = () => [{ title: "Social sign-in · Bazaar" }];

/** Only when the trip could not start: why, and the way back. */
export default function SocialStart() {
  const result = useActionData<typeof action>();
  return (
    <>
      <h1>Sign-in did not start</h1>
      <p className="form-error" role="alert">
        {result && "error" in result ? result.error : "Use the buttons on the sign-in page."}
      </p>
      <p>
        <Link to="/signin">Back to sign-in</Link> · <Link to="/security">Security</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
