/**
 * /step-up?for=<purpose>&redirectTo=<path> (issue 20, ADR 035): a high-value act asked for a fresh
 * code. The page says why ("Confirm it's you to freeze a player"), takes a TOTP or recovery code,
 * records the step-up on this session and goes back to where the act is.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { stepUpWithCode } from "../../edge/auth/step-up.server";
import { requireWebSession, safeRedirect } from "../../edge/auth/web.server";
import type { ActiveSession } from "../../edge/auth/sessions.server";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { isStepUpPurpose, needsStepUp, SECOND_FACTOR_REQUIRED, STEP_UP_MINUTES, stepUpWhy, type StepUpPurpose } from "../../edge/policy/policy";
import { CsrfField, Field, FormAlert } from "~/components/forms";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: `${d?.why ?? "Confirm it's you"} · Bazaar` }];

function purposeOf(request: Request): { purpose: StepUpPurpose; back: string } {
  const url = new URL(request.url);
  const purpose = url.searchParams.get("for");
  if (!isStepUpPurpose(purpose)) throw new Response("This link does not say what to confirm: go back and try the action again.", { status: 400 });
  return { purpose, back: safeRedirect(url.searchParams.get("redirectTo"), "/") };
}

const needs = (session: ActiveSession, purpose: StepUpPurpose) => needsStepUp({ ...session.player, steppedUpAt: session.steppedUpAt }, purpose);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const { purpose, back } = purposeOf(request);
  // Nothing to confirm (stepped up a moment ago, or a player's own act without a factor): straight back.
  if (!needs(session, purpose)) throw redirect(back);
  return { csrf: session.csrfToken ?? "", why: stepUpWhy(purpose), back, hasFactor: session.player.secondFactor, minutes: STEP_UP_MINUTES };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const { back } = purposeOf(request);
  if (!session.player.secondFactor) return data({ formError: SECOND_FACTOR_REQUIRED }, { status: 403 });
  const code = field(form, "code");
  if (!code.trim()) return data({ formError: "Enter the 6-digit code from your authenticator app, or a recovery code." }, { status: 400 });
  const check = await stepUpWithCode(context, session, code);
  if (!check.ok) return data({ formError: check.message }, { status: check.status });
  return redirect(back);
}

export default function StepUp() {
  const { csrf, why, back, hasFactor, minutes } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1>{why}</h1>
      {hasFactor ? (
        <>
          <p>This changes something that matters, so we ask for a fresh code even though you are signed in. Open your authenticator app and enter the code it shows for Bazaar.</p>
          <Form method="post" className="card" noValidate>
            <CsrfField token={csrf} />
            <FormAlert message={result?.formError} />
            <Field label="Code" name="code" autoComplete="one-time-code" inputMode="text" autoCapitalize="none" spellCheck={false} required maxLength={40} autoFocus />
            <p className="muted">No phone at hand? A recovery code works too (each works once). A code counts for {minutes} minutes in this browser.</p>
            <button type="submit" disabled={busy}>
              {busy ? "One moment..." : "Confirm and go back"}
            </button>
          </Form>
        </>
      ) : (
        <p className="card">
          Two-factor sign-in is off for your account: turn it on at <Link to="/security">/security</Link> first.
        </p>
      )}
      <p>
        <Link to={back}>Cancel</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
