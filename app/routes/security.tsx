import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { renderSVG } from "uqr";
import { hasPassword, listMyIdentities, unlinkIdentity } from "../../db/security/identities";
import { confirmEnrolment, factorState, pendingEnrolment, removeSecondFactor, startEnrolment } from "../../db/security/second-factor";
import { listPasskeys, removePasskey } from "../../db/security/passkeys";
import { addPasskey, checkPasskey, relyingParty } from "../../edge/auth/passkeys.server";
import { checkCodeLimited } from "../../edge/auth/second-factor.server";
import { requireWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";
import { createRedis } from "../../edge/redis.server";
import { masterSecret } from "../../edge/server-api/auth.server";
import { CsrfField, Field, FormAlert } from "~/components/forms";
import { PasskeyButton } from "~/components/PasskeyButton";
import { StatusError } from "~/components/StatusError";
import { Time } from "~/utils/time";
import { answerWithPasskey, createPasskey } from "~/utils/passkeys";

export const meta: MetaFunction = () => [{ title: "Two-factor sign-in · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const me = session.player;
  const state = await factorState(context.db, me.id);
  const pending = state.state === "pending" ? await pendingEnrolment(context.db, masterSecret(context.env), me.id, me.username) : undefined;
  const providers = context.env.oidcProviders ?? [];
  const identities = await listMyIdentities(context.db, me.id);
  const nameOf = (id: string) => providers.find((p) => p.id === id)?.name ?? id;
  const linkedParam = new URL(request.url).searchParams.get("linked");
  return {
    social: {
      providers: providers.map((p) => ({ id: p.id, name: p.name, linked: identities.some((i) => i.provider === p.id) })),
      identities: identities.map((i) => ({ id: i.id, name: nameOf(i.provider), email: i.email, since: i.createdAt.toISOString().slice(0, 10) })),
      hasPassword: await hasPassword(context.db, me.id),
      linked: linkedParam && providers.some((p) => p.id === linkedParam) ? nameOf(linkedParam) : null,
    },
    csrf: session.csrfToken ?? "",
    state: state.state,
    recoveryCodesLeft: state.state === "on" ? state.recoveryCodesLeft : 0,
    recoveryUsed: new URL(request.url).searchParams.get("recovery") === "used",
    // The QR code is drawn on the server (an SVG of squares, no script); the secret is also shown for typing in.
    passkeys: (await listPasskeys(context.db, me.id)).map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt.toISOString(), lastUsedAt: p.lastUsedAt?.toISOString() ?? null })),
    enrol: pending ? { secret: pending.secret.replace(/(.{4})/g, "$1 ").trim(), qr: renderSVG(pending.uri, { border: 2, pixelSize: 5 }) } : null,
  };
}

type Result = { formError?: string; recoveryCodes?: string[]; done?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const me = session.player;
  const master = masterSecret(context.env);
  const intent = field(form, "intent");
  if (intent === "unlink") {
    const unlinked = await unlinkIdentity(context.db, me.id, field(form, "identity"));
    if (!unlinked.ok) return data<Result>({ formError: unlinked.message }, { status: unlinked.status });
    return data<Result>({ done: "Unlinked: that account no longer signs you in to Bazaar." });
  }
  if (intent === "start") {
    const started = await startEnrolment(context.db, master, me.id, me.username);
    return started.ok ? data<Result>({}) : data<Result>({ formError: started.message }, { status: 409 });
  }
  const code = field(form, "code");
  if (intent === "confirm") {
    const confirmed = await confirmEnrolment(context.db, master, me.id, code);
    if (!confirmed.ok) return data<Result>({ formError: confirmed.message }, { status: confirmed.code === "bad_format" ? 400 : 401 });
    return data<Result>({ recoveryCodes: confirmed.recoveryCodes });
  }
  if (intent === "disable") {
    // Step-up: turning the factor off needs a fresh code (or a recovery code), with the brute-force limit.
    const check = await checkCodeLimited(context.db, createRedis(context.env), master, me.id, code);
    if (!check.ok) return data<Result>({ formError: check.message }, { status: check.status });
    await removeSecondFactor(context.db, me.id);
    return data<Result>({ done: "Two-factor sign-in is off. Your password alone now signs you in." });
  }
  if (intent === "add-passkey") {
    const added = await addPasskey(context.db, relyingParty(request), me.id, field(form, "name"), field(form, "answer"));
    if (!added.ok) return data<Result>({ formError: added.message }, { status: added.status });
    return data<Result>({ done: `Passkey "${added.passkey.name}" added: you can now sign in with it, without your password.` });
  }
  if (intent === "remove-passkey") {
    // Step-up: removing a passkey needs a fresh proof, a code (TOTP or recovery) or a passkey.
    const answer = field(form, "answer");
    if (answer) {
      const check = await checkPasskey(context.db, relyingParty(request), "step-up", me.id, answer);
      if (!check.ok) return data<Result>({ formError: check.message }, { status: check.status });
    } else {
      if (!code.trim()) return data<Result>({ formError: "Removing a passkey needs a current code from your authenticator app, or confirming with a passkey." }, { status: 400 });
      const check = await checkCodeLimited(context.db, createRedis(context.env), master, me.id, code);
      if (!check.ok) return data<Result>({ formError: check.message }, { status: check.status });
    }
    const removed = await removePasskey(context.db, me.id, field(form, "passkeyId"));
    if (!removed) return data<Result>({ formError: "You have no such passkey: reload the page." }, { status: 404 });
    return data<Result>({ done: "Passkey removed: it no longer signs you in." });
  }
  return data<Result>({ formError: "Unknown action: reload the page and try again." }, { status: 400 });
}

