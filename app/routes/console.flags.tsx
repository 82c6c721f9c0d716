/**
 * /console/flags (issue 18, ADR 038): the fraud rules' open flags, newest first: rule, score,
 * players, what happened and the events that show it. A moderator claims, dismisses, escalates
 * or answers one with a freeze of its players, with a reason (recorded as an event with them as
 * actor); support and up may propose a rollback of
 * what a flag points at (/console/rollbacks). Plain forms: no script needed.
 */
import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FLAG_VERDICTS, listFlags, type FlagVerdict } from "../../db/fraud/review";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { requireStaff } from "../../edge/operators/console.server";
import { requireStepUpWeb } from "../../edge/auth/step-up.server";
import { decideAs } from "../../edge/operators/review.server";
import { can } from "../../edge/policy/policy";
import { CsrfField, FormAlert } from "~/components/forms";
import consoleCss from "~/components/console/console.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Flags · Console · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleCss }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireStaff(request, context, "audit:read");
  return {
    csrf: session.csrfToken ?? "",
    flags: await listFlags(context.db, { limit: 50 }),
    may: { resolve: can(session.player, "flag:resolve"), freeze: can(session.player, "player:freeze"), rollback: can(session.player, "rollback:preview") },
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const intent = (await request.clone().formData().catch(() => new FormData())).get("intent");
  // Freezing the flag's players is a freeze (player:freeze); the other verdicts are flag:resolve.
  const session = await requireStaff(request, context, intent === "freeze" ? "player:freeze" : "flag:resolve");
  const form = await readForm(request);
  requireCsrf(request, form, session);
  // A fresh code within the last minutes (ADR 035): else to the step-up page, which comes back here.
  requireStepUpWeb(request, session, intent === "freeze" ? "player:freeze" : "flag:resolve", "/console/flags");
  if (!(FLAG_VERDICTS as readonly unknown[]).includes(intent)) return data({ error: "Pick claim, dismiss, escalate or freeze.", notice: undefined, flagId: undefined }, { status: 400 });
  const verdict = intent as FlagVerdict;
  const flagId = field(form, "flagId");
  const done = await decideAs(context, session.player.id, { id: flagId, verdict, reason: field(form, "reason") });
  if (!done.ok) return data({ error: done.message, notice: undefined, flagId }, { status: done.status });
  const notice = { claim: "Flag claimed: it is yours to decide.", dismiss: "Flag dismissed.", escalate: "Flag escalated: an admin will look at a rollback.", freeze: "Players frozen (open orders cancelled); flag resolved." }[verdict];
  return { error: undefined, notice, flagId };
}

const when = (iso: string) => iso.slice(0, 16).replace("T", " ");

export default function ConsoleFlags() {
  const { csrf, flags, may } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="console">
      <p className="console-nav">
        <Link to="/console">← Console</Link>
        <Link to="/console/rollbacks">Rollbacks</Link>
      </p>
      <h1>Flags to review</h1>
      <p className="muted">
        Raised by the fraud rules, newest first. A flag never blocks anyone: dismiss it, escalate it, or propose a rollback of what it points at.
      </p>
      {result?.notice ? <p className="notice" role="status">{result.notice}</p> : null}
      <FormAlert message={result?.error} />
      {flags.length === 0 ? <p className="muted">No open flags.</p> : null}
      <ul className="flag-list">
        {flags.map((f) => (
          <li key={f.id} className="card flag" id={`flag-${f.id}`}>
            <div className="flag-head">
              <strong>{f.rule.replace(/_/g, " ")}</strong>
              <span className="console-tags">
                <span className="tag" title="score from 1 to 100">score {f.score}</span>
                {f.status !== "open" ? <span className={f.status === "escalated" ? "tag danger" : "tag"}>{f.status}</span> : null}
              </span>
            </div>
            <div className="muted">
              <time dateTime={f.createdAt}>{when(f.createdAt)}</time> · {f.subject}
            </div>
            <p className="flag-why">{f.explanation}</p>
            <p className="flag-players">
              {f.players.map((p) => (
                <Link key={p.id} to={`/console/players/${p.id}`} className="tag">{p.username ?? p.id.slice(0, 8)}</Link>
              ))}
            </p>
            {f.evidence.length > 0 ? (
              <p className="flag-evidence">
                Evidence:{" "}
                {f.evidence.map((e) => (
                  <Link key={e.eventId} to={`/console/events/${e.eventId}`}>{e.type} {when(e.at)}</Link>
                ))}
              </p>
            ) : null}
            {f.note ? <p className="muted">Note: {f.note}</p> : null}
            <div className="flag-actions">
              {may.resolve ? (
                <Form method="post" className="flag-decide">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="flagId" value={f.id} />
                  <label htmlFor={`reason-${f.id}`}>Reason</label>
                  <input id={`reason-${f.id}`} type="text" name="reason" required minLength={3} maxLength={500} autoComplete="off" />
                  <div className="console-row">
                    {f.status === "open" ? <button type="submit" name="intent" value="claim" className="secondary">Claim</button> : null}
                    <button type="submit" name="intent" value="dismiss" className="secondary">Dismiss</button>
                    {f.status !== "escalated" ? <button type="submit" name="intent" value="escalate" className="danger-button">Escalate</button> : null}
                  </div>
                  {may.freeze ? <button type="submit" name="intent" value="freeze" className="danger-button">Freeze {f.players.length === 1 ? "the player" : `the ${f.players.length} players`}</button> : null}
                </Form>
              ) : null}
              {may.rollback && f.target ? (
                // An id's tail: event ids are UUIDv7 (ADR 050), whose leading digits are their time.
                <Link to={`/console/rollbacks?flag=${f.id}`} className="button secondary">Plan a rollback of {f.target.kind} {f.target.id.slice(-12)}</Link>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

export const ErrorBoundary = StatusError;
