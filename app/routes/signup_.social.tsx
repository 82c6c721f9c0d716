/**
 * /signup/social: the first sign-in through a provider (ADR 037) creates a player: pick a player
 * name. Only with the signed identity the callback left (15 minutes); the account, its starter kit
 * and the linked identity are made in one transaction, then the session opens.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { signUpWithIdentity } from "../../db/security/identities";
import { clearCookie, readCookie, socialSignUpCookie } from "../../edge/auth/cookies.server";
import { guestCsrf, verifyGuestCsrf } from "../../edge/auth/csrf.server";
import { openSignUp } from "../../edge/auth/social/flow.server";
import { findProvider } from "../../edge/auth/social/providers.server";
import { SEALED_MAX } from "../../edge/auth/social/web.server";
import { startWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { issueSentence, Username } from "../../edge/validation";
import { CsrfField, Field, FormAlert } from "~/components/forms";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Pick your player name · Bazaar" }];

const pendingOf = (request: Request, secret: string) => openSignUp(secret, readCookie(request, socialSignUpCookie(request), SEALED_MAX));

export async function loader({ request, context }: LoaderFunctionArgs) {
  const pending = pendingOf(request, context.env.SESSION_SECRET);
  if (!pending) throw redirect("/signup");
  const provider = findProvider(context.env.oidcProviders, pending.id.provider);
  const { token, setCookie } = guestCsrf(request, context.env.SESSION_SECRET);
  return data(
    { csrf: token, provider: provider?.name ?? pending.id.provider, email: pending.id.email, suggested: pending.s },
    setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined,
  );
}

type Result = { formError?: string; fieldError?: string; username?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const username = field(form, "username");
  const csrf = verifyGuestCsrf(request, form, context.env.SESSION_SECRET);
  if (csrf) return data<Result>({ formError: csrf.message, username }, { status: csrf.status });
  const pending = pendingOf(request, context.env.SESSION_SECRET);
  if (!pending) return data<Result>({ formError: "This sign-up took longer than 15 minutes. Start again from the sign-up page." }, { status: 401 });
  const parsed = Username.safeParse(username);
  if (!parsed.success) return data<Result>({ formError: "Please fix the name.", fieldError: issueSentence(parsed.error.issues[0]!.message), username: username.slice(0, 24) }, { status: 400 });
  const provider = findProvider(context.env.oidcProviders, pending.id.provider);
  const created = await signUpWithIdentity(context.db, parsed.data, pending.id, provider?.name ?? pending.id.provider);
  if (!created.ok) {
    return data<Result>({ formError: created.message, fieldError: created.code === "username_taken" ? created.message : undefined, username }, { status: created.status });
  }
  const headers = new Headers();
  for (const c of await startWebSession(request, context, created.playerId)) headers.append("Set-Cookie", c);
  headers.append("Set-Cookie", clearCookie(socialSignUpCookie(request)));
  return redirect(pending.r === "/" ? "/inventory" : pending.r, { headers });
}

export default function SocialSignUp() {
  const { csrf, provider, email, suggested } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1>Pick your player name</h1>
      <p>
        {provider} says you are {email ? <strong>{email}</strong> : "signed in"}. This is your first time here: choose the name other traders will see. New traders start with 1,000 gold and a small kit of goods.
      </p>
      <Form method="post" className="card" noValidate>
        <CsrfField token={csrf} />
        <FormAlert message={result?.formError} />
        <Field
          label="Player name"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          minLength={3}
          maxLength={24}
          pattern="[A-Za-z0-9_\-]+"
          defaultValue={result?.username ?? suggested}
          error={result?.fieldError}
        />
        <p className="muted">3-24 letters, digits, _ or -.</p>
        <button type="submit" disabled={busy}>
          {busy ? "One moment..." : "Create my account"}
        </button>
      </Form>
      <p>
        Already trading here? <Link to="/signin">Sign in</Link> with your password, then link {provider} from Security.
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
