import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { credentialsAction } from "../../edge/auth/credentials-form.server";
import { guestCsrf, verifyGuestCsrf } from "../../edge/auth/csrf.server";
import { checkPasskey, relyingParty } from "../../edge/auth/passkeys.server";
import { checkCredentials } from "../../edge/auth/signin.server";
import { safeRedirect, startWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { createRedis } from "../../edge/redis.server";
import { CredentialsForm } from "~/components/CredentialsForm";
import { SocialSignIn } from "~/components/SocialSignIn";
import { CsrfField, FormAlert } from "~/components/forms";
import { PasskeyButton } from "~/components/PasskeyButton";
import { StatusError } from "~/components/StatusError";
import { answerWithPasskey } from "~/utils/passkeys";

export const meta: MetaFunction = () => [{ title: "Sign in · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token, setCookie } = guestCsrf(request, context.env.SESSION_SECRET);
  const providers = (context.env.oidcProviders ?? []).map((p) => ({ id: p.id, name: p.name }));
  const redirectTo = new URL(request.url).searchParams.get("redirectTo");
  return data({ csrf: token, providers, redirectTo }, setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined);
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (field(await readForm(request.clone() as Request), "intent") === "passkey") return passkeySignIn(request, context);
  return credentialsAction(request, context, (input) => checkCredentials(context.db, input, createRedis(context.env)), "/");
}

/** Password-less (ADR 036): a verified passkey is both factors, so the session opens at once. */
async function passkeySignIn(request: Request, context: ActionFunctionArgs["context"]) {
  const form = await readForm(request);
  const csrf = verifyGuestCsrf(request, form, context.env.SESSION_SECRET);
  if (csrf) return data({ passkeyError: csrf.message }, { status: csrf.status });
  const check = await checkPasskey(context.db, relyingParty(request), "sign-in", null, field(form, "answer"));
  if (!check.ok) return data({ passkeyError: check.message }, { status: check.status });
  const headers = new Headers();
  for (const c of await startWebSession(request, context, check.playerId)) headers.append("Set-Cookie", c);
  return redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "/"), { headers });
}

export default function SignIn() {
  const { csrf, providers, redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as { passkeyError?: string } | undefined;
  return (
    <>
      <h1>Sign in</h1>
      <CredentialsForm csrf={csrf} mode="signin" />
      <SocialSignIn providers={providers} csrf={csrf} redirectTo={redirectTo} verb="Continue" />
      <Form method="post" className="card passkey-signin">
        <CsrfField token={csrf} />
        <FormAlert message={result?.passkeyError} />
        <p>Added a passkey on the security page? Use your device's screen lock instead of your password.</p>
        <PasskeyButton label="Sign in with a passkey" intent="passkey" className="ghost" run={() => answerWithPasskey("/signin/passkey", { csrf, purpose: "sign-in" })} />
      </Form>
      <p>
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
