/**
 * The worker's environment, parsed with zod once per isolate. Anything the browser may see goes
 * through getPublicEnv()'s whitelist; secrets never leave the server.
 */
import { z } from "zod";
import { neonUnpooled } from "../db/neon-url";
import { parseOidcProviders, type OidcProvider } from "./auth/social/providers.server";
import { tracerConfig } from "../party/telemetry/tracer";

const secret = z.string().min(32, "must be at least 32 characters");
const optionalUrl = z.url().optional().or(z.literal("").transform(() => undefined));
/** A whole number (seconds, copper) from a --var string ("0") or a wrangler.toml number, with a default. */
const wholeNumber = (fallback: number) =>
  z
    .union([z.string().regex(/^[0-9]{1,15}$/, "must be a whole number").transform(Number), z.int().min(0)], { error: "must be a whole number (0 or more)" })
    .optional()
    .transform((v) => v ?? fallback);

export const EnvSchema = z.object({
  APP_ENV: z.enum(["development", "test", "production"]).default("production"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"),
  /** host:port/path of a WebSocket-to-TCP proxy (local Postgres); unset on Neon. */
  NEON_WS_PROXY: z
    .string()
    .regex(/^[A-Za-z0-9.\-_:[\]]+(\/[A-Za-z0-9._\-/]*)?$/, "must look like 127.0.0.1:8789/v1")
    .optional(),
  /**
   * Connections one request's pool may open (default 5). The embedded PGlite runs one statement at
   * a time whatever the count, so `npm start` sets 1: a request then never holds one connection
   * while waiting for another (ADR 011).
   */
  DB_POOL_MAX: wholeNumber(5).pipe(z.int().min(1, "must be at least 1").max(20, "must be at most 20")),
  /**
   * How long a request waits for a database connection before giving up with a retryable error
   * (default 5 s, for Neon). `npm start` sets 30 s: the embedded PGlite has one backend, and the
   * local proxy queues connections for up to 30 s; a request waits its turn rather than fail at 5 s.
   */
  DB_CONNECT_TIMEOUT_MS: wholeNumber(5_000).pipe(z.int().min(500, "must be at least 500").max(60_000, "must be at most 60000")),
  /**
   * The feed consumers' cron sizes each page of events to take about this long (db/consumers/
   * page-size.ts); 0 (the default) keeps pages of 500. `npm start` sets 100: on the embedded PGlite
   * a page's transaction holds every player's query until it commits. Not for Neon, where a page's
   * time is mostly round trips and smaller pages would only slow the consumers down.
   */
  FEED_PAGE_MS: wholeNumber(0).pipe(z.int().min(0, "must be at least 0").max(10_000, "must be at most 10000")),
  /**
   * How long each isolate keeps the feature flags it read (ADR 026, default 10 s): an admin's change
   * reaches every player within this time.
   */
  FLAG_CACHE_TTL_MS: wholeNumber(10_000).pipe(z.int().min(0, "must be at least 0").max(300_000, "must be at most 300000")),
  SESSION_SECRET: secret,
  ROOM_SECRET: secret,
  /** Copper value above which a rollback waits for a second admin's approval (ADR 024, 038). */
  ROLLBACK_APPROVE_ABOVE: wholeNumber(1_000_000),
  /**
   * Master secret that seals game servers' signing secrets at rest (ADR 015). Optional: without it
   * SESSION_SECRET is used, so rotating SESSION_SECRET would then invalidate every server key.
   */
  SERVER_KEY_SECRET: secret.optional(),
  UPSTASH_REDIS_REST_URL: optionalUrl,
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  /** Multiplies every rate limit (ADR 022): test stacks that sign up many players from one address. */
  RATE_LIMIT_FACTOR: wholeNumber(1).pipe(z.int().min(1, "must be at least 1")),
  /** Redis key prefix of the rate limits (tests use one per run). */
  RATE_LIMIT_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, "letters, digits, : _ - (at most 64)").optional(),
  /** Where browsers reach the PartyKit rooms, e.g. "127.0.0.1:1999" or "bazaar.user.partykit.dev". */
  PARTY_HOST: z.string().optional(),
  /**
   * Relay rooms per market (ADR 045): pages take the book from relay `<slug>.<random below n>`;
   * a signed-in trader's page trades on a second socket to the market room (feed=0). 0 (the
   * default) keeps each page on one socket to the market room.
   */
  MARKET_RELAYS: wholeNumber(0).pipe(z.int().max(64, "must be at most 64")),
  /** Direct trade offers' anti-scam policy (db/offers OfferPolicy; edge/offers/policy.server.ts). */
  OFFER_MIN_ACCOUNT_AGE_SECONDS: wholeNumber(86_400),
  OFFER_ACCEPT_DELAY_SECONDS: wholeNumber(5),
  OFFER_CONFIRM_ABOVE_COPPER: wholeNumber(1_000_000),
  /**
   * Web Push (VAPID, RFC 8292; ADR 014): the application server's P-256 key pair, base64url: the
   * public key as the 65-byte uncompressed point, the private key as the 32-byte scalar. Push alerts
   * are off while unset. `npm start` generates a pair into .data/secrets.json.
   */
  VAPID_PUBLIC_KEY: z.string().regex(/^B[A-Za-z0-9_-]{86}$/, "must be a base64url P-256 public key (65 bytes, 87 characters, starting with B)").optional(),
  VAPID_PRIVATE_KEY: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "must be a base64url P-256 private key (32 bytes, 43 characters)").optional(),
  /** Who push services may contact about our pushes: a mailto: or https: URL. */
  VAPID_SUBJECT: z.string().regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, "must be a mailto: or https: URL").default("mailto:alerts@bazaar.example"),
  /** Tests only: accept push endpoints on http://127.0.0.1 (a local push service). Refused in production. */
  PUSH_ALLOW_LOOPBACK: z.enum(["0", "1", "true", "false"]).optional().transform((v) => v === "1" || v === "true"),
  /**
   * Social sign-in (ADR 037): the provider ids, e.g. "google,discord"; each one's OIDC_<ID>_ISSUER,
   * _CLIENT_ID, _CLIENT_SECRET and _NAME are read by edge/auth/social/providers.server.ts. Unset: no buttons.
   */
  OIDC_PROVIDERS: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema> & {
  /** The parsed social sign-in providers (getEnv fills it; absent in hand-made test envs: none). */
  oidcProviders?: OidcProvider[];
};

