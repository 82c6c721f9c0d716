/**
 * The secrets a test run handed to its servers, so that the log scan (scripts/logs/scan.ts) can
 * look for their values afterwards. Only when BAZAAR_SECRETS_LEDGER names a file (npm test sets it
 * under .data/test-results/): the stacks append the values of the variables that are secrets
 * (edge/env.server.ts SECRET_NAMES, plus NPC_SECRET); nothing is written otherwise.
 */
import { appendFileSync } from "node:fs";
import { SECRET_NAMES } from "../../edge/env.server";

const EXTRA = ["NPC_SECRET"];

/** Appends the secret values among `vars` (one per line, name TAB value) to the ledger, if any. */
export function recordSecrets(vars: Record<string, string | undefined>, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.BAZAAR_SECRETS_LEDGER;
  if (!file) return;
  const lines = Object.entries(vars)
    .filter(([name, value]) => value && (SECRET_NAMES.has(name) || EXTRA.includes(name) || /^OIDC_[A-Z0-9]+_CLIENT_SECRET$/.test(name)))
    // A connection string is a secret for its password only (the rest is in every log line's place).
    .map(([name, value]) => [name, name === "DATABASE_URL" ? (safeUrlPassword(value!) ?? "") : value!] as const)
    .filter(([, value]) => value.length >= 8)
    .map(([name, value]) => `${name}\t${value}\n`);
  if (lines.length) appendFileSync(file, lines.join(""));
}

function safeUrlPassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    // The local servers' trust-auth placeholders are not secrets.
    return password && password !== "postgres" ? password : undefined;
  } catch {
    return undefined;
  }
}
