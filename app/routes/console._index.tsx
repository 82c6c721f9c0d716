import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { findPlayers } from "../../edge/operators/actions.server";
import { requireStaff } from "../../edge/operators/console.server";
import { can } from "../../edge/policy/policy";
import consoleCss from "~/components/console/console.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Console · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleCss }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireStaff(request, context, "console:open");
  const q = (new URL(request.url).searchParams.get("q") ?? "").trim().slice(0, 24);
  return {
    q,
    players: q ? await findPlayers(context, q) : [],
    may: { freeze: can(session.player, "player:freeze"), roles: can(session.player, "roles:change") },
  };
}

export default function Console() {
  const { q, players, may } = useLoaderData<typeof loader>();
  return (
    <div className="console">
      <h1>Console</h1>
      <p className="muted">
        You may read every account{may.freeze ? ", freeze and unfreeze players" : ""}
        {may.roles ? " and change roles" : ""}. Everything you do is recorded with you as the actor.
      </p>
      <p className="console-nav">
        <Link to="/console/audit" className="button">Search the event log</Link>
        <Link to="/console/flags" className="button secondary">Flags to review</Link>
        <Link to="/console/rollbacks" className="button secondary">Rollbacks</Link>
        <Link to="/console/features" className="button secondary">Feature flags</Link>
      </p>
      <Form method="get" className="card console-find" role="search">
        <label htmlFor="q">Find a player</label>
        <div className="console-row">
          <input id="q" name="q" defaultValue={q} placeholder="username starts with…" autoComplete="off" autoCapitalize="none" spellCheck={false} maxLength={24} />
          <button type="submit">Find</button>
        </div>
      </Form>
      {q && players.length === 0 ? <p className="muted">No player's name starts with “{q}”.</p> : null}
      {players.length > 0 ? (
        <ul className="console-list">
          {players.map((p) => (
            <li key={p.id}>
              <Link to={`/console/players/${p.id}`}>{p.username}</Link>
              <span className="console-tags">
                {p.roles.filter((r) => r !== "player").map((r) => (
                  <span key={r} className="tag">{r}</span>
                ))}
                {p.frozen ? <span className="tag danger">frozen</span> : null}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = StatusError;
