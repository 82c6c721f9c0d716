/**
 * The notification center: my alerts, newest first, grouped by day (in my alert time zone), 30 a
 * page. Opening an alert marks it read and goes where it leads; "Mark read" and "Mark all read"
 * are plain forms, so all of it works without JavaScript.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { getPreferences } from "../../db/alerts/preferences";
import { decodeCursor, listAlerts, markAllRead, markRead } from "../../db/alerts/read";
import { rows } from "../../db/db";
import { sql } from "drizzle-orm";
import { requireWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { CsrfField } from "~/components/forms";
import { StatusError } from "~/components/StatusError";
import { groupByDay } from "~/utils/alerts/days";

export const meta: MetaFunction = () => [{ title: "Alerts · Bazaar" }];

const PAGE = 30;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const asked = new URL(request.url).searchParams.get("cursor");
  const cursor = asked ? decodeCursor(asked) : undefined;
  const [page, prefs] = await Promise.all([
    listAlerts(context.db, { playerId: session.player.id, limit: PAGE, cursor }),
    getPreferences(context.db, session.player.id),
  ]);
  return {
    csrf: session.csrfToken ?? "",
    days: groupByDay(page.alerts.map((a) => ({ id: a.id, title: a.title, body: a.body, icon: a.icon, createdAt: a.createdAt, unread: a.readAt === null })), prefs.timeZone, Date.now()),
    nextCursor: page.nextCursor,
    older: Boolean(cursor),
    timeZone: prefs.timeZone,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const me = session.player.id;
  const intent = field(form, "intent");
  if (intent === "read-all") {
    await markAllRead(context.db, me);
    return redirect("/alerts");
  }
  const id = field(form, "id");
  if (!UUID.test(id)) return data({ error: "Choose an alert from the list." }, { status: 400 });
  await markRead(context.db, me, [id]);
  if (intent === "open") {
    // Only my own alert's link, and only a path inside the app.
    const [a] = await rows<{ url: string }>(context.db, sql`select url from alerts where id = ${id}::uuid and player_id = ${me}`);
    if (!a) throw data("No such alert.", { status: 404 });
    return redirect(a.url.startsWith("/") && !a.url.startsWith("//") ? a.url : "/alerts");
  }
  const back = field(form, "back");
  return redirect(back.startsWith("/alerts") ? back : "/alerts");
}

export default function Alerts() {
  const { csrf, days, nextCursor, older, timeZone } = useLoaderData<typeof loader>();
  const any = days.length > 0;
  const unread = days.some((d) => d.alerts.some((a) => a.unread));
  return (
    <>
      <div className="alerts-head">
        <h1>Alerts</h1>
        {unread ? (
          <Form method="post">
            <CsrfField token={csrf} />
            <input type="hidden" name="intent" value="read-all" />
            <button type="submit" className="secondary">
              Mark all read
            </button>
          </Form>
        ) : null}
      </div>
      <p className="muted alerts-intro">
        Fills, offers and price alerts. Times in {timeZone}; choose what alerts you and how in <Link to="/settings#alerts">Settings</Link>.
      </p>
      {!any ? <p className="muted">{older ? "No older alerts." : "No alerts yet. They appear here when your orders fill, offers arrive or your price alerts fire."}</p> : null}
      {days.map((d) => (
        <section key={d.day} aria-labelledby={`day-${d.day}`}>
          <h2 className="alert-day" id={`day-${d.day}`}>
            {d.label}
          </h2>
          <ul className="alert-list">
            {d.alerts.map((a) => (
              <li key={a.id} className={a.unread ? "alert-item unread" : "alert-item"}>
                <Form method="post" className="open">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="intent" value="open" />
                  <input type="hidden" name="id" value={a.id} />
                  <button type="submit">
                    <span className="alert-icon" aria-hidden="true">
                      {a.icon ?? "🔔"}
                    </span>
                    <span className="alert-title">
                      {a.unread ? <span className="visually-hidden">Unread: </span> : null}
                      {a.title}
                    </span>
                    <span className="alert-body">{a.body}</span>
                    <span className="alert-time">{a.time}</span>
                  </button>
                </Form>
                {a.unread ? (
                  <Form method="post" className="mark">
                    <CsrfField token={csrf} />
                    <input type="hidden" name="intent" value="read" />
                    <input type="hidden" name="id" value={a.id} />
                    <button type="submit" className="secondary small" aria-label={`Mark read: ${a.title}`}>
                      Mark read
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
      {nextCursor ? (
        <p className="alerts-more">
          <Link className="button secondary" to={`/alerts?cursor=${nextCursor}`}>
            Older alerts
          </Link>
        </p>
      ) : null}
    </>
  );
}

export const ErrorBoundary = StatusError;
