/**
 * The worker's environment, parsed with zod once per isolate. Anything the browser may see goes
 * through getPublicEnv()'s whitelist; secrets never leave the server.
 */
import { z } from "zod";

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
  SESSION_SECRET: secret,
  ROOM_SECRET: secret,
  UPSTASH_REDIS_REST_URL: optionalUrl,
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  /** Where browsers reach the PartyKit rooms, e.g. "127.0.0.1:1999" or "bazaar.user.partykit.dev". */
  PARTY_HOST: z.string().optional(),
  /** Direct trade offers' anti-scam policy (db/offers OfferPolicy; edge/offers/policy.server.ts). */
  OFFER_MIN_ACCOUNT_AGE_SECONDS: wholeNumber(86_400),
  OFFER_ACCEPT_DELAY_SECONDS: wholeNumber(5),
  OFFER_CONFIRM_ABOVE_COPPER: wholeNumber(1_000_000),
});

export type Env = z.infer<typeof EnvSchema>;

let parsed: { raw: unknown; env: Env } | undefined;

/** Parse (once per env object) or throw an error that names every bad variable. */
export function getEnv(raw: Record<string, unknown>): Env {
  if (parsed?.raw === raw) return parsed.env;
  const result = EnvSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid worker environment: ${problems}`);
  }
  parsed = { raw, env: result.data };
  return result.data;
}

/** The only environment values that reach the browser (window.ENV via the root loader). */
export function getPublicEnv(env: Env) {
  return { APP_ENV: env.APP_ENV, PARTY_HOST: env.PARTY_HOST ?? null };
}

export type PublicEnv = ReturnType<typeof getPublicEnv>;
