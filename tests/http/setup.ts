/**
 * Global setup of the HTTP suite (vitest project "http" in vitest.config.ts): a fresh database on the real Postgres (migrated, seeded with
 * the catalog and the demo players), then the stack from scripts/stack.ts (ws proxy, wrangler dev
 * on the built worker, partykit dev), built first when build/ is older than the sources.
 * Everything is stopped by PID and the database dropped in teardown.
 * Ports: HTTP_TEST_PORT (18787), HTTP_TEST_PARTY_PORT (11999), HTTP_TEST_WS_PROXY_PORT (18789).
 * The stack's log goes to .data/logs/http-stack.log.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { seed } from "../../db/seed";
import { repoRoot } from "../../scripts/paths";
import { startStack } from "../../scripts/stack";
import { openTestDb } from "../support/db";
import { localOidcVars } from "../support/oidc-server";
import { startOtlpReceiver } from "../support/otlp-receiver";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    databaseUrl: string;
    /** Every variable the stack's worker runs with (to start a second worker on the same build). */
    workerVars: Record<string, string>;
    /** The suite's OTLP receiver (GET <otlpUrl>/spans?traceId=): the edge and the rooms export to it. */
    otlpUrl: string;
  }
}

export default async function setup(project: TestProject) {
  process.env.TEST_DB = "postgres";
  const db = await openTestDb({ poolSize: 2 });
  await seed(db.db);

  // Traces (ADR 040): the stack exports to this receiver; only callers' sampled traceparents are
  // recorded (ratio 0 for traces the stack starts), so the suites' other requests cost nothing.
  const otlp = await startOtlpReceiver();
  const logDir = path.join(repoRoot, ".data", "logs");
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, "http-stack.log");
  const output = createWriteStream(logFile);
  let stack;
  try {
    stack = await startStack({
      databaseUrl: db.url!,
      ports: {
        web: Number(process.env.HTTP_TEST_PORT ?? 18787),
        party: Number(process.env.HTTP_TEST_PARTY_PORT ?? 11999),
        wsProxy: Number(process.env.HTTP_TEST_WS_PROXY_PORT ?? 18789),
      },
      env: {
        APP_ENV: "test",
        SESSION_SECRET: randomBytes(32).toString("hex"),
        ROOM_SECRET: randomBytes(32).toString("hex"),
        // Offers: fresh test accounts may trade at once; 500 gold and up needs a second confirmation.
        OFFER_MIN_ACCOUNT_AGE_SECONDS: "0",
        OFFER_ACCEPT_DELAY_SECONDS: "0",
        OFFER_CONFIRM_ABOVE_COPPER: "50000",
        // Web Push: the suite's push service is plain HTTP on 127.0.0.1 (tests/http/push.test.ts).
        PUSH_ALLOW_LOOPBACK: "1",
        // Rate limits (ADR 022): the suites sign up many players from 127.0.0.1.
        RATE_LIMIT_FACTOR: "100",
        // Social sign-in (ADR 037): tests/http/social-sign-in.test.ts starts this provider (oidc-provider).
        ...localOidcVars(),
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_TRACES_SAMPLER_ARG: "0",
      },
      output,
      timeouts: { web: 60_000, party: 60_000, build: 180_000 },
    });
  } catch (error) {
    await otlp.stop();
    await db.close();
    throw new Error(`${(error as Error).message} (log: ${logFile})`);
  }
  project.provide("baseUrl", stack.url);
  project.provide("databaseUrl", db.url!);
  project.provide("workerVars", stack.vars);
  project.provide("otlpUrl", otlp.url);

  return async () => {
    await stack.stop("tests done");
    await otlp.stop();
    output.end();
    await db.close();
  };
}
