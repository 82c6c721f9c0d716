import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { blockPlayer, listBlocked, unblockPlayer } from "../../db/offers";
import { requireWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { Username } from "../../edge/validation";
import { CsrfField, Field } from "~/components/forms";
import offersCss from "~/components/offers/offers.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Blocked players · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: offersCss }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  return { csrf: session.csrfToken ?? "", blocked: await listBlocked(context.db, session.player.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const me = session.player.id;
  if (field(form, "intent") === "unblock") {
    const id = field(form, "playerId");
    if (!/^[0-9a-f-]{36}$/i.test(id)) return data({ error: "Pick a player from the list." }, { status: 400 });
    await unblockPlayer(context.db, { playerId: me, blockedId: id });
    return redirect("/offers/blocked");
  }
  const name = Username.safeParse(field(form, "username").trim());
  if (!name.success) return data({ error: name.error.issues[0]!.message }, { status: 400 });
  const r = await blockPlayer(context.db, { playerId: me, username: name.data });
  if (!r.ok) return data({ error: r.message }, { status: r.status });
  return redirect("/offers/blocked");
}

export default function Blocked() {
  const { csrf, blocked } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to="/offers">← Offers</Link>
      </p>
      <h1>Blocked players</h1>
      <p>Blocked players cannot send you offers.</p>
      {blocked.length === 0 ? (
        <p className="muted">You have not blocked anyone.</p>
      ) : (
        <ul className="items">
          {blocked.map((b) => (
            <li key={b.id}>
              <span>{b.username}</span>
              <Form method="post" className="qty">
                <CsrfField token={csrf} />
                <input type="hidden" name="intent" value="unblock" />
                <input type="hidden" name="playerId" value={b.id} />
                <button type="submit" className="secondary" aria-label={`Unblock ${b.username}`}>
                  Unblock
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
      <Form method="post" className="card">
        <CsrfField token={csrf} />
        <input type="hidden" name="intent" value="block" />
        <Field label="Block a player" name="username" autoComplete="off" autoCapitalize="none" spellCheck={false} required minLength={3} maxLength={24} error={result?.error} />
        <button type="submit" className="danger">
          Block
        </button>
      </Form>
    </>
  );
}

export const ErrorBoundary = StatusError;
