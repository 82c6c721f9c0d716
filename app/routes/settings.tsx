import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { clockToMinutes, getPreferences, minutesToClock, savePreferences, withDefaults, ALERT_MODES } from "../../db/alerts/preferences";
import { setShownOnLeaderboards, showsOnLeaderboards } from "../../db/leaderboards/privacy";
import { getWebSession, requireWebSession } from "../../edge/auth/web.server";
import { checkOrigin, verifySessionCsrf } from "../../edge/auth/csrf.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { ALERT_KINDS, KIND_LABELS } from "~/utils/alerts/text";
import { field, readForm } from "../../edge/forms.server";
import { readTheme, themeCookie } from "../../edge/web/prefs.server";
import { CsrfField } from "~/components/forms";
import { StatusError } from "~/components/StatusError";
import { AlertsSettings } from "~/components/push/AlertsSettings";
import { THEMES, type Theme } from "~/utils/theme";

export const meta: MetaFunction = () => [{ title: "Settings · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getWebSession(request, context);
  const [prefs, shown] = session ? await Promise.all([getPreferences(context.db, session.player.id), showsOnLeaderboards(context.db, session.player.id)]) : [null, true];
  return {
    saved: new URL(request.url).searchParams.get("saved"),
    privacy: session ? { shown } : null,
    theme: readTheme(request),
    player: session ? { username: session.player.username, csrf: session.csrfToken ?? "" } : null,
    alerts: prefs
      ? {
          kinds: prefs.kinds,
          quiet: prefs.quietHours ? { start: minutesToClock(prefs.quietHours.start), end: minutesToClock(prefs.quietHours.end) } : null,
          timeZone: prefs.timeZone,
          zones: timeZones(prefs.timeZone),
        }
      : null,
  };
}

/** The time zones to choose from (the runtime's IANA list), with UTC and the current one. */
function timeZones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set(["UTC", current, ...all])].sort((a, b) => (a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b)));
}

/** The alert settings form (signed in): per kind push / in-app only / off, quiet hours, time zone. */
async function saveAlertSettings(request: Request, context: ActionFunctionArgs["context"], form: FormData) {
  const session = await requireWebSession(request, context);
  requireCsrf(request, form, session);
  const kinds = withDefaults(Object.fromEntries(ALERT_KINDS.map((k) => [k, field(form, `kind-${k}`)])));
  const quietOn = field(form, "quiet") === "on";
  const start = clockToMinutes(field(form, "quietStart"));
  const end = clockToMinutes(field(form, "quietEnd"));
  if (quietOn && (start === undefined || end === undefined)) return data({ alertsError: "Give quiet hours a start and an end, like 22:00 and 07:00." }, { status: 400 });
  const saved = await savePreferences(context.db, session.player.id, {
    kinds,
    quietHours: quietOn ? { start: start!, end: end! } : null,
    timeZone: field(form, "timeZone") || "UTC",
  });
  if (!saved.ok) return data({ alertsError: saved.message }, { status: saved.status });
  return redirect("/settings?saved=alerts#alerts");
}

/** "Show me on the leaderboards" (signed in): an unchecked box hides the player from every board others see. */
async function savePrivacy(request: Request, context: ActionFunctionArgs["context"], form: FormData) {
  const session = await requireWebSession(request, context);
  requireCsrf(request, form, session);
  await setShownOnLeaderboards(context.db, session.player.id, field(form, "showOnLeaderboards") === "on");
  return redirect("/settings?saved=privacy#privacy");
}

/** The theme is a preference cookie (no account needed); cross-site posts are refused by the worker. */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  if (field(form, "intent") === "alerts") return saveAlertSettings(request, context, form);
  if (field(form, "intent") === "privacy") return savePrivacy(request, context, form);
  // The theme is a cookie anyone may set; a signed-in player's form carries the session's token (the CSRF sweep).
  const session = await getWebSession(request, context);
  const refused = session ? verifySessionCsrf(request, form, session) : checkOrigin(request);
  if (refused) return data({ error: refused.message }, { status: refused.status });
  const theme = field(form, "theme");
  if (!(THEMES as readonly string[]).includes(theme)) return data({ error: "Choose a theme." }, { status: 400 });
  return redirect("/settings", { headers: { "Set-Cookie": themeCookie(request, theme as Theme) } });
}

const MODE_WORDS = { push: "Push and in-app", inapp: "In-app only", off: "Off" } as const;

const WORDS: Record<Theme, string> = { dark: "Dark", light: "Light", system: "Same as my device" };

