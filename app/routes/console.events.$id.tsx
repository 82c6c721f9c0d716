/** /console/events/:id (issue 18): one event and its story, for staff. */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { eventStory, type AuditHit } from "../../db/audit-search/search";
import { requireStaff } from "../../edge/operators/console.server";
import consoleCss from "~/components/console/console.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Event · Console · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleCss }];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireStaff(request, context, "audit:read");
  const id = params.id ?? "";
  const story = UUID.test(id) ? await eventStory(context.db, id) : undefined;
  if (!story) throw new Response(`There is no event ${id.slice(0, 40)}.`, { status: 404 });
  return story;
}

function EventCard({ e, current }: { e: AuditHit; current?: boolean }) {
  return (
    <li className={current ? "audit-current" : undefined}>
      <div className="audit-line">
        {current ? <strong>{e.type}</strong> : <Link to={`/console/events/${e.eventId}`}><strong>{e.type}</strong></Link>}
        <time dateTime={e.createdAt}>{e.createdAt.slice(0, 19).replace("T", " ")}</time>
      </div>
      <div className="muted">{e.actor} · {e.stream} v{e.version}</div>
    </li>
  );
}

export default function EventPage() {
  const { event, cause, related } = useLoaderData<typeof loader>();
  return (
    <div className="console">
      <p><Link to="/console/audit">← Audit</Link></p>
      <h1>{event.type}</h1>
      <dl className="card">
        <dt>When</dt><dd>{event.createdAt.replace("T", " ").replace("Z", " UTC")}</dd>
        <dt>Actor</dt><dd>{event.actor}</dd>
        <dt>Stream</dt><dd>{event.stream} (version {event.version})</dd>
        <dt>Event</dt><dd><code>{event.eventId}</code></dd>
        <dt>Correlation</dt><dd><code>{event.correlationId}</code></dd>
      </dl>
      <h2>What it recorded</h2>
      <pre className="card audit-payload">{JSON.stringify(event.payload, null, 2)}</pre>
      {cause ? (
        <>
          <h2>Caused by</h2>
          <ul className="console-events"><EventCard e={cause} /></ul>
        </>
      ) : null}
      <h2>Its story ({related.length} event{related.length === 1 ? "" : "s"} of the same action)</h2>
      <ul className="console-events">
        {related.map((e) => <EventCard key={e.eventId} e={e} current={e.eventId === event.eventId} />)}
      </ul>
    </div>
  );
}

export const ErrorBoundary = StatusError;
