import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { acceptOffer, blockPlayer, cancelOffer, declineOffer, getOffer, listBlocked, unblockPlayer } from "../../db/offers";
import { stepUpUrl } from "../../edge/auth/step-up.server";
import { requireWebSession } from "../../edge/auth/web.server";
import { needsStepUp } from "../../edge/policy/policy";
import { field, readForm } from "../../edge/forms.server";
import { counterOfferId, requireCsrf } from "../../edge/offers/pages.server";
import { offerPolicy } from "../../edge/offers/policy.server";
import { nudgePushSender } from "../../edge/push/drain.server";
import { CsrfField, FormAlert } from "~/components/forms";
import { OfferLines } from "~/components/offers/OfferLines";
import offersCss from "~/components/offers/offers.css?url";
import { sides, STATUS_WORDS } from "~/components/offers/sides";
import { StatusError } from "~/components/StatusError";
import { offerSentMoment } from "~/components/push/moment";
import { useEffect } from "react";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: d ? `Offer ${d.role === "sender" ? "to" : "from"} ${d.other} · Bazaar` : "Offer · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: offersCss }];

const NOT_FOUND = "There is no offer with this id between you and another player.";

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const me = session.player.id;
  const offer = await getOffer(context.db, { offerId: params.id ?? "", playerId: me });
  if (!offer) throw data(NOT_FOUND, { status: 404 });
  const s = sides(offer, me);
  const otherId = s.role === "sender" ? offer.toPlayerId : offer.fromPlayerId;
  const blocked = (await listBlocked(context.db, me)).some((b) => b.id === otherId);
  return {
    csrf: session.csrfToken ?? "",
    offer: { id: offer.id, status: offer.status, message: offer.message, failureReason: offer.failureReason, counterOfId: offer.counterOfId, createdAt: offer.createdAt, expiresAt: offer.expiresAt, resolvedAt: offer.resolvedAt },
    overdue: offer.status === "pending" && Date.parse(offer.expiresAt) <= Date.now(),
    counterId: offer.status === "countered" ? await counterOfferId(context.db, offer.id) : undefined,
    blocked,
    ...s,
  };
}

type Intent = "accept" | "decline" | "cancel" | "block" | "unblock";
const INTENTS: Intent[] = ["accept", "decline", "cancel", "block", "unblock"];

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const me = session.player.id;
  const offerId = params.id ?? "";
  const intent = field(form, "intent") as Intent;
  if (!INTENTS.includes(intent)) return data({ intent, formError: "Choose accept, decline, cancel or block.", confirm: undefined }, { status: 400 });
  const here = `/offers/${offerId}`;
  if (intent === "block" || intent === "unblock") {
    const offer = await getOffer(context.db, { offerId, playerId: me });
    if (!offer) throw data(NOT_FOUND, { status: 404 });
    const other = offer.fromPlayerId === me ? { id: offer.toPlayerId, username: offer.toUsername } : { id: offer.fromPlayerId, username: offer.fromUsername };
    if (intent === "unblock") await unblockPlayer(context.db, { playerId: me, blockedId: other.id });
    else {
      const r = await blockPlayer(context.db, { playerId: me, username: other.username });
      if (!r.ok) return data({ intent, formError: r.message, confirm: undefined }, { status: r.status });
    }
    return redirect(here);
  }
  const r =
    intent === "accept"
      ? await acceptOffer(context.db, { offerId, playerId: me, confirmed: field(form, "confirm") === "yes", steppedUp: !needsStepUp({ ...session.player, steppedUpAt: session.steppedUpAt }, "offer:high-value") }, offerPolicy(context.env))
      : intent === "decline"
        ? await declineOffer(context.db, { offerId, playerId: me })
        : await cancelOffer(context.db, { offerId, playerId: me });
  if (r.ok) {
    nudgePushSender(context); // the offer's alerts, out now (ADR 014)
    return redirect(here);
  }
  // Worth a lot and two-factor sign-in on: a fresh code first (ADR 035), then back here to accept.
  if (r.code === "step_up_required") return redirect(stepUpUrl("offer:high-value", here));
  if (r.status === 428) return data({ intent, formError: undefined, confirm: r.message }, { status: 428 });
  return data({ intent, formError: `${r.message.charAt(0).toUpperCase()}${r.message.slice(1)}.`, confirm: undefined }, { status: r.status });
}

