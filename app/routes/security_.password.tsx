/**
 * /security/password (issue 20): change my password, or set a first one on an account made
 * through a provider. With two-factor sign-in on, a fresh code first (the step-up page, ADR 035).
 * Every other session and API token is signed out. The sign-in door's rate limit applies.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { hasPassword } from "../../db/security/identities";
import { changePassword } from "../../edge/auth/password-change.server";
import { requireStepUpWeb } from "../../edge/auth/step-up.server";
import { requireWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { CsrfField, Field, FormAlert } from "~/components/forms";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Password · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  // Ask for the code before the player types anything (ADR 035), not after.
  requireStepUpWeb(request, session, "password:change", "/security/password");
  return { csrf: session.csrfToken ?? "", hasPassword: await hasPassword(context.db, session.player.id) };
}

type Answer = { error?: string; done?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  requireStepUpWeb(request, session, "password:change", "/security/password");
  const changed = await changePassword(context.db, {
    playerId: session.player.id, sessionId: session.id, current: field(form, "current"), next: field(form, "password"), confirm: field(form, "confirm"),
  });
  if (!changed.ok) return data<Answer>({ error: changed.message }, { status: changed.status });
  const others = changed.revoked === 0 ? "You had no other sessions." : changed.revoked === 1 ? "1 other session or API token was signed out." : `${changed.revoked} other sessions and API tokens were signed out.`;
  return data<Answer>({ done: `${changed.firstPassword ? "Password set: you can now also sign in with your name and it." : "Password changed."} ${others}` });
}

export default function PasswordPage() {
  const { csrf, hasPassword } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to="/security">← Security</Link>
      </p>
      <h1>{hasPassword ? "Change your password" : "Set a password"}</h1>
      <p className="muted">Every other session and API token is signed out, so anyone signed in with the old password is out.</p>
      {answer?.done ? (
        <p className="notice" role="status">
          {answer.done}
        </p>
      ) : null}
      {/* A new key after a change empties the fields. */}
      <Form method="post" className="card" key={answer?.done ?? "form"}>
        <CsrfField token={csrf} />
        <FormAlert message={answer?.error} />
        {hasPassword ? <Field label="Current password" name="current" type="password" autoComplete="current-password" required /> : null}
        <Field label="New password (8 to 128 characters)" name="password" type="password" autoComplete="new-password" minLength={8} maxLength={128} required />
        <Field label="New password again" name="confirm" type="password" autoComplete="new-password" minLength={8} maxLength={128} required />
        <button type="submit">{hasPassword ? "Change password" : "Set password"}</button>
      </Form>
    </>
  );
}

export const ErrorBoundary = StatusError;
