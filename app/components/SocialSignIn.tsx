import { CsrfField } from "./forms";

export interface ProviderButton {
  id: string;
  name: string;
}

/**
 * "Continue with <provider>" buttons (ADR 037): plain form posts (the browser follows the redirect
 * to the provider). Nothing when no provider is configured.
 */
export function SocialSignIn({ providers, csrf, redirectTo, verb = "Continue" }: { providers: ProviderButton[]; csrf: string; redirectTo?: string | null; verb?: string }) {
  if (providers.length === 0) return null;
  return (
    <section className="social-sign-in" aria-label="Sign in with another account">
      <p className="muted">or</p>
      {providers.map((p) => (
        <form key={p.id} method="post" action={`/signin/social/${p.id}`}>
          <CsrfField token={csrf} />
          <input type="hidden" name="intent" value="signin" />
          {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
          <button type="submit" className="ghost">
            {verb} with {p.name}
          </button>
        </form>
      ))}
    </section>
  );
}
