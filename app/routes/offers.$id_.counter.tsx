import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { counterOffer, getOffer } from "../../db/offers";
import { requireWebSession } from "../../edge/auth/web.server";
import { stepUpUrl } from "../../edge/auth/step-up.server";
import { needsStepUp } from "../../edge/policy/policy";
import { readForm } from "../../edge/forms.server";
import { draftValues, postedValues, readComposeForm } from "../../edge/offers/form.server";
import { myPicks, requireCsrf, theirPicks, toInput } from "../../edge/offers/pages.server";
import { visibleInventory } from "../../edge/offers/players.server";
import { offerPolicy } from "../../edge/offers/policy.server";
import { nudgePushSender } from "../../edge/push/drain.server";
import { ComposeForm, type Values } from "~/components/offers/ComposeForm";
import offersCss from "~/components/offers/offers.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Counter offer · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: offersCss }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const me = session.player.id;
  const offer = await getOffer(context.db, { offerId: params.id ?? "", playerId: me });
  if (!offer) throw data("There is no offer with this id between you and another player.", { status: 404 });
  if (offer.toPlayerId !== me) throw data("Only the player an offer was sent to can counter it.", { status: 403 });
  if (offer.status !== "pending") throw data(`This offer is ${offer.status}: it can no longer be countered.`, { status: 409 });
  const other = await visibleInventory(context.db, offer.fromUsername);
  // Start from the mirror image of the offer: give what they asked for, ask for what they gave.
  const prefill = draftValues({
    give: offer.lines.filter((l) => l.direction === "ask").map(toInput),
    ask: offer.lines.filter((l) => l.direction === "give").map(toInput),
  });
  return {
    csrf: session.csrfToken ?? "",
    offerId: offer.id,
    to: offer.fromUsername,
    mine: await myPicks(context.db, me),
    theirs: other ? theirPicks(other) : { stacks: [], uniques: [] },
    prefill: { ...prefill, message: "" } as Values,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const values = postedValues(form);
  const parsed = readComposeForm(form);
  if (!parsed.ok) return data({ formError: parsed.formError, fieldErrors: parsed.fieldErrors, values }, { status: 400 });
  const steppedUp = !needsStepUp({ ...session.player, steppedUpAt: session.steppedUpAt }, "offer:high-value");
  const r = await counterOffer(context.db, { ...parsed.draft, offerId: params.id ?? "", playerId: session.player.id, steppedUp }, offerPolicy(context.env));
  // Giving away a lot with two-factor sign-in on (ADR 035): the form keeps what was typed; the link confirms it's you.
  if (!r.ok && r.code === "step_up_required") return data({ formError: `${r.message.charAt(0).toUpperCase()}${r.message.slice(1)}.`, fieldErrors: {}, values, stepUp: stepUpUrl("offer:high-value", `/offers/${params.id ?? ""}/counter`) }, { status: 403 });
  if (!r.ok) return data({ formError: `${r.message.charAt(0).toUpperCase()}${r.message.slice(1)}.`, fieldErrors: {}, values }, { status: r.status });
  nudgePushSender(context); // the offer's alerts, out now (ADR 014)
  return redirect(`/offers/${r.offer.id}`);
}

export default function Counter() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to={`/offers/${d.offerId}`}>← Back to the offer</Link>
      </p>
      <h1>Counter offer to {d.to}</h1>
      <p className="muted">Filled in as the mirror of their offer: change what you like. Sending it closes their offer.</p>
      <ComposeForm
        csrf={d.csrf}
        to={d.to}
        mine={d.mine}
        theirs={d.theirs}
        values={(result?.values ?? d.prefill) as Values}
        fieldErrors={result?.fieldErrors}
        formError={result?.formError}
            stepUp={result && "stepUp" in result ? String(result.stepUp) : undefined}
        submitLabel={`Send counter offer to ${d.to}`}
      />
    </>
  );
}

export const ErrorBoundary = StatusError;
