/**
 * Social sign-in providers, from the environment (ADR 037). None configured: no buttons, no routes
 * that do anything. A provider is any OpenID Connect issuer with discovery
 * (/.well-known/openid-configuration):
 *   OIDC_PROVIDERS=google,discord         the ids, in the order of the buttons
 *   OIDC_<ID>_ISSUER                      https://accounts.google.com (the default for "google")
 *   OIDC_<ID>_CLIENT_ID                   a var
 *   OIDC_<ID>_CLIENT_SECRET               a secret: wrangler secret put OIDC_<ID>_CLIENT_SECRET
 *   OIDC_<ID>_NAME                        the button's name ("Google"; default: the id, capitalised)
 * The issuer must be https; http only on a loopback address outside production (tests, npm start).
 */
export interface OidcProvider {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** http:// on loopback (tests): oauth4webapi's allowInsecureRequests for this provider only. */
  insecure: boolean;
}

const KNOWN_ISSUERS: Record<string, { issuer: string; name: string }> = {
  google: { issuer: "https://accounts.google.com", name: "Google" },
};

const ID = /^[a-z][a-z0-9]{1,19}$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

const str = (raw: Record<string, unknown>, name: string) => {
  const v = raw[name];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
};

/** The configured providers, and every problem naming its variable (never a value). */
export function parseOidcProviders(raw: Record<string, unknown>, production: boolean): { providers: OidcProvider[]; problems: string[] } {
  const list = str(raw, "OIDC_PROVIDERS");
  if (!list) return { providers: [], problems: [] };
  const providers: OidcProvider[] = [];
  const problems: string[] = [];
  const ids = list.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const id of ids) {
    if (!ID.test(id)) {
      problems.push(`OIDC_PROVIDERS: "${id.slice(0, 30)}" is not a provider id (2-20 lowercase letters and digits, starting with a letter)`);
      continue;
    }
    if (providers.some((p) => p.id === id)) {
      problems.push(`OIDC_PROVIDERS: ${id} is listed twice`);
      continue;
    }
    const key = `OIDC_${id.toUpperCase()}_`;
    const issuer = str(raw, `${key}ISSUER`) ?? KNOWN_ISSUERS[id]?.issuer;
    const clientId = str(raw, `${key}CLIENT_ID`);
    const clientSecret = str(raw, `${key}CLIENT_SECRET`);
    const before = problems.length;
    if (!issuer) problems.push(`${key}ISSUER: missing (a var: [vars] in wrangler.toml), needed for ${id} in OIDC_PROVIDERS`);
    if (!clientId) problems.push(`${key}CLIENT_ID: missing (a var: [vars] in wrangler.toml), needed for ${id} in OIDC_PROVIDERS`);
    if (!clientSecret) problems.push(`${key}CLIENT_SECRET: missing (a secret: wrangler secret put ${key}CLIENT_SECRET), needed for ${id} in OIDC_PROVIDERS`);
    let insecure = false;
    if (issuer) {
      let url: URL | undefined;
      try {
        url = new URL(issuer);
      } catch {
        problems.push(`${key}ISSUER: must be a URL`);
      }
      if (url && url.protocol !== "https:") {
        if (url.protocol === "http:" && LOOPBACK.has(url.hostname) && !production) insecure = true;
        else problems.push(`${key}ISSUER: must be an https:// URL (http:// only on 127.0.0.1 or localhost, never with APP_ENV=production)`);
      }
    }
    if (problems.length > before) continue;
    const name = str(raw, `${key}NAME`) ?? KNOWN_ISSUERS[id]?.name ?? id[0]!.toUpperCase() + id.slice(1);
    providers.push({ id, name: name.slice(0, 40), issuer: issuer!, clientId: clientId!, clientSecret: clientSecret!, insecure });
  }
  return { providers, problems };
}

/** Origins a sign-in form may be redirected to (the CSP's form-action): each provider's issuer origin. */
export const providerOrigins = (providers: readonly OidcProvider[]) => [...new Set(providers.map((p) => new URL(p.issuer).origin))];

export const findProvider = (providers: readonly OidcProvider[] | undefined, id: string) => providers?.find((p) => p.id === id);
