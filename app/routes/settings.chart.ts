/**
 * POST /settings/chart: the chart's indicator toggles and periods (ChartSettings). A signed-in
 * player's are saved in the database (they follow the player to another device); a signed-out
 * visitor's in a cookie. Without JavaScript the form comes back to the page it was sent from;
 * the chart's script posts with Accept: application/json and gets the settings back.
 */
import { data, redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { saveChartPrefs } from "../../db/chart-prefs";
import { checkOrigin, verifySessionCsrf } from "../../edge/auth/csrf.server";
import { getWebSession } from "../../edge/auth/web.server";
import { chartPrefsFor } from "../../edge/web/chart-settings.server";
import { readForm } from "../../edge/forms.server";
import { chartCookie } from "../../edge/web/prefs.server";
import { chartPrefsFromForm } from "~/utils/indicators/prefs";

export async function loader() {
  throw redirect("/markets");
}

/** Only a path on this site: "/markets/iron-ore?interval=1h", never "//elsewhere" or a URL. */
const safeBack = (value: FormDataEntryValue | null) =>
  typeof value === "string" && /^\/(?![/\\])[^\s]{0,300}$/.test(value) ? value : "/markets";

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const json = (request.headers.get("Accept") ?? "").includes("application/json");
  const session = await getWebSession(request, context);
  const refused = session ? verifySessionCsrf(request, form, session) : checkOrigin(request);
  // A resource route: Response.json, because Remix answers a resource route's data() with 200 (the CSRF sweep found it).
  if (refused) return Response.json({ ok: false, error: refused.message }, { status: refused.status });
  const next = chartPrefsFromForm(await chartPrefsFor(request, context, session), form);
  if (typeof next === "string") return json ? Response.json({ ok: false, error: next }, { status: 400 }) : new Response(next, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const headers = new Headers();
  if (session) await saveChartPrefs(context.db, session.player.id, next);
  else headers.set("Set-Cookie", chartCookie(request, next));
  if (json) return Response.json({ ok: true, chart: next }, { headers });
  headers.set("Location", safeBack(form.get("back")));
  return new Response(null, { status: 303, headers });
}
