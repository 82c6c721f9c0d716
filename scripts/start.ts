/**
 * `npm start`: the whole product on this machine, one prefixed log, Ctrl-C stops everything.
 *
 *   1. build the worker (`npm run build`);
 *   2. the database: with DATABASE_URL, migrate + seed it here; without, the [db] child (PGlite
 *      under .data/pglite) migrates + seeds in its own process before listening (a PGlite
 *      directory must be open in one process only);
 *   3. [db] [proxy] [web] [party] under concurrently; print the URL when all answer;
 *   4. from then on each part is supervised: one that dies, or stays up without answering (the
 *      rooms' workerd killed under partykit dev), is restarted with backoff, and the log says so
 *      ("[stack] party exited (SIGKILL); restarting in 0.5 s (restart 1)", "[stack] party is back
 *      after 3.4 s"). Meanwhile the worker answers 503 with Retry-After; GET /api/v1/healthz
 *      reports each part.
 *
 * Env: PORT=8787 PARTY_PORT=1999 PGLITE_PORT=5433 WS_PROXY_PORT=8789, DATABASE_URL,
 * OFFER_MIN_ACCOUNT_AGE_SECONDS (0 here), OFFER_ACCEPT_DELAY_SECONDS (5), OFFER_CONFIRM_ABOVE_COPPER (50000),
 * UPSTASH_REDIS_REST_URL/TOKEN (else in-process Redis), SESSION_SECRET/ROOM_SECRET and
 * VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY (else generated once into .data/secrets.json), VAPID_SUBJECT. `npm start -- --no-build` reuses an up-to-date build.
 *
 * The demo world (npc/): NPC traders with a week of market history, trading live. On by default
 * on the embedded database, off with a DATABASE_URL; DEMO_WORLD=off (or `npm start -- --no-npc`)
 * turns it off, DEMO_WORLD=on turns it on anywhere. NPC_STEP_MS sets its pace (default 1500).
 */
import { openPostgres } from "../db/open";
import { prepareDatabase } from "./prepare-db";
import { defaultPorts, devSecrets, startStack } from "./stack";

const t0 = performance.now();
const databaseUrl = process.env.DATABASE_URL || undefined;
const demoSetting = process.argv.includes("--no-npc") ? "off" : (process.env.DEMO_WORLD ?? (databaseUrl ? "off" : "on"));
if (!["on", "off"].includes(demoSetting)) {
  console.error(`\n  DEMO_WORLD must be on or off (it is "${demoSetting}")\n`);
  process.exit(2);
}
const demoWorld = demoSetting === "on" ? { stepMs: Number(process.env.NPC_STEP_MS ?? 1_500) } : undefined;

try {
  if (databaseUrl) {
    const opened = await openPostgres(databaseUrl, 2);
    try {
      // The NPCs' passwords come from the session secret, like the stack's [npc] child reads it.
      const secret = process.env.SESSION_SECRET || devSecrets().SESSION_SECRET;
      await prepareDatabase(opened, (line) => console.log(`[stack] ${line}`), demoWorld ? { demoWorld: { secret } } : {});
    } finally {
      await opened.close();
    }
  }
  const stack = await startStack({
    databaseUrl,
    ports: defaultPorts(),
    build: process.argv.includes("--no-build") ? "auto" : "always",
    handleSignals: true,
    demoWorld,
    env: {
      UPSTASH_REDIS_REST_URL: process.env.UPSTASH_REDIS_REST_URL || undefined,
      UPSTASH_REDIS_REST_TOKEN: process.env.UPSTASH_REDIS_REST_TOKEN || undefined,
      SESSION_SECRET: process.env.SESSION_SECRET || undefined,
      ROOM_SECRET: process.env.ROOM_SECRET || undefined,
      SERVER_KEY_SECRET: process.env.SERVER_KEY_SECRET || undefined,
      // Web Push (ADR 014): else a pair generated once into .data/secrets.json.
      VAPID_PUBLIC_KEY: process.env.VAPID_PUBLIC_KEY || undefined,
      VAPID_PRIVATE_KEY: process.env.VAPID_PRIVATE_KEY || undefined,
      VAPID_SUBJECT: process.env.VAPID_SUBJECT || undefined,
      // Relay rooms per market (ADR 045): pages take the book from a relay. 0: one socket to the market room.
      MARKET_RELAYS: process.env.MARKET_RELAYS || undefined,
      APP_ENV: process.env.APP_ENV || "development",
      // The demo accounts are all new: let them trade offers at once (production defaults: 24 h, 5 s).
      OFFER_MIN_ACCOUNT_AGE_SECONDS: process.env.OFFER_MIN_ACCOUNT_AGE_SECONDS ?? "0",
      OFFER_ACCEPT_DELAY_SECONDS: process.env.OFFER_ACCEPT_DELAY_SECONDS ?? "5",
      OFFER_CONFIRM_ABOVE_COPPER: process.env.OFFER_CONFIRM_ABOVE_COPPER ?? "50000",
    },
  });
  // wrangler dev never fires cron triggers: run the worker's scheduled() (offer expiry, the push
  // sender's retries) every minute.
  const cron = setInterval(() => {
    fetch(`${stack.url}/__scheduled?cron=${encodeURIComponent("* * * * *")}`).then((r) => r.arrayBuffer(), () => undefined);
  }, 60_000);
  cron.unref();
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`\n  Bazaar is up: ${stack.url}   (rooms: ${stack.partyUrl}, database: ${databaseUrl ? "DATABASE_URL" : ".data/pglite"}, NPC traders: ${demoWorld ? "on" : "off"}, redis: ${process.env.UPSTASH_REDIS_REST_URL ? "Upstash" : "in-process"}; ${seconds} s)\n  Ctrl-C stops everything.\n`);
  const reason = await stack.stopped;
  process.exit(/^SIG/.test(reason) || reason === "stop requested" ? 0 : 1);
} catch (error) {
  console.error(`\n  Bazaar did not start: ${(error as Error).message}\n`);
  process.exit(1);
}
