/**
 * /console/rollbacks (issue 18, ADR 024, 038): plan a rollback of a fill, an offer or a mint
 * (named, or from a flag or an event), see its plan (what the compensating event moves back, who
 * goes into debt) BEFORE anything moves, then apply it (admins, rollback:apply). Above the value
 * threshold it waits for a second admin's approval (rollback:approve). Proposed, pending and
 * applied rollbacks are listed. Plain forms: no script needed.
 */
import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { listRollbacks, RollbackError, type Rollback, type RollbackPlan } from "../../db/rollbacks";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { requireStaff } from "../../edge/operators/console.server";
import { requireStepUpWeb } from "../../edge/auth/step-up.server";
import { applyAs, approveAs, previewRollback, proposeFor, type TargetAsk } from "../../edge/operators/review.server";
import { can } from "../../edge/policy/policy";
import { CsrfField, FormAlert } from "~/components/forms";
import { formatGold } from "~/utils/money";
import consoleCss from "~/components/console/console.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Rollbacks · Console · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleCss }];

function askOf(get: (name: string) => string): TargetAsk {
  const pick = (name: string) => get(name).trim().slice(0, 80) || undefined;
  return { flagId: pick("flag"), eventId: pick("event"), kind: pick("kind"), targetId: pick("target") };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireStaff(request, context, "rollback:preview");
  const url = new URL(request.url);
  const ask = askOf((n) => url.searchParams.get(n) ?? "");
  let preview: Awaited<ReturnType<typeof previewRollback>> | undefined;
  let problem: string | undefined;
  if (ask.flagId || ask.eventId || ask.kind || ask.targetId) {
    try {
      preview = await previewRollback(context, ask);
    } catch (error) {
      if (!(error instanceof RollbackError)) throw error;
      problem = error.message;
    }
  }
  const all = await listRollbacks(context.db, 50);
  return {
    csrf: session.csrfToken ?? "",
    me: `operator:${session.player.id}`,
    ask,
    preview,
    problem,
    threshold: context.env.ROLLBACK_APPROVE_ABOVE,
    waiting: all.filter((r) => r.state === "pending" || r.state === "proposed"),
    applied: all.filter((r) => r.state === "applied"),
    may: { apply: can(session.player, "rollback:apply"), approve: can(session.player, "rollback:approve") },
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const intent = (await request.clone().formData().catch(() => new FormData())).get("intent");
  const session = await requireStaff(request, context, intent === "approve" ? "rollback:approve" : "rollback:apply");
  const form = await readForm(request);
  requireCsrf(request, form, session);
  // A fresh code within the last minutes (ADR 035): else to the step-up page, which comes back here.
  if (intent === "apply-new" || intent === "apply" || intent === "approve") requireStepUpWeb(request, session, intent === "approve" ? "rollback:approve" : "rollback:apply", "/console/rollbacks");
  try {
    let rollback: Rollback;
    if (intent === "apply-new") {
      const ask = askOf((n) => field(form, n));
      const proposed = await proposeFor(context, session.player.id, { ...ask, reason: field(form, "reason") });
      rollback = await applyAs(context, session.player.id, proposed.rollback.id);
    } else if (intent === "apply") {
      rollback = await applyAs(context, session.player.id, field(form, "rollbackId"));
    } else if (intent === "approve") {
      rollback = await approveAs(context, session.player.id, field(form, "rollbackId"));
    } else {
      return data({ error: "Pick apply or approve.", notice: undefined }, { status: 400 });
    }
    const notice = rollback.state === "applied"
      ? `Rollback of ${rollback.kind} ${rollback.targetId} applied${rollback.plan.debts.length ? `: ${rollback.plan.debts.length} debt(s) recorded` : ""}.`
      : `Rollback of ${rollback.kind} ${rollback.targetId} is worth ${formatGold(rollback.value)} gold: it waits for a second admin's approval.`;
    return { error: undefined, notice };
  } catch (error) {
    if (error instanceof RollbackError) return data({ error: error.message, notice: undefined }, { status: error.status });
    throw error;
  }
}

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "");
const assetWords = (asset: number, amount: number, item?: string) => (item ? `item ${item.slice(0, 8)}` : asset === 0 ? `${formatGold(amount)} gold` : `${amount} of item type ${asset}`);
const who = (id: string | null) => (id ? <Link to={`/console/players/${id}`}>{id.slice(0, 8)}</Link> : <span>burned</span>);

