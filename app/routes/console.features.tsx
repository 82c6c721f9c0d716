/**
 * /console/features (issue 21, ADR 026): the feature flags. Support and up read each rule; an admin
 * turns a flag on or off, sets its rollout percentage and overrides it for a role or a player, with
 * a reason: one `feature_flag_changed` event per change (the audit log), visible to every player
 * within the flags' cache time. The same data functions as PATCH /api/v1/admin/feature-flags/:key.
 * Plain forms: no script needed.
 */
import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { changeFeatureFlag, listFeatureFlags, type FlagChange } from "../../db/feature-flags";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { requireStaff } from "../../edge/operators/console.server";
import { requireStepUpWeb } from "../../edge/auth/step-up.server";
import { can, ROLES } from "../../edge/policy/policy";
import { CsrfField, FormAlert } from "~/components/forms";
import consoleCss from "~/components/console/console.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Feature flags · Console · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleCss }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireStaff(request, context, "audit:read");
  return {
    csrf: session.csrfToken ?? "",
    flags: await listFeatureFlags(context.db),
    mayChange: can(session.player, "feature-flag:change"),
    ttlSeconds: Math.ceil(context.env.FLAG_CACHE_TTL_MS / 1000),
  };
}

/** The form's fields as a change: on/off and the percentage, plus one override (a role or a username). */
function changeFromForm(form: FormData): FlagChange | string {
  const change: FlagChange = { reason: field(form, "reason") };
  const intent = field(form, "intent");
  if (intent === "rule") {
    change.enabled = field(form, "enabled") === "on";
    const pct = field(form, "rolloutPercent");
    if (!/^\d{1,3}$/.test(pct) || Number(pct) > 100) return "The rollout must be a whole number from 0 to 100.";
    change.rolloutPercent = Number(pct);
  } else if (intent === "override") {
    const value = field(form, "value");
    const on = value === "on" ? true : value === "off" ? false : value === "remove" ? null : undefined;
    if (on === undefined) return "Pick on, off or remove for the override.";
    const role = field(form, "role");
    const username = field(form, "username").trim();
    if ((role === "") === (username === "")) return "Name either a role or a player's username for the override.";
    if (role !== "") change.roles = { [role]: on };
    else change.players = { [username]: on };
  } else return "Pick what to change.";
  return change;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireStaff(request, context, "feature-flag:change");
  const form = await readForm(request);
  requireCsrf(request, form, session);
  requireStepUpWeb(request, session, "feature-flag:change", "/console/features");
  const key = field(form, "key");
  const change = changeFromForm(form);
  if (typeof change === "string") return data({ error: change, notice: undefined, key }, { status: 400 });
  const done = await changeFeatureFlag(context.db, `operator:${session.player.id}`, key, change, ROLES);
  if (!done.ok) return data({ error: done.message, notice: undefined, key }, { status: done.status });
  const ttl = Math.ceil(context.env.FLAG_CACHE_TTL_MS / 1000);
  const notice = done.changed ? `${key} changed: every player sees it within ${ttl} s.` : `${key} was already so: nothing recorded.`;
  return { error: undefined, notice, key };
}

const when = (iso: string) => iso.slice(0, 16).replace("T", " ");

export default function ConsoleFeatures() {
  const { csrf, flags, mayChange, ttlSeconds } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="console">
      <p className="console-nav">
        <Link to="/console">← Console</Link>
        <Link to="/console/audit?type=feature_flag_changed">Changes</Link>
      </p>
      <h1>Feature flags</h1>
      <p className="muted">
        A flag gates a feature for some players: on for a share of them (the same players every time, by a hash of the flag and the player), or for a role or a
        player by an override, which wins. Changes reach every player within {ttlSeconds} s and are recorded with their reason.
      </p>
      {result?.notice ? <p className="notice" role="status">{result.notice}</p> : null}
      <FormAlert message={result?.error} />
      {flags.length === 0 ? <p className="muted">No feature flags.</p> : null}
      <ul className="flag-list">
        {flags.map((f) => (
          <li key={f.key} className="card flag" id={`feature-${f.key}`}>
            <div className="flag-head">
              <strong>{f.key}</strong>
              <span className="console-tags">
                <span className={f.enabled ? "tag" : "tag danger"}>{f.enabled ? `on for ${f.rolloutPercent}%` : "off"}</span>
              </span>
            </div>
            <p className="flag-why">{f.description}</p>
            <p className="muted">
              Overrides:{" "}
              {Object.keys(f.roles).length + Object.keys(f.players).length === 0 ? "none" : null}
              {Object.entries(f.roles).map(([role, on]) => (
                <span key={role} className="tag">{role}: {on ? "on" : "off"}</span>
              ))}
              {Object.entries(f.players).map(([id, on]) => (
                <Link key={id} to={`/console/players/${id}`} className="tag">{f.playerNames[id]}: {on ? "on" : "off"}</Link>
              ))}
            </p>
            <p className="muted">
              Changed {when(f.updatedAt)} by {f.updatedByName ?? f.updatedBy ?? "-"}
            </p>
            {mayChange ? (
              <div className="flag-actions">
                <Form method="post" className="flag-decide">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="key" value={f.key} />
                  <input type="hidden" name="intent" value="rule" />
                  <label className="choice">
                    <input type="checkbox" name="enabled" defaultChecked={f.enabled} /> On
                  </label>
                  <label htmlFor={`pct-${f.key}`}>Rollout (% of players)</label>
                  <input id={`pct-${f.key}`} type="number" name="rolloutPercent" min={0} max={100} step={1} defaultValue={f.rolloutPercent} required inputMode="numeric" />
                  <label htmlFor={`reason-${f.key}`}>Reason</label>
                  <input id={`reason-${f.key}`} type="text" name="reason" required minLength={3} maxLength={500} autoComplete="off" />
                  <button type="submit" className="secondary">Save the rollout</button>
                </Form>
                <Form method="post" className="flag-decide">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="key" value={f.key} />
                  <input type="hidden" name="intent" value="override" />
                  <label htmlFor={`role-${f.key}`}>Role</label>
                  <select id={`role-${f.key}`} name="role" defaultValue="">
                    <option value="">(a player instead)</option>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>{r}</option>
                    ))}
                  </select>
                  <label htmlFor={`user-${f.key}`}>or player (username)</label>
                  <input id={`user-${f.key}`} type="text" name="username" maxLength={32} autoComplete="off" />
                  <label htmlFor={`value-${f.key}`}>Override</label>
                  <select id={`value-${f.key}`} name="value" defaultValue="on">
                    <option value="on">on</option>
                    <option value="off">off</option>
                    <option value="remove">remove the override</option>
                  </select>
                  <label htmlFor={`oreason-${f.key}`}>Reason</label>
                  <input id={`oreason-${f.key}`} type="text" name="reason" required minLength={3} maxLength={500} autoComplete="off" />
                  <button type="submit" className="secondary">Save the override</button>
                </Form>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

export const ErrorBoundary = StatusError;
