import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { createOffer } from "../../db/offers";
import { requireWebSession } from "../../edge/auth/web.server";
import { stepUpUrl } from "../../edge/auth/step-up.server";
import { needsStepUp } from "../../edge/policy/policy";
import { field, readForm } from "../../edge/forms.server";
import { postedValues, readComposeForm } from "../../edge/offers/form.server";
import { myPicks, requireCsrf, theirPicks } from "../../edge/offers/pages.server";
import { npcTraders, visibleInventory } from "../../edge/offers/players.server";
import { offerPolicy } from "../../edge/offers/policy.server";
import { nudgePushSender } from "../../edge/push/drain.server";
import { Username } from "../../edge/validation";
import { ComposeForm, type Values } from "~/components/offers/ComposeForm";
import offersCss from "~/components/offers/offers.css?url";
import { Field, FormAlert } from "~/components/forms";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "New offer · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: offersCss }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const to = (new URL(request.url).searchParams.get("to") ?? "").trim();
  const mine = await myPicks(context.db, session.player.id);
  const base = { csrf: session.csrfToken ?? "", mine, to, theirs: null, toError: undefined as string | undefined, bot: false, npcs: [] as string[] };
  if (!to) return { ...base, npcs: await npcTraders(context.db) };
  const name = Username.safeParse(to);
  if (!name.success) return data({ ...base, toError: name.error.issues[0]!.message }, { status: 400 });
  const other = await visibleInventory(context.db, name.data);
  if (!other) return data({ ...base, toError: `There is no player called ${to}.` }, { status: 404 });
  if (other.player.id === session.player.id) return data({ ...base, toError: "That is you: send offers to other players." }, { status: 400 });
  return { ...base, to: other.player.username, theirs: theirPicks(other), bot: other.player.bot };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const values = postedValues(form);
  const to = Username.safeParse(field(form, "to"));
  if (!to.success) return data({ formError: `Recipient: ${to.error.issues[0]!.message}.`, fieldErrors: {}, values }, { status: 400 });
  const parsed = readComposeForm(form);
  if (!parsed.ok) return data({ formError: parsed.formError, fieldErrors: parsed.fieldErrors, values }, { status: 400 });
  const steppedUp = !needsStepUp({ ...session.player, steppedUpAt: session.steppedUpAt }, "offer:high-value");
  const r = await createOffer(context.db, { ...parsed.draft, fromPlayerId: session.player.id, to: { username: to.data }, steppedUp }, offerPolicy(context.env));
  // Giving away a lot with two-factor sign-in on (ADR 035): the form keeps what was typed; the link confirms it's you.
  if (!r.ok && r.code === "step_up_required") return data({ formError: `${sentence(r.message)}`, fieldErrors: {}, values, stepUp: stepUpUrl("offer:high-value", `/offers/new?to=${encodeURIComponent(to.data)}`) }, { status: 403 });
  if (!r.ok) return data({ formError: `${sentence(r.message)}`, fieldErrors: {}, values }, { status: r.status });
  nudgePushSender(context); // the offer's alerts, out now (ADR 014)
  return redirect(`/offers/${r.offer.id}`);
}

const sentence = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? "" : "."}`;

export default function NewOffer() {
  const { csrf, mine, to, theirs, toError, bot, npcs } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <h1>New offer</h1>
      {theirs ? (
        <>
          <p>
            To <strong>{to}</strong>
            {bot ? <span className="npc-tag">NPC</span> : null} · <Link to="/offers/new">choose someone else</Link>
          </p>
          {bot ? (
            <p className="muted">
              {to} is an NPC trader: it answers within seconds, accepting when what it gets is worth at least 95% of what it
              gives (items at their market's last price) and declining otherwise.
            </p>
          ) : null}
          <ComposeForm
            csrf={csrf}
            to={to}
            mine={mine}
            theirs={theirs}
            values={(result?.values ?? {}) as Values}
            fieldErrors={result?.fieldErrors}
            formError={result?.formError}
            stepUp={result && "stepUp" in result ? String(result.stepUp) : undefined}
            submitLabel={`Send offer to ${to}`}
          />
        </>
      ) : (
        <Form method="get" className="card">
          <FormAlert message={result?.formError} />
          <Field
            label="Who is the offer for?"
            name="to"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            required
            minLength={3}
            maxLength={24}
            defaultValue={to}
            error={toError}
          />
          <button type="submit">Next: pick the items</button>
          {npcs.length > 0 ? (
            <div className="npc-traders">
              <p className="muted">Nobody to trade with yet? The NPC traders answer offers within seconds:</p>
              <ul>
                {npcs.map((name) => (
                  <li key={name}>
                    <Link to={`/offers/new?to=${encodeURIComponent(name)}`}>
                      {name} <span className="npc-tag">NPC</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </Form>
      )}
    </>
  );
}

export const ErrorBoundary = StatusError;
