import { Form, useActionData, useNavigation } from "@remix-run/react";
import { CsrfField, Field, FormAlert } from "./forms";

type ActionData = { formError?: string; fieldErrors?: Record<string, string>; username?: string } | undefined;

/** The sign-up / sign-in form. Works without JavaScript; with it, the button shows progress. */
export function CredentialsForm({ csrf, mode }: { csrf: string; mode: "signup" | "signin" }) {
  const result = useActionData() as ActionData;
  const busy = useNavigation().state === "submitting";
  const signup = mode === "signup";
  return (
    <Form method="post" className="card" noValidate>
      <CsrfField token={csrf} />
      <FormAlert message={result?.formError} />
      <Field
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        minLength={3}
        maxLength={24}
        pattern="[A-Za-z0-9_\-]+"
        defaultValue={result?.username ?? ""}
        error={result?.fieldErrors?.username}
      />
      {signup ? <p className="muted">3-24 letters, digits, _ or -.</p> : null}
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete={signup ? "new-password" : "current-password"}
        required
        minLength={8}
        maxLength={128}
        error={result?.fieldErrors?.password}
      />
      {signup ? <p className="muted">8 to 128 characters.</p> : null}
      <button type="submit" disabled={busy}>
        {busy ? "One moment..." : signup ? "Create my account" : "Sign in"}
      </button>
    </Form>
  );
}