const when = (iso: string) => iso.replace("T", " ").replace(/:\d\dZ$/, " UTC");

function Action({ csrf, intent, label, className, extra }: { csrf: string; intent: Intent; label: string; className?: string; extra?: Record<string, string> }) {
  const busy = useNavigation().state === "submitting";
  return (
    <Form method="post">
      <CsrfField token={csrf} />
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(extra ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className={className} disabled={busy}>
        {label}
      </button>
    </Form>
  );
}

export default function OfferDetail() {
  // Just sent this offer? A moment to offer push alerts (app/components/push/moment.ts).
  useEffect(offerSentMoment, []);
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { offer } = d;
  const open = offer.status === "pending" && !d.overdue;
  return (
    <>
      <p>
        <Link to="/offers">← All offers</Link>
      </p>
      <h1>
        {d.role === "sender" ? `Your offer to ${d.other}` : `Offer from ${d.other}`}
        {offer.counterOfId ? <small className="muted"> (a counter offer)</small> : null}
      </h1>
      <p>
        <span className="offer-status">{d.overdue ? "Expired" : STATUS_WORDS[offer.status]}</span>{" "}
        <small className="muted">
          Sent {when(offer.createdAt)}
          {offer.status === "pending" ? ` · expires ${when(offer.expiresAt)}` : offer.resolvedAt ? ` · closed ${when(offer.resolvedAt)}` : ""}
        </small>
      </p>
      {/* Where the "Turn on alerts" card appears after sending (app/components/push/AlertsPrompt.tsx). */}
      <div data-alerts-slot="" />
      {offer.failureReason ? <p className="form-error">Why: {offer.failureReason}</p> : null}
      {offer.counterOfId ? (
        <p>
          This answers <Link to={`/offers/${offer.counterOfId}`}>an earlier offer</Link>.
        </p>
      ) : null}
      {d.counterId ? (
        <p>
          Answered by <Link to={`/offers/${d.counterId}`}>a counter offer</Link>.
        </p>
      ) : null}
      {offer.message ? (
        <blockquote className="card">
          <p className="muted">{d.role === "sender" ? "Your message" : `${d.other} writes`}:</p>
          <p style={{ whiteSpace: "pre-wrap" }}>{offer.message}</p>
        </blockquote>
      ) : null}

      <div className="offer-sides">
        <section className="card offer-side give" aria-labelledby="you-give">
          <h2 id="you-give">You give</h2>
          <OfferLines lines={d.youGive} empty="Nothing: you give nothing." />
        </section>
        <section className="card offer-side get" aria-labelledby="you-get">
          <h2 id="you-get">You get</h2>
          <OfferLines lines={d.youGet} empty="Nothing: you get nothing." />
        </section>
      </div>

      <FormAlert message={result?.formError} />
      {result?.confirm && open ? (
        <section className="card offer-confirm" role="alert" aria-labelledby="confirm-title">
          <h2 id="confirm-title">Are you sure?</h2>
          <p>{result.confirm.charAt(0).toUpperCase() + result.confirm.slice(1)}.</p>
          <p>Check both sides above once more. Accepting cannot be undone.</p>
          <div className="offer-actions">
            <Action csrf={d.csrf} intent="accept" label="Yes, accept this offer" extra={{ confirm: "yes" }} />
            <Link to={`/offers/${offer.id}`}>Not now</Link>
          </div>
        </section>
      ) : null}
      {open ? (
        <section aria-label="Answer" className="offer-actions card">
          {d.role === "recipient" ? (
            <>
              {result?.confirm ? null : <Action csrf={d.csrf} intent="accept" label="Accept" />}
              <Action csrf={d.csrf} intent="decline" label="Decline" className="secondary" />
              <Link to={`/offers/${offer.id}/counter`}>Counter with another offer</Link>
            </>
          ) : (
            <Action csrf={d.csrf} intent="cancel" label="Withdraw offer" className="secondary" />
          )}
        </section>
      ) : null}
      <section aria-label="Safety" className="offer-actions">
        {d.blocked ? (
          <>
            <span className="muted">You have blocked {d.other}: they cannot send you offers.</span>
            <Action csrf={d.csrf} intent="unblock" label={`Unblock ${d.other}`} className="secondary" />
          </>
        ) : (
          <Action csrf={d.csrf} intent="block" label={`Block ${d.other}`} className="danger" />
        )}
      </section>
    </>
  );
}

export const ErrorBoundary = StatusError;
