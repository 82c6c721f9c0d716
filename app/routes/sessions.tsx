import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { listMySessions, revokeMySession, revokeOtherSessions } from "../../db/security/sessions";
import { requireWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { CsrfField } from "~/components/forms";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Sessions and tokens · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const list = await listMySessions(context.db, session.player.id, session.id);
  return {
    csrf: session.csrfToken ?? "",
    sessions: list.map((s) => ({ ...s, createdAt: s.createdAt.toISOString(), lastUsedAt: s.lastUsedAt?.toISOString() ?? null })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const me = session.player.id;
  if (field(form, "intent") === "revoke-others") {
    await revokeOtherSessions(context.db, me, session.id);
    return redirect("/sessions");
  }
  const id = field(form, "sessionId");
  if (!/^[0-9a-f]{64}$/.test(id)) return data({ error: "Pick a session from the list." }, { status: 400 });
  if (id === session.id) return data({ error: "That is this session: sign out instead." }, { status: 400 });
  if (!(await revokeMySession(context.db, me, id, session.id))) return data({ error: "That session has already ended." }, { status: 404 });
  return redirect("/sessions");
}

const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "never");

export default function Sessions() {
  const { csrf, sessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const others = sessions.filter((s) => !s.current).length;
  return (
    <>
      <p>
        <Link to="/settings">← Settings</Link>
      </p>
      <h1>Sessions and tokens</h1>
      <p>Where your account is signed in, and the API tokens you made. End any you do not recognise.</p>
      {result?.error ? (
        <p className="form-error" role="alert">
          {result.error}
        </p>
      ) : null}
      <ul className="sessions">
        {sessions.map((s) => (
          <li key={s.id}>
            <span>
              <strong>{s.kind === "api" ? `API token${s.label ? `: ${s.label}` : ""}` : (s.device ?? "Browser")}</strong>
              {s.current ? <span className="badge"> this device</span> : null}
              <br />
              <small className="muted">
                {s.place ? `${s.place} · ` : ""}last used {when(s.lastUsedAt ?? s.createdAt)} · since {when(s.createdAt)}
              </small>
            </span>
            {s.current ? null : (
              <Form method="post">
                <CsrfField token={csrf} />
                <input type="hidden" name="sessionId" value={s.id} />
                <button type="submit" className="danger-button" aria-label={`End ${s.kind === "api" ? "token" : "session"} ${s.device ?? s.label ?? ""}`.trim()}>
                  {s.kind === "api" ? "Revoke" : "Sign out"}
                </button>
              </Form>
            )}
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <Form method="post" className="card">
          <CsrfField token={csrf} />
          <input type="hidden" name="intent" value="revoke-others" />
          <button type="submit" className="danger-button">
            Sign out everywhere else ({others})
          </button>
        </Form>
      ) : (
        <p className="muted">No other sessions or tokens.</p>
      )}
    </>
  );
}

export const ErrorBoundary = StatusError;
