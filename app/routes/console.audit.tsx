/**
 * /console/audit (issue 18, ADR 020): staff search the event log. A plain GET form (works without
 * JS), newest first, a next-page link carrying the cursor, and the same search as CSV.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { searchEvents, type AuditPage } from "../../db/audit-search/search";
import { AuditQuery } from "../../edge/api/audit.server";
import { requireStaff } from "../../edge/operators/console.server";
import consoleCss from "~/components/console/console.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Audit · Console · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleCss }];

const FIELDS = ["q", "player", "type", "actor", "market", "from", "to"] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "audit:read");
  const params = new URL(request.url).searchParams;
  const given = Object.fromEntries(FIELDS.map((f) => [f, (params.get(f) ?? "").trim()]).filter(([, v]) => v !== "")) as Partial<Record<(typeof FIELDS)[number], string>>;
  const cursor = params.get("cursor") ?? undefined;
  const parsed = AuditQuery.safeParse({ ...given, ...(cursor ? { cursor } : {}), limit: "50" });
  const problem = !parsed.success
    ? parsed.error.issues.map((i) => i.message).join(" ")
    : parsed.data.from && parsed.data.to && Date.parse(parsed.data.from) >= Date.parse(parsed.data.to)
      ? "from must be before to."
      : undefined;
  const searched = Object.keys(given).length > 0;
  const page: AuditPage | undefined = parsed.success && !problem && searched ? await searchEvents(context.db, { ...parsed.data, ref: parsed.data.player }) : undefined;
  const csv = new URLSearchParams({ ...given, format: "csv" });
  return { given, problem, page, searched, csvHref: `/api/v1/admin/events?${csv}` };
}

const summary = (payload: Record<string, unknown>) => {
  const text = JSON.stringify(payload);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
};

export default function Audit() {
  const { given, problem, page, searched, csvHref } = useLoaderData<typeof loader>();
  const next = page?.nextCursor ? `?${new URLSearchParams({ ...given, cursor: page.nextCursor })}` : undefined;
  return (
    <div className="console">
      <p><Link to="/console">← Console</Link></p>
      <h1>Audit</h1>
      <p className="muted">Every economic action is an event. Search them by words, a player's id (or any id an event names), type, actor, market and time.</p>
      <Form method="get" className="card audit-form" role="search">
        <label htmlFor="q">Words</label>
        <input id="q" name="q" defaultValue={given.q} placeholder='e.g. "iron-ore" 1250 -canceled' maxLength={200} autoCapitalize="none" spellCheck={false} />
        <div className="audit-fields">
          <label>Player or id<input name="player" defaultValue={given.player} placeholder="UUID" maxLength={36} autoCapitalize="none" spellCheck={false} /></label>
          <label>Type<input name="type" defaultValue={given.type} placeholder="minted, order_placed…" maxLength={64} autoCapitalize="none" spellCheck={false} /></label>
          <label>Actor<input name="actor" defaultValue={given.actor} placeholder="server:…, operator:…" maxLength={100} autoCapitalize="none" spellCheck={false} /></label>
          <label>Market<input name="market" defaultValue={given.market} placeholder="iron-ore" maxLength={64} autoCapitalize="none" spellCheck={false} /></label>
          <label>From<input name="from" type="date" defaultValue={given.from} /></label>
          <label>To<input name="to" type="date" defaultValue={given.to} /></label>
        </div>
        <button type="submit">Search</button>
      </Form>
      {problem ? <p className="form-error" role="alert">{problem}</p> : null}
      {page ? (
        <>
          <p className="muted audit-meta">
            {page.events.length === 0 ? "Nothing found." : `${page.events.length}${page.nextCursor ? "+" : ""} event${page.events.length === 1 ? "" : "s"}, newest first.`}
            {page.indexedUntil ? ` Indexed up to ${page.indexedUntil.slice(0, 19).replace("T", " ")} UTC.` : ""}{" "}
            {page.events.length > 0 ? <a href={csvHref}>Download CSV</a> : null}
          </p>
          <ul className="console-events audit-results">
            {page.events.map((e) => (
              <li key={e.eventId}>
                <div className="audit-line">
                  <Link to={`/console/events/${e.eventId}`}><strong>{e.type}</strong></Link>
                  <time dateTime={e.createdAt}>{e.createdAt.slice(0, 19).replace("T", " ")}</time>
                </div>
                <div className="muted">{e.actor} · {e.stream}</div>
                <code>{summary(e.payload)}</code>
              </li>
            ))}
          </ul>
          {next ? <p><Link to={next} className="button">Next page</Link></p> : null}
        </>
      ) : !searched && !problem ? <p className="muted">Give at least one filter to search.</p> : null}
    </div>
  );
}

export const ErrorBoundary = StatusError;
