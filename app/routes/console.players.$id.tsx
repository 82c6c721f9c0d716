import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { changeRoles } from "../../db/operators/roles";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { operatorCtx, operatorFreeze, operatorUnfreeze, playerAccount, playerInventory, recentPlayerEvents } from "../../edge/operators/actions.server";
import { resetSecondFactor } from "../../db/security/reset";
import { requireStepUpWeb } from "../../edge/auth/step-up.server";
import { requireStaff } from "../../edge/operators/console.server";
import { can, ROLES, type Action, type Role, type StepUpPurpose } from "../../edge/policy/policy";
import { CsrfField, FormAlert } from "~/components/forms";
import { formatGold } from "~/utils/money";
import consoleCss from "~/components/console/console.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: `${d?.account.username ?? "Player"} · Console · Bazaar` }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleCss }];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const session = await requireStaff(request, context, "player:read-any");
  const id = params.id ?? "";
  if (!UUID.test(id)) throw new Response("That is not a player's id.", { status: 404 });
  const account = await playerAccount(context, id);
  if (!account) throw new Response(`There is no player ${id}.`, { status: 404 });
  return {
    csrf: session.csrfToken ?? "",
    account,
    inventory: await playerInventory(context, id),
    events: await recentPlayerEvents(context, id),
    may: { freeze: can(session.player, "player:freeze"), roles: can(session.player, "roles:change"), resetFactor: can(session.player, "second-factor:reset") },
  };
}

function reasonOf(form: FormData): string | undefined {
  const reason = field(form, "reason").trim();
  return reason.length >= 3 && reason.length <= 200 ? reason : undefined;
}

/** Each intent's policy action and step-up (edge/policy): the page's forms. */
const INTENTS: Record<string, { action: Action; stepUp: StepUpPurpose }> = {
  freeze: { action: "player:freeze", stepUp: "player:freeze" },
  unfreeze: { action: "player:freeze", stepUp: "player:unfreeze" },
  roles: { action: "roles:change", stepUp: "roles:change" },
  "reset-2fa": { action: "second-factor:reset", stepUp: "second-factor:reset" },
};

export async function action({ request, context, params }: ActionFunctionArgs) {
  const intent = String((await request.clone().formData().catch(() => new FormData())).get("intent") ?? "");
  const rule = INTENTS[intent] ?? INTENTS.freeze!;
  const session = await requireStaff(request, context, rule.action);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const id = params.id ?? "";
  if (!UUID.test(id)) return data({ error: "That is not a player's id.", notice: undefined }, { status: 404 });
  const reason = reasonOf(form);
  if (!reason) return data({ error: "Say why in a few words (a reason of 3 to 200 characters).", notice: undefined }, { status: 400 });
  // A fresh code within the last minutes (ADR 035): else to the step-up page, which comes back here.
  if (INTENTS[intent]) requireStepUpWeb(request, session, rule.stepUp, `/console/players/${id}`);
  if (intent === "freeze" || intent === "unfreeze") {
    const done = intent === "freeze" ? await operatorFreeze(context, session.player.id, id, reason) : await operatorUnfreeze(context, session.player.id, id, reason);
    if (!done.ok) return data({ error: done.message, notice: undefined }, { status: done.status });
    const cancelled = done.ordersCancelledIn.length ? ` Open orders cancelled in ${done.ordersCancelledIn.join(", ")}.` : "";
    const failed = done.cancelFailedIn.length ? ` These markets did not answer; freeze again to retry: ${done.cancelFailedIn.join(", ")}.` : "";
    return { error: undefined, notice: `${done.changed ? (intent === "freeze" ? "Frozen." : "Unfrozen.") : "Nothing to change."}${cancelled}${failed}` };
  }
  if (intent === "roles") {
    const picked = form.getAll("role").map(String);
    const unknown = picked.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (unknown.length) return data({ error: `Unknown role ${unknown.join(", ")}: roles are ${ROLES.join(", ")}.`, notice: undefined }, { status: 400 });
    const done = await changeRoles(context.db, operatorCtx(session.player.id), { playerId: id, roles: picked as Role[], reason });
    if (!done.ok) return data({ error: done.message, notice: undefined }, { status: done.status });
    return { error: undefined, notice: done.changed ? `Roles are now ${done.roles.join(", ")}.` : "Nothing to change." };
  }
  if (intent === "reset-2fa") {
    const done = await resetSecondFactor(context.db, operatorCtx(session.player.id), { playerId: id, reason });
    if (!done.ok) return data({ error: done.message, notice: undefined }, { status: done.status });
    return { error: undefined, notice: `Two-factor sign-in reset: ${done.recoveryCodesRemoved} recovery codes deleted, ${done.sessionsRevoked} sessions and tokens revoked. The player signs in with the password alone.` };
  }
  return data({ error: "Pick freeze, unfreeze, roles or reset two-factor sign-in.", notice: undefined }, { status: 400 });
}