/** Secrets (`wrangler secret put NAME`); the rest are vars in wrangler.toml. Named in the messages. */
export const SECRET_NAMES = new Set(["DATABASE_URL", "SESSION_SECRET", "ROOM_SECRET", "SERVER_KEY_SECRET", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"]);

/** What production needs on top of the schema (ADR 031): the shared rate-limit store and the key sealer. */
export const PRODUCTION_REQUIRED = ["PARTY_HOST", "SERVER_KEY_SECRET", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"] as const;


const missing = (name: string) => `${name}: missing (${SECRET_NAMES.has(name) ? `a secret: wrangler secret put ${name}` : "a var: [vars] in wrangler.toml"})`;
const isUnset = (v: unknown) => v === undefined || v === null || v === "";

/** Cross-field rules: both VAPID keys or neither; no loopback push endpoints in production. */
function crossCheck(env: Env): string[] {
  const problems: string[] = [];
  if (Boolean(env.VAPID_PUBLIC_KEY) !== Boolean(env.VAPID_PRIVATE_KEY)) problems.push("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither");
  if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) problems.push("UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN: set both or neither");
  if (neonUnpooled(env.DATABASE_URL)) problems.push("DATABASE_URL: use Neon's pooled connection string (its host has -pooler, e.g. ep-name-123-pooler.eu-central-1.aws.neon.tech)");
  if (env.PUSH_ALLOW_LOOPBACK && env.APP_ENV === "production") problems.push("PUSH_ALLOW_LOOPBACK: only for tests, never with APP_ENV=production");
  if (env.APP_ENV === "production") {
    for (const name of PRODUCTION_REQUIRED) if (isUnset(env[name])) problems.push(`${missing(name)}, required with APP_ENV=production`);
  }
  return problems;
}

/**
 * Every problem of the environment, each naming its variable (never its value): a missing one says
 * how to set it. Empty when the worker may start.
 */
export function envProblems(raw: Record<string, unknown>): string[] {
  const result = EnvSchema.safeParse(raw);
  if (!result.success) {
    return result.error.issues.map((i) => {
      const name = i.path.join(".");
      return isUnset(raw[name]) ? missing(name) : `${name}: ${i.message}`;
    });
  }
  return [...crossCheck(result.data), ...parseOidcProviders(raw, result.data.APP_ENV === "production").problems, ...tracerConfig(raw, "bazaar-edge").problems];
}

let parsed: { raw: unknown; env: Env } | undefined;

/** Parse (once per env object) or throw an error that names every bad variable. */
export function getEnv(raw: Record<string, unknown>): Env {
  if (parsed?.raw === raw) return parsed.env;
  const problems = envProblems(raw);
  if (problems.length > 0) throw new Error(`Invalid worker environment: ${problems.join("; ")}`);
  const env = EnvSchema.parse(raw);
  parsed = { raw, env: { ...env, oidcProviders: parseOidcProviders(raw, env.APP_ENV === "production").providers } };
  return parsed.env;
}

/** The only environment values that reach the browser (window.ENV via the root loader). */
export function getPublicEnv(env: Env) {
  return { APP_ENV: env.APP_ENV, PARTY_HOST: env.PARTY_HOST ?? null, MARKET_RELAYS: env.MARKET_RELAYS };
}

export type PublicEnv = ReturnType<typeof getPublicEnv>;