export default function Security() {
  const { csrf, state, recoveryCodesLeft, recoveryUsed, enrol, social, passkeys } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <p>
        <Link to="/settings">← Settings</Link> · <Link to="/security/password">{social.hasPassword ? "Change your password" : "Set a password"}</Link>
      </p>
      <h1>Two-factor sign-in</h1>
      <p>With it on, signing in asks for a code from an authenticator app on your phone as well as your password, so a stolen password alone cannot empty your inventory.</p>
      <FormAlert message={result?.formError} />
      {result?.done ? <p role="status">{result.done}</p> : null}
      {result?.recoveryCodes ? (
        <section className="card" aria-labelledby="codes">
          <h2 id="codes">Two-factor sign-in is on. Save your recovery codes</h2>
          <p>If you lose your phone, each of these codes signs you in once. They are shown only now: write them down or keep them in a password manager.</p>
          <ul className="recovery-codes">
            {result.recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <p>
            <Link to="/security">I have saved them</Link>
          </p>
        </section>
      ) : state === "on" ? (
        <section className="card">
          <p>
            <strong>On.</strong> {recoveryCodesLeft} of 10 recovery codes left.
            {recoveryUsed ? " You signed in with a recovery code: it no longer works." : ""}
          </p>
          <Form method="post">
            <CsrfField token={csrf} />
            <input type="hidden" name="intent" value="disable" />
            <Field label="Code to turn it off" name="code" autoComplete="one-time-code" autoCapitalize="none" spellCheck={false} required maxLength={40} />
            <p className="muted">Turning it off needs a current code (or a recovery code): it proves it is you.</p>
            <button type="submit" className="danger-button" disabled={busy}>
              Turn off two-factor sign-in
            </button>
          </Form>
        </section>
      ) : enrol ? (
        <section className="card">
          <h2>1. Scan this with your authenticator app</h2>
          <div className="qr" role="img" aria-label="QR code for your authenticator app" dangerouslySetInnerHTML={{ __html: enrol.qr }} />
          <p>
            Or type in this key: <code className="secret">{enrol.secret}</code>
          </p>
          <h2>2. Enter the code it shows</h2>
          <Form method="post">
            <CsrfField token={csrf} />
            <input type="hidden" name="intent" value="confirm" />
            <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" required maxLength={7} />
            <button type="submit" disabled={busy}>
              Turn on
            </button>
          </Form>
        </section>
      ) : (
        <Form method="post" className="card">
          <CsrfField token={csrf} />
          <input type="hidden" name="intent" value="start" />
          <p>
            <strong>Off.</strong> You need an authenticator app (Google Authenticator, Aegis, 1Password, ...).
          </p>
          <button type="submit" disabled={busy}>
            Set up two-factor sign-in
          </button>
        </Form>
      )}
      <Passkeys csrf={csrf} passkeys={passkeys} codeOn={state === "on"} busy={busy} />
      {social.providers.length > 0 || social.identities.length > 0 ? <LinkedAccounts csrf={csrf} busy={busy} {...social} /> : null}
    </>
  );
}

type Social = ReturnType<typeof useLoaderData<typeof loader>>["social"];