export default function ConsolePlayer() {
  const { csrf, account, inventory, events, may } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="console">
      <p>
        <Link to="/console">← Console</Link>
      </p>
      <h1>
        {account.username} {account.frozen ? <span className="tag danger">frozen</span> : null}
      </h1>
      <p className="links">
        <Link to={`/console/players/${account.id}/timeline`}>Timeline: balances over time, linked accounts, sessions, every event</Link>
      </p>
      {result?.notice ? <p className="notice" role="status">{result.notice}</p> : null}
      <FormAlert message={result?.error} />
      <div className="console-grid">
        <section className="card">
          <h2>Account</h2>
          <dl>
            <dt>Id</dt>
            <dd><code>{account.id}</code></dd>
            <dt>Status</dt>
            <dd>{account.status}</dd>
            <dt>Roles</dt>
            <dd>{account.roles.join(", ")}</dd>
            {account.frozen ? (
              <>
                <dt>Frozen</dt>
                <dd>{account.frozenAt?.slice(0, 16).replace("T", " ")} by {account.frozenBy}: {account.frozenReason}</dd>
              </>
            ) : null}
            <dt>Two-factor sign-in</dt>
            <dd>{account.secondFactor}</dd>
            <dt>Currency</dt>
            <dd>{formatGold(inventory.balance.available)} available, {formatGold(inventory.balance.reserved)} reserved</dd>
            <dt>Items</dt>
            <dd>{inventory.stacks.length} stacks, {inventory.uniques.length} unique</dd>
          </dl>
        </section>
        {may.freeze ? (
          <Form method="post" className="card" key={account.frozen ? "frozen" : "active"}>
            <h2>{account.frozen ? "Unfreeze" : "Freeze"}</h2>
            <p className="muted">
              {account.frozen ? "Trading and API calls work again." : "Trading and API calls are refused and open orders cancelled; the player keeps everything."}
            </p>
            <CsrfField token={csrf} />
            <input type="hidden" name="intent" value={account.frozen ? "unfreeze" : "freeze"} />
            <label htmlFor="freeze-reason">Reason (recorded with you as the actor)</label>
            <input id="freeze-reason" type="text" name="reason" required minLength={3} maxLength={200} autoComplete="off" />
            <button type="submit" className={account.frozen ? "secondary" : "danger"}>{account.frozen ? "Unfreeze" : "Freeze"}</button>
          </Form>
        ) : null}
        {may.roles ? (
          <Form method="post" className="card" key={account.roles.join(",")}>
            <h2>Roles</h2>
            <CsrfField token={csrf} />
            <input type="hidden" name="intent" value="roles" />
            <input type="hidden" name="role" value="player" />
            <fieldset>
              <legend className="muted">Everyone is a player; staff roles:</legend>
              {ROLES.filter((r) => r !== "player").map((r) => (
                <label key={r}>
                  <input type="checkbox" name="role" value={r} defaultChecked={account.roles.includes(r) || (r === "admin" && account.roles.includes("operator"))} /> {r}
                </label>
              ))}
            </fieldset>
            <label htmlFor="roles-reason">Reason</label>
            <input id="roles-reason" type="text" name="reason" required minLength={3} maxLength={200} autoComplete="off" />
            <button type="submit" className="secondary">Save roles</button>
          </Form>
        ) : null}
        {may.resetFactor && account.secondFactor !== "off" ? (
          <Form method="post" className="card">
            <h2>Reset two-factor sign-in</h2>
            <p className="muted">For a player who lost both the phone and the recovery codes: the factor and codes are deleted and every session and API token is signed out.</p>
            <CsrfField token={csrf} />
            <input type="hidden" name="intent" value="reset-2fa" />
            <label htmlFor="reset-reason">Reason (recorded with you as the actor)</label>
            <input id="reset-reason" type="text" name="reason" required minLength={3} maxLength={200} autoComplete="off" />
            <button type="submit" className="danger">Reset two-factor sign-in</button>
          </Form>
        ) : null}
      </div>
      <section className="card">
        <h2>Recent account events</h2>
        {events.length === 0 ? <p className="muted">None yet.</p> : null}
        <ul className="console-events">
          {events.map((e) => (
            <li key={e.version}>
              <strong>{e.type}</strong> · {e.at.slice(0, 16)} · {e.actor}
              <br />
              <code>{JSON.stringify(e.payload)}</code>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

export const ErrorBoundary = StatusError;
