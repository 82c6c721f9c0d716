/**
 * /console/players/:id/timeline (issue 18): everything that touched a player, for support and up:
 * balances day by day, linked accounts (a shared browser, frequent counterparties), sessions and
 * tokens, and every event that names them (the audit search, paged). Read only.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { searchEvents } from "../../db/audit-search/search";
import { balanceHistory, linkedAccounts, sessionHistory, type BalanceSeries } from "../../db/operators/timeline";
import { playerAccount } from "../../edge/operators/actions.server";
import { requireStaff } from "../../edge/operators/console.server";
import consoleCss from "~/components/console/console.css?url";
import { Sparkline } from "~/components/console/Sparkline";
import { StatusError } from "~/components/StatusError";
import { formatCount, formatGold } from "~/utils/money";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: `${d?.account.username ?? "Player"}: timeline · Console · Bazaar` }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleCss }];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR = /^[A-Za-z0-9.:_-]{1,120}$/;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireStaff(request, context, "player:read-any");
  const id = params.id ?? "";
  if (!UUID.test(id)) throw new Response("That is not a player's id.", { status: 404 });
  const account = await playerAccount(context, id);
  if (!account) throw new Response(`There is no player ${id}.`, { status: 404 });
  const cursor = new URL(request.url).searchParams.get("cursor") ?? undefined;
  if (cursor !== undefined && !CURSOR.test(cursor)) throw new Response("That page cursor is not one this page gave out.", { status: 400 });
  const [balances, linked, sessions, events] = await Promise.all([
    balanceHistory(context.db, id),
    linkedAccounts(context.db, id),
    sessionHistory(context.db, id),
    searchEvents(context.db, { ref: id, cursor, limit: 50 }),
  ]);
  return { account, balances, linked, sessions, events };
}

const amount = (s: BalanceSeries, v: number) => (s.asset === 0 ? formatGold(v) : formatCount(v));
const when = (t: string | null) => (t ? t.slice(0, 16).replace("T", " ") : "-");

export default function PlayerTimeline() {
  const { account, balances, linked, sessions, events } = useLoaderData<typeof loader>();
  return (
    <div className="console">
      <p className="links">
        <Link to={`/console/players/${account.id}`}>← {account.username}</Link>
        <Link to={`/console/audit?player=${account.id}`}>Search their events</Link>
      </p>
      <h1>{account.username}: timeline</h1>

      <section className="card">
        <h2>Balances over time</h2>
        <p className="muted">End of each day (UTC) the balance changed, available plus reserved, from the event log{balances.through ? `, through ${when(balances.through)}` : ""}.</p>
        {balances.series.length === 0 ? <p className="muted">Nothing held yet.</p> : null}
        <div className="timeline-series">
          {balances.series.map((s) => {
            const last = s.points.at(-1)!;
            return (
              <div key={s.asset}>
                <h3>
                  {s.name}: {amount(s, last.balance)}
                </h3>
                {s.points.length > 1 ? <Sparkline values={s.points.map((p) => p.balance)} label={`${s.name} from ${s.points[0]!.day} to ${last.day}`} /> : null}
                <details>
                  <summary>{s.points.length === 1 ? `Since ${last.day}` : `${s.points.length} days, ${s.points[0]!.day} to ${last.day}`}</summary>
                  <table>
                    <tbody>
                      {s.points.slice(-30).reverse().map((p) => (
                        <tr key={p.day}>
                          <td>{p.day}</td>
                          <td className="num">{amount(s, p.balance)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </details>
              </div>
            );
          })}
        </div>
      </section>

      <section className="card">
        <h2>Linked accounts</h2>
        <p className="muted">Players who signed in from the same browser, and the players they trade with most.</p>
        {linked.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th>Player</th>
                  <th className="num">Shared browsers</th>
                  <th className="num">Trades</th>
                  <th className="num">Value</th>
                  <th>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {linked.map((l) => (
                  <tr key={l.playerId}>
                    <td>
                      <Link to={`/console/players/${l.playerId}/timeline`}>{l.username}</Link>
                      {l.sharedDevices > 0 ? <span className="tag danger"> same browser</span> : null}
                    </td>
                    <td className="num">{l.sharedDevices}</td>
                    <td className="num">{formatCount(l.trades)}</td>
                    <td className="num">{formatGold(l.tradedValue)}</td>
                    <td>{when(l.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card">
        <h2>Sessions and API tokens</h2>
        {sessions.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th>Kind</th>
                  <th>Device</th>
                  <th>Opened</th>
                  <th>Last used</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((s, i) => (
                  <tr key={i}>
                    <td>{s.kind === "api" ? `API token${s.label ? ` "${s.label}"` : ""}` : "Web"}</td>
                    <td>{[s.device, s.place].filter(Boolean).join(", ") || "-"}</td>
                    <td>{when(s.createdAt)}</td>
                    <td>{when(s.lastUsedAt)}</td>
                    <td>{s.revokedAt ? `revoked ${when(s.revokedAt)}` : Date.parse(s.expiresAt) < Date.now() ? "expired" : "live"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card">
        <h2>Every event that names them</h2>
        {events.events.length === 0 ? <p className="muted">None{events.indexedUntil ? ` through ${when(events.indexedUntil)}` : ""}.</p> : null}
        <ul className="console-events">
          {events.events.map((e) => (
            <li key={e.eventId}>
              <Link to={`/console/events/${e.eventId}`}>
                <strong>{e.type}</strong>
              </Link>{" "}
              · {when(e.createdAt)} · {e.actor}
            </li>
          ))}
        </ul>
        {events.nextCursor ? (
          <p className="links">
            <Link to={`?cursor=${encodeURIComponent(events.nextCursor)}`}>Older events</Link>
          </p>
        ) : null}
      </section>
    </div>
  );
}

export const ErrorBoundary = StatusError;