/** Social sign-in (ADR 037): the accounts that sign me in, unlink (never the last way in), link another. */
function LinkedAccounts({ csrf, busy, providers, identities, hasPassword, linked }: Social & { csrf: string; busy: boolean }) {
  const onlyWay = !hasPassword && identities.length === 1;
  const unlinked = providers.filter((p) => !p.linked);
  return (
    <section className="card" aria-labelledby="linked">
      <h2 id="linked">Sign in with another account</h2>
      {linked ? <p role="status">{linked} is linked: it now signs you in to this account.</p> : null}
      {identities.length === 0 ? (
        <p className="muted">No account is linked. Link one to sign in without typing your password (two-factor sign-in still asks for its code).</p>
      ) : (
        <ul className="linked-accounts">
          {identities.map((i) => (
            <li key={i.id}>
              <span>
                <strong>{i.name}</strong>
                {i.email ? ` · ${i.email}` : ""} <span className="muted">since {i.since}</span>
              </span>
              <Form method="post" className="inline">
                <CsrfField token={csrf} />
                <input type="hidden" name="intent" value="unlink" />
                <input type="hidden" name="identity" value={i.id} />
                <button type="submit" className="small danger-button" disabled={busy || onlyWay} aria-describedby={onlyWay ? "only-way" : undefined}>
                  Unlink
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
      {onlyWay ? (
        <p id="only-way" className="muted">
          This is your only way to sign in (your account has no password): link another account before unlinking it.
        </p>
      ) : null}
      {unlinked.map((p) => (
        <form key={p.id} method="post" action={`/signin/social/${p.id}`}>
          <CsrfField token={csrf} />
          <input type="hidden" name="intent" value="link" />
          <button type="submit" className="ghost">
            Link {p.name}
          </button>
        </form>
      ))}
    </section>
  );
}

export const ErrorBoundary = StatusError;

type PasskeyRow = { id: string; name: string; createdAt: string; lastUsedAt: string | null };

/** Passkeys (ADR 036): add one (named), list them, remove one with a fresh code or passkey. */
function Passkeys({ csrf, passkeys, codeOn, busy }: { csrf: string; passkeys: PasskeyRow[]; codeOn: boolean; busy: boolean }) {
  return (
    <section className="card passkeys" aria-labelledby="passkeys">
      <h2 id="passkeys">Passkeys</h2>
      <p>A passkey signs you in with your device's screen lock (fingerprint, face or PIN), without your password, and cannot be phished. With two-factor sign-in on, it also works instead of the code.</p>
      {passkeys.length > 0 ? (
        <ul className="passkey-list">
          {passkeys.map((p) => (
            <li key={p.id} className="passkey">
              <p>
                <strong>{p.name}</strong>
                <br />
                <span className="muted">
                  Added <Time ms={Date.parse(p.createdAt)} date /> ·{" "}
                  {p.lastUsedAt ? (
                    <>
                      last used <Time ms={Date.parse(p.lastUsedAt)} date />
                    </>
                  ) : (
                    "not used yet"
                  )}
                </span>
              </p>
              <details>
                <summary>Remove</summary>
                <Form method="post">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="passkeyId" value={p.id} />
                  <p className="muted">Removing a passkey needs a fresh proof that it is you.</p>
                  {codeOn ? (
                    <>
                      <Field label={`Code to remove "${p.name}"`} name="code" autoComplete="one-time-code" autoCapitalize="none" spellCheck={false} maxLength={40} />
                      <button type="submit" name="intent" value="remove-passkey" className="danger-button" disabled={busy}>
                        Remove with the code
                      </button>{" "}
                    </>
                  ) : null}
                  <PasskeyButton label="Remove, confirming with a passkey" intent="remove-passkey" className="danger-button" run={() => answerWithPasskey("/security/passkeys", { csrf, intent: "step-up" })} />
                </Form>
              </details>
            </li>
          ))}
        </ul>
      ) : (
        <p>
          <strong>No passkeys yet.</strong>
        </p>
      )}
      {/* keyed by the count: the name field empties once a passkey is added */}
      <Form method="post" className="add-passkey" key={passkeys.length}>
        <CsrfField token={csrf} />
        <Field label="Name of the new passkey" name="name" placeholder="e.g. My phone" required maxLength={60} autoComplete="off" />
        <PasskeyButton label="Add a passkey" intent="add-passkey" run={() => createPasskey("/security/passkeys", { csrf, intent: "register" })} />
      </Form>
    </section>
  );
}
