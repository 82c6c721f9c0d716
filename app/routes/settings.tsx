import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { getWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { readTheme, themeCookie } from "../../edge/web/prefs.server";
import { CsrfField } from "~/components/forms";
import { StatusError } from "~/components/StatusError";
import { THEMES, type Theme } from "~/utils/theme";

export const meta: MetaFunction = () => [{ title: "Settings · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getWebSession(request, context);
  return { theme: readTheme(request), player: session ? { username: session.player.username, csrf: session.csrfToken ?? "" } : null };
}

/** The theme is a preference cookie (no account needed); cross-site posts are refused by the worker. */
export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const theme = field(form, "theme");
  if (!(THEMES as readonly string[]).includes(theme)) return data({ error: "Choose a theme." }, { status: 400 });
  return redirect("/settings", { headers: { "Set-Cookie": themeCookie(request, theme as Theme) } });
}

const WORDS: Record<Theme, string> = { dark: "Dark", light: "Light", system: "Same as my device" };

export default function Settings() {
  const { theme, player } = useLoaderData<typeof loader>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <h1>Settings</h1>
      <section className="card" aria-labelledby="look">
        <h2 id="look">Appearance</h2>
        <Form method="post" className="stack">
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
      <section className="card" aria-labelledby="acct">
        <h2 id="acct">Account</h2>
        {player ? (
          <>
            <p>
              Signed in as <strong>{player.username}</strong>.
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
