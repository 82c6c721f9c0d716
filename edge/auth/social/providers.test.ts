/** Social sign-in providers from the environment (ADR 037): none = no buttons; each problem named; http only on loopback outside production. */
import { describe, expect, it } from "vitest";
import { doorOf } from "../../security/doors";
import { contentSecurityPolicy } from "../../security/headers";
import { envProblems, getEnv } from "../../env.server";
import { parseOidcProviders, providerOrigins } from "./providers.server";
import { suggestName, seal, unseal } from "./flow.server";

const base = { DATABASE_URL: "postgres://u:p@127.0.0.1/bazaar", SESSION_SECRET: "s".repeat(32), ROOM_SECRET: "r".repeat(32), APP_ENV: "test" };

describe("social sign-in providers from the environment", () => {
  it("none configured: no providers, no problems", () => {
    expect(parseOidcProviders({}, true)).toEqual({ providers: [], problems: [] });
    expect(getEnv({ ...base }).oidcProviders).toEqual([]);
  });

  it("reads each listed provider, Google's issuer and name by default", () => {
    const raw = { OIDC_PROVIDERS: "google, discord", OIDC_GOOGLE_CLIENT_ID: "g-id", OIDC_GOOGLE_CLIENT_SECRET: "g-secret", OIDC_DISCORD_ISSUER: "https://discord.com", OIDC_DISCORD_CLIENT_ID: "d-id", OIDC_DISCORD_CLIENT_SECRET: "d-secret" };
    const { providers, problems } = parseOidcProviders(raw, true);
    expect(problems).toEqual([]);
    expect(providers).toEqual([
      { id: "google", name: "Google", issuer: "https://accounts.google.com", clientId: "g-id", clientSecret: "g-secret", insecure: false },
      { id: "discord", name: "Discord", issuer: "https://discord.com", clientId: "d-id", clientSecret: "d-secret", insecure: false },
    ]);
    expect(providerOrigins(providers)).toEqual(["https://accounts.google.com", "https://discord.com"]);
    expect(getEnv({ ...base, ...raw }).oidcProviders?.map((p) => p.id)).toEqual(["google", "discord"]);
  });

  it("names every missing or bad variable, never its value", () => {
    const problems = envProblems({ ...base, APP_ENV: "production", PARTY_HOST: "x", SERVER_KEY_SECRET: "k".repeat(32), UPSTASH_REDIS_REST_URL: "https://u.example", UPSTASH_REDIS_REST_TOKEN: "t", OIDC_PROVIDERS: "local,Bad!", OIDC_LOCAL_ISSUER: "http://127.0.0.1:9999", OIDC_LOCAL_CLIENT_ID: "id" });
    expect([...problems].sort()).toEqual([
      "OIDC_LOCAL_CLIENT_SECRET: missing (a secret: wrangler secret put OIDC_LOCAL_CLIENT_SECRET), needed for local in OIDC_PROVIDERS",
      "OIDC_LOCAL_ISSUER: must be an https:// URL (http:// only on 127.0.0.1 or localhost, never with APP_ENV=production)",
      'OIDC_PROVIDERS: "bad!" is not a provider id (2-20 lowercase letters and digits, starting with a letter)',
    ].sort());
  });

  it("http:// issuers only on loopback and outside production (tests, npm start)", () => {
    const raw = { OIDC_PROVIDERS: "local", OIDC_LOCAL_ISSUER: "http://127.0.0.1:9999", OIDC_LOCAL_CLIENT_ID: "id", OIDC_LOCAL_CLIENT_SECRET: "secret", OIDC_LOCAL_NAME: "Local ID" };
    expect(parseOidcProviders(raw, false).providers[0]).toMatchObject({ name: "Local ID", insecure: true });
    expect(parseOidcProviders({ ...raw, OIDC_LOCAL_ISSUER: "http://idp.example" }, false).problems).toHaveLength(1);
  });

  it("the CSP lets a sign-in form be redirected to the providers, and nowhere else", () => {
    const csp = contentSecurityPolicy({ nonce: "n", url: new URL("https://bazaar.example/signin"), formTargets: ["https://accounts.google.com"] });
    expect(csp).toContain("form-action 'self' https://accounts.google.com;");
    expect(contentSecurityPolicy({ nonce: "n", url: new URL("https://bazaar.example/") })).toContain("form-action 'self';");
  });

  it("starting a trip and picking a name are the sign-in and sign-up doors (rate limits)", () => {
    const q = new URLSearchParams();
    expect(doorOf("POST", "/signin/social/google", q)).toBe("signin");
    expect(doorOf("POST", "/signup/social", q)).toBe("signup");
    expect(doorOf("POST", "/signup/social.data", q)).toBe("signup");
  });

  it("sealed values: bound to their purpose and their expiry", () => {
    const now = Date.UTC(2026, 11, 4);
    const sealed = seal("k".repeat(32), "oidc-flow", { x: 1, e: now / 1000 + 60 });
    expect(unseal("k".repeat(32), "oidc-flow", sealed, now)).toEqual({ x: 1, e: now / 1000 + 60 });
    expect(unseal("k".repeat(32), "oidc-signup", sealed, now)).toBeUndefined();
    expect(unseal("k".repeat(32), "oidc-flow", sealed, now + 61_000)).toBeUndefined();
    expect(unseal("k".repeat(32), "oidc-flow", sealed.replace(/^./, "A"), now)).toBeUndefined();
  });

  it("suggests a player name from the provider's name or e-mail", () => {
    expect(suggestName("Ann Trader", null)).toBe("Ann_Trader");
    expect(suggestName(null, "bob.smith@example.test")).toBe("bob_smith");
    expect(suggestName("李", null)).toBe("");
  });
});
