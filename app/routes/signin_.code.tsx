import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { clearCookie, pendingSignInCookie, readCookie } from "../../edge/auth/cookies.server";
import { guestCsrf, verifyGuestCsrf } from "../../edge/auth/csrf.server";
import { checkPasskey, relyingParty } from "../../edge/auth/passkeys.server";
import { checkCodeLimited, readPendingSignIn } from "../../edge/auth/second-factor.server";
import { findProvider } from "../../edge/auth/social/providers.server";
import { hasPasskey } from "../../db/security/passkeys";
import { safeRedirect, startWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { createRedis } from "../../edge/redis.server";
import { masterSecret } from "../../edge/server-api/auth.server";
import { CsrfField, Field, FormAlert } from "~/components/forms";
import { PasskeyButton } from "~/components/PasskeyButton";
import { StatusError } from "~/components/StatusError";
import { answerWithPasskey } from "~/utils/passkeys";

export const meta: MetaFunction = () => [{ title: "Your code · Bazaar" }];

const again = (request: Request) => {
  const to = new URL(request.url).searchParams.get("redirectTo");
  return `/signin${to ? `?${new URLSearchParams({ redirectTo: safeRedirect(to) })}` : ""}`;
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  // Only after a right password (the signed 5-minute mark); otherwise back to the password.
  const playerId = readPendingSignIn(context.env.SESSION_SECRET, readCookie(request, pendingSignInCookie(request)));
  if (!playerId) throw redirect(again(request));
  const { token, setCookie } = guestCsrf(request, context.env.SESSION_SECRET);
  // After a social sign-in (ADR 037) the first step was the provider, not the password.
  const via = findProvider(context.env.oidcProviders, new URL(request.url).searchParams.get("via") ?? "")?.name ?? null;
  // A player with a passkey may use it instead of the code (ADR 036).
  return data({ csrf: token, via, passkey: await hasPasskey(context.db, playerId) }, setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const csrf = verifyGuestCsrf(request, form, context.env.SESSION_SECRET);
  if (csrf) return data({ formError: csrf.message }, { status: csrf.status });
  const playerId = readPendingSignIn(context.env.SESSION_SECRET, readCookie(request, pendingSignInCookie(request)));
  if (!playerId) return data({ formError: "Your sign-in took too long. Enter your password again." }, { status: 401 });
  const answer = field(form, "answer");
  if (field(form, "intent") === "passkey" || answer) {
    const check = await checkPasskey(context.db, relyingParty(request), "second-factor", playerId, answer);
    if (!check.ok) return data({ formError: check.message }, { status: check.status });
    return openSession(request, context, playerId, false);
  }
  const code = field(form, "code");
  if (!code.trim()) return data({ formError: "Enter the 6-digit code from your authenticator app, or a recovery code." }, { status: 400 });
  const check = await checkCodeLimited(context.db, createRedis(context.env), masterSecret(context.env), playerId, code);
  if (!check.ok) return data({ formError: check.message }, { status: check.status });
  return openSession(request, context, playerId, check.via === "recovery");
}

async function openSession(request: Request, context: ActionFunctionArgs["context"], playerId: string, recoveryUsed: boolean) {
  const headers = new Headers();
  for (const c of await startWebSession(request, context, playerId, true)) headers.append("Set-Cookie", c);
  headers.append("Set-Cookie", clearCookie(pendingSignInCookie(request)));
  const to = safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "/");
  // A recovery code was used up: say how many are left on the security page.
  return redirect(recoveryUsed ? "/security?recovery=used" : to, { headers });
}

export default function SignInCode() {
  const { csrf, via, passkey } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1>Two-factor sign-in</h1>
      <p>{via ? `${via} says it is you.` : "Your password was right."} Open your authenticator app and enter the code it shows for Bazaar.</p>
      <Form method="post" className="card" noValidate>
        <CsrfField token={csrf} />
        <FormAlert message={result?.formError} />
        <Field label="Code" name="code" autoComplete="one-time-code" inputMode="text" autoCapitalize="none" spellCheck={false} required maxLength={40} autoFocus />
        <p className="muted">Lost your phone? Enter one of your recovery codes instead (each works once).</p>
        <button type="submit" disabled={busy}>
          {busy ? "One moment..." : "Sign in"}
        </button>
      </Form>
      {passkey ? (
        <Form method="post" className="card passkey-signin">
          <CsrfField token={csrf} />
          <p>Or use one of your passkeys instead of the code.</p>
          <PasskeyButton label="Use a passkey instead" intent="passkey" className="ghost" run={() => answerWithPasskey("/signin/passkey", { csrf, purpose: "second-factor" })} />
        </Form>
      ) : null}
      <p>
        <Link to="/signin">Start again</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