function Plan({ plan }: { plan: RollbackPlan }) {
  return (
    <>
      <h3>The compensating event moves back</h3>
      {plan.takes.length === 0 ? <p className="muted">Nothing: every holder has spent it.</p> : (
        <table className="plan-table">
          <thead><tr><th>From</th><th>To</th><th>What</th></tr></thead>
          <tbody>
            {plan.takes.map((t, i) => (
              <tr key={i}><td>{who(t.from)}</td><td>{who(t.to)}</td><td>{assetWords(t.asset, t.amount, t.item)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Who goes into debt</h3>
      {plan.debts.length === 0 ? <p className="muted">Nobody: everything is still there.</p> : (
        <table className="plan-table">
          <thead><tr><th>Debtor</th><th>Owes</th><th>To</th></tr></thead>
          <tbody>
            {plan.debts.map((d, i) => (
              <tr key={i}><td>{who(d.player)}</td><td>{assetWords(d.asset, d.amount)}</td><td>{who(d.creditor)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <ul className="plan-notes">{plan.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>
    </>
  );
}

export default function ConsoleRollbacks() {
  const { csrf, me, ask, preview, problem, threshold, waiting, applied, may } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="console">
      <p className="console-nav">
        <Link to="/console">← Console</Link>
        <Link to="/console/flags">Flags</Link>
      </p>
      <h1>Rollbacks</h1>
      <p className="muted">
        A rollback adds one compensating event: it takes back what the receiver still holds and records the rest as a debt, paid first out of what they receive later.
        Above {formatGold(threshold)} gold a second admin must approve.
      </p>
      {result?.notice ? <p className="notice" role="status">{result.notice}</p> : null}
      <FormAlert message={result?.error ?? problem} />
      <Form method="get" className="card rollback-target">
        <label>
          Kind
          <select name="kind" defaultValue={ask.kind ?? preview?.target.kind ?? "fill"}>
            <option value="fill">fill</option>
            <option value="offer">offer</option>
            <option value="mint">mint</option>
          </select>
        </label>
        <label>
          Target id
          <input type="text" name="target" defaultValue={ask.targetId ?? ""} placeholder="fill number, offer id or mint event id" autoComplete="off" />
        </label>
        <button type="submit">Plan</button>
      </Form>
      {preview ? (
        <section className="card" aria-labelledby="plan-title">
          <h2 id="plan-title">Plan: roll back {preview.target.kind} {preview.target.id}</h2>
          <p>
            Value {formatGold(preview.plan.value)} gold{preview.needsApproval ? <> · <span className="tag danger">needs a second admin</span></> : null}. Nothing has moved yet.
          </p>
          <Plan plan={preview.plan} />
          {may.apply ? (
            <Form method="post" className="flag-decide">
              <CsrfField token={csrf} />
              <input type="hidden" name="intent" value="apply-new" />
              {ask.flagId ? <input type="hidden" name="flag" value={ask.flagId} /> : null}
              {ask.eventId ? <input type="hidden" name="event" value={ask.eventId} /> : null}
              <input type="hidden" name="kind" value={preview.target.kind} />
              <input type="hidden" name="target" value={preview.target.id} />
              <label htmlFor="rollback-reason">Reason (recorded with you as the actor)</label>
              <input id="rollback-reason" type="text" name="reason" required minLength={3} maxLength={500} autoComplete="off" />
              <button type="submit" className="danger-button">{preview.needsApproval ? "Ask for approval" : "Apply rollback"}</button>
            </Form>
          ) : <p className="muted">Only an admin may apply it.</p>}
        </section>
      ) : null}
      <section className="card">
        <h2>Waiting</h2>
        {waiting.length === 0 ? <p className="muted">No rollback waits.</p> : null}
        <ul className="console-events rollback-wait">
          {waiting.map((r) => (
            <li key={r.id}>
              <strong>{r.kind} {r.targetId}</strong> · {r.state === "pending" ? "awaiting a second admin" : "proposed"} · {formatGold(r.value)} gold · {when(r.createdAt)} · {r.requestedBy}
              <br />
              {r.reason}
              {r.state === "proposed" && may.apply ? (
                <Form method="post"><CsrfField token={csrf} /><input type="hidden" name="rollbackId" value={r.id} /><button type="submit" name="intent" value="apply" className="danger-button">Apply</button></Form>
              ) : null}
              {r.state === "pending" && may.approve && r.requestedBy !== me ? (
                <Form method="post"><CsrfField token={csrf} /><input type="hidden" name="rollbackId" value={r.id} /><button type="submit" name="intent" value="approve" className="danger-button">Approve and apply</button></Form>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
      <section className="card">
        <h2>Applied</h2>
        {applied.length === 0 ? <p className="muted">None yet.</p> : null}
        <ul className="console-events">
          {applied.map((r) => (
            <li key={r.id}>
              <strong>{r.kind} {r.targetId}</strong> · {formatGold(r.value)} gold · applied {when(r.appliedAt)} by {r.approvedBy ?? r.requestedBy}
              {r.plan.debts.length ? ` · ${r.plan.debts.length} debt(s)` : ""}
              <br />
              {r.reason}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

export const ErrorBoundary = StatusError;
