/**
 * My price alerts on one market: the list (with delete) and the form, which the market page's
 * price alert box also posts to. Plain forms: everything works without JavaScript. A refused alert
 * (off tick, over the limit, market unreachable) comes back here with the reason and the values.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { listPriceAlerts, PRICE_ALERT_LIMIT } from "../../db/alerts/price-alerts";
import { getMarket } from "../../db/market/read";
import { addPriceAlert, removePriceAlert } from "../../edge/alerts/price-alerts.server";
import { ApiError } from "../../edge/api/http.server";
import { requireWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { CsrfField } from "~/components/forms";
import { StatusError } from "~/components/StatusError";
import { checkPriceAlertForm, COOLDOWNS } from "~/utils/alerts/price-form";
import { formatGold } from "~/utils/money";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: d ? `Price alerts: ${d.market.name} · Bazaar` : "Price alerts · Bazaar" }];

async function requireMarket(context: LoaderFunctionArgs["context"], slug: string) {
  const market = await getMarket(context.db, slug);
  if (!market) throw data("No such market.", { status: 404 });
  return market;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const market = await requireMarket(context, params.slug ?? "");
  const alerts = await listPriceAlerts(context.db, { playerId: session.player.id, market: market.slug });
  return { csrf: session.csrfToken ?? "", market: { slug: market.slug, name: market.name, icon: market.icon, tickSize: market.tickSize, last: market.last }, alerts, limit: PRICE_ALERT_LIMIT };
}

type Result = { error: string; fields?: { direction?: string; price?: string; repeat?: string }; values?: Record<string, string> };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const market = await requireMarket(context, params.slug ?? "");
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const here = `/markets/${market.slug}/alerts`;
  if (field(form, "intent") === "delete") {
    const removed = await removePriceAlert(context, session.player.id, field(form, "id")).catch(() => false);
    if (!removed) return data<Result>({ error: "That price alert is not one of yours, or it was already deleted." }, { status: 404 });
    return redirect(here);
  }
  const values = { direction: field(form, "direction"), price: field(form, "price"), repeat: field(form, "repeat") };
  const checked = checkPriceAlertForm(values, market.tickSize);
  if (!checked.ok) {
    return data<Result>({ error: Object.values(checked.errors).join(" "), fields: checked.errors, values }, { status: 400 });
  }
  try {
    await addPriceAlert(context, session.player.id, { market: market.slug, direction: checked.direction, price: checked.price, cooldownSeconds: checked.cooldownSeconds });
  } catch (error) {
    if (error instanceof ApiError) return data<Result>({ error: error.message, values }, { status: error.status });
    throw error;
  }
  return redirect(`${here}?set=1`);
}

const when = (iso: string) => iso.slice(0, 16).replace("T", " ") + " UTC";
const repeatWords = (s: number | null) => COOLDOWNS.find((c) => c.seconds === s)?.label ?? (s === null ? "Once" : `Repeat, at most every ${Math.round(s / 60)} minutes`);

export default function MarketAlerts() {
  const { csrf, market, alerts, limit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const v = result?.values;
  const active = alerts.filter((a) => a.status === "active");
  const price = v?.price ?? (market.last === null ? "" : `${Math.floor(market.last / 100)}.${String(market.last % 100).padStart(2, "0")}`);
  return (
    <>
      <p className="alerts-intro">
        <Link to={`/markets/${market.slug}`}>← {market.name} market</Link>
      </p>
      <h1>
        <span aria-hidden="true">{market.icon}</span> Price alerts: {market.name}
      </h1>
      <section className="card" aria-labelledby="new-h">
        <h2 id="new-h">New price alert</h2>
        <Form method="post" className="price-alert-form">
          <CsrfField token={csrf} />
          <input type="hidden" name="intent" value="create" />
          <label>
            Tell me when {market.name} trades
            <select name="direction" defaultValue={v?.direction ?? "above"} aria-invalid={result?.fields?.direction ? true : undefined}>
              <option value="above">at or above</option>
              <option value="below">at or below</option>
            </select>
          </label>
          <label>
            Price (gold; tick {formatGold(market.tickSize)})
            <input name="price" inputMode="decimal" defaultValue={price} autoComplete="off" required aria-invalid={result?.fields?.price ? true : undefined} />
          </label>
          <label>
            How often
            <select name="repeat" defaultValue={v?.repeat ?? "once"}>
              {COOLDOWNS.map((c) => (
                <option key={c.label} value={String(c.seconds ?? "once")}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Set alert</button>
        </Form>
        {result?.error ? (
          <p className="form-error" role="alert">
            {result.error}
          </p>
        ) : null}
        <p className="muted">
          You have {active.length} active here; at most {limit} over all markets. A one-time alert is done once it fires.
        </p>
      </section>
      <section className="card" aria-labelledby="mine-h">
        <h2 id="mine-h">My alerts on {market.name}</h2>
        {alerts.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <ul className="price-alerts-list">
            {alerts.map((a) => (
              <li key={a.id}>
                <span>
                  <strong>
                    At or {a.direction} {formatGold(a.price)} gold
                  </strong>
                  <br />
                  <span className="muted small-text">
                    {a.status === "triggered" ? `Fired ${when(a.lastFiredAt!)}` : repeatWords(a.cooldownSeconds)}
                    {a.status === "active" && a.lastFiredAt ? ` · last fired ${when(a.lastFiredAt)}` : ""}
                  </span>
                </span>
                <Form method="post">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="intent" value="delete" />
                  <input type="hidden" name="id" value={a.id} />
                  <button type="submit" className="secondary small" aria-label={`Delete the alert at or ${a.direction} ${formatGold(a.price)} gold`}>
                    Delete
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export const ErrorBoundary = StatusError;
