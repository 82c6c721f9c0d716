/**
 * A real OpenID provider for the social sign-in tests (ADR 037): panva's oidc-provider, with its
 * development login and consent pages, on 127.0.0.1:OIDC_TEST_PORT (default 16999). `signInAt`
 * plays the player's browser there (cookies kept, redirects followed by hand, the login and consent
 * forms posted) until the provider redirects back to our callback, and returns that URL.
 */
import type { Server } from "node:http";
import Provider from "oidc-provider";
import type { OidcProvider } from "../../edge/auth/social/providers.server";

export interface Account {
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

export interface LocalOidc {
  provider: OidcProvider;
  redirectUri: string;
  /** Who may sign in at the provider (accountId -> claims); tests add to it. */
  accounts: Map<string, Account>;
  close(): Promise<void>;
}

export const oidcTestPort = () => Number(process.env.OIDC_TEST_PORT ?? 16999);
const CLIENT_SECRET = "local-test-client-secret-0123456789abcdef";

/** The worker's variables for this provider (tests/http/setup.ts): id "local", shown as "Local ID". */
export const localOidcVars = () => ({
  OIDC_PROVIDERS: "local",
  OIDC_LOCAL_ISSUER: `http://127.0.0.1:${oidcTestPort()}`,
  OIDC_LOCAL_CLIENT_ID: "bazaar",
  OIDC_LOCAL_CLIENT_SECRET: CLIENT_SECRET,
  OIDC_LOCAL_NAME: "Local ID",
});

export async function startLocalOidc(redirectUri = "http://127.0.0.1:8787/signin/social/local/callback"): Promise<LocalOidc> {
  const port = oidcTestPort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientSecret = CLIENT_SECRET;
  const accounts = new Map<string, Account>();
  const oidc = new Provider(issuer, {
    clients: [{ client_id: "bazaar", client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ["authorization_code"], response_types: ["code"], token_endpoint_auth_method: "client_secret_basic" }],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"] },
    cookies: { keys: ["local-oidc-cookie-key-for-tests-only"] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, sub) {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, ...(a.email ? { email: a.email, email_verified: a.emailVerified ?? true } : {}), ...(a.name ? { name: a.name, preferred_username: a.name } : {}) };
        },
      };
    },
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = oidc.listen(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  return {
    provider: { id: "local", name: "Local ID", issuer, clientId: "bazaar", clientSecret, insecure: true },
    redirectUri,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The player's browser at the provider: from the authorization URL to our callback URL. */
export async function signInAt(authorizationUrl: URL, accountId: string, redirectUri: string): Promise<URL> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  let url = authorizationUrl.toString();
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const response = await fetch(url, {
      method: body ? "POST" : "GET",
      redirect: "manual",
      headers: { cookie: cookie(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    keep(response);
    body = undefined;
    const location = response.headers.get("location");
    if (location) {
      const next = new URL(location, url);
      if (next.toString().startsWith(redirectUri)) return next;
      url = next.toString();
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status}: ${html.slice(0, 300)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form on the provider's page: ${html.slice(0, 300)}`);
    url = new URL(action.replace(/&amp;/g, "&"), url).toString();
    body = /name="login"/.test(html) ? new URLSearchParams({ prompt: "login", login: accountId, password: "any" }) : new URLSearchParams({ prompt: "consent" });
  }
  throw new Error("too many hops at the provider");
}