export default function Settings() {
  const { theme, player, alerts, privacy, saved } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as { alertsError?: string; error?: string } | undefined;
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <h1>Settings</h1>
      <section className="card" aria-labelledby="look">
        <h2 id="look">Appearance</h2>
        <Form method="post" className="stack">
          {player ? <CsrfField token={player.csrf} /> : null}
          <fieldset className="choices">
            <legend>Theme</legend>
            {THEMES.map((t) => (
              <label key={t} className="choice">
                <input type="radio" name="theme" value={t} defaultChecked={t === theme} />
                {WORDS[t]}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={busy}>
            Save
          </button>
        </Form>
        <p className="muted">Animations follow your device's "reduce motion" setting.</p>
      </section>
      {player && alerts ? (
        <section className="card" aria-labelledby="alerts" id="alerts-section">
          <h2 id="alerts">Alerts</h2>
          <Form method="post" className="stack" action="/settings">
            <CsrfField token={player.csrf} />
            <input type="hidden" name="intent" value="alerts" />
            <div className="alert-prefs">
              {ALERT_KINDS.map((k) => (
                <div className="pref" key={k}>
                  <label htmlFor={`kind-${k}`}>{KIND_LABELS[k]}</label>
                  <select id={`kind-${k}`} name={`kind-${k}`} defaultValue={alerts.kinds[k]}>
                    {ALERT_MODES.map((m) => (
                      <option key={m} value={m}>
                        {MODE_WORDS[m]}
                      </option>
                    ))}
                  </select>
                </div>
              ))}
            </div>
            <fieldset className="choices">
              <legend>Quiet hours</legend>
              <label className="choice">
                <input type="checkbox" name="quiet" defaultChecked={alerts.quiet !== null} />
                Hold pushes during quiet hours (they still reach the bell)
              </label>
              <div className="quiet-hours">
                <label>
                  From
                  <input type="time" name="quietStart" defaultValue={alerts.quiet?.start ?? "22:00"} />
                </label>
                <label>
                  Until
                  <input type="time" name="quietEnd" defaultValue={alerts.quiet?.end ?? "07:00"} />
                </label>
                <label>
                  Time zone
                  <select name="timeZone" defaultValue={alerts.timeZone}>
                    {alerts.zones.map((z) => (
                      <option key={z}>{z}</option>
                    ))}
                  </select>
                </label>
              </div>
            </fieldset>
            {result?.alertsError ? (
              <p className="form-error" role="alert">
                {result.alertsError}
              </p>
            ) : null}
            <button type="submit" disabled={busy}>
              Save alert settings
            </button>
          </Form>
          <p className="muted alerts-intro">
            Push alerts reach this device once you allow notifications. Everything also appears under the bell, in <Link to="/alerts">Alerts</Link>.
          </p>
        </section>
      ) : null}
      {player && privacy ? (
        <section className="card" aria-labelledby="privacy" id="privacy-section">
          <h2 id="privacy">Privacy</h2>
          <Form method="post" className="stack" action="/settings">
            <CsrfField token={player.csrf} />
            <input type="hidden" name="intent" value="privacy" />
            <label className="choice">
              <input type="checkbox" name="showOnLeaderboards" defaultChecked={privacy.shown} />
              Show me on the leaderboards
            </label>
            <p className="muted small-text">
              {privacy.shown
                ? "Other players see your name, rank and scores on the leaderboards."
                : "You are hidden: other players do not see you on the leaderboards, and their ranks skip you. You still see your own place."}
            </p>
            <Link to="/leaderboards" className="link-target">
              See the leaderboards
            </Link>
            {saved === "privacy" ? (
              <p className="muted" role="status">
                Saved.
              </p>
            ) : null}
            <button type="submit" disabled={busy}>
              Save privacy setting
            </button>
          </Form>
        </section>
      ) : null}
      <section className="card" aria-labelledby="acct">
        <h2 id="acct">Account</h2>
        {player ? (
          <>
            <p>
              Signed in as <strong>{player.username}</strong>.
            </p>
            <p className="account-links">
              <Link to="/sessions">Sessions and API tokens</Link>: where you are signed in; end any you do not recognise.
            </p>
            <p className="account-links">
              <Link to="/security">Two-factor sign-in and passkeys</Link>: a code from your phone as well as your password, or your device's screen lock instead of it.
            </p>
            <Form method="post" action="/signout">
              <CsrfField token={player.csrf} />
              <button type="submit" className="danger-button">
                Sign out
              </button>
            </Form>
          </>
        ) : (
          <p>
            <Link to="/signin">Sign in</Link> or <Link to="/signup">create an account</Link>.
          </p>
        )}
      </section>
      {player ? (
        <section className="card" aria-labelledby="push">
          <h2 id="push">Push alerts on your devices</h2>
          <p className="muted">Push alerts tell you when your orders fill and offers arrive, even with Bazaar closed. They are set per device.</p>
          <AlertsSettings csrf={player.csrf} />
        </section>
      ) : null}
      <section className="card" aria-labelledby="app">
        <h2 id="app">App</h2>
        <p className="muted">
          Add Bazaar to your home screen from your browser's menu to use it like an app. Your inventory, the catalog and the last prices you saw stay
          readable offline; trading always needs a connection.
        </p>
      </section>
    </>
  );
}

export const ErrorBoundary = StatusError;
