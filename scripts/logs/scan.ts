/**
 * `npm run logs:scan` and the last step of `npm test` (issue 21): the servers' logs of a run must
 * hold no password, session or API token, cookie, room/session/server secret or VAPID private key.
 * Looks in every file under .data/logs for:
 *  - the values of the secrets the run's stacks were given (the ledger, secrets-ledger.ts);
 *  - the passwords the tests and the demo world sign in with;
 *  - shapes that carry credentials whatever their value: `Authorization: Bearer <token>`, a `token=`
 *    query parameter, a session cookie with its value, a JSON "password" field with a value.
 * Prints each hit as file:line and what it is (never the value), exit 1 when there is any.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface Hit {
  file: string;
  line: number;
  what: string;
}

/** Fixed passwords of the demo world and the test suites (short, so matched as they are). */
export const KNOWN_PASSWORDS = ["bazaar-demo-2026", "correct-horse-9", "fills-test-9", "poison-test-9"];

const SHAPES: Array<[RegExp, string]> = [
  [/\bBearer\s+[A-Za-z0-9._~+/-]{16,}/i, "a bearer token"],
  [/[?&](?:token|access_token|key)=[A-Za-z0-9._~%+/-]{16,}/, "a token in a URL"],
  [/(?:__Host-)?bazaar_session=[A-Za-z0-9._~%+/-]{16,}/, "a session cookie"],
  [/"password"\s*:\s*"[^"]+"/, "a password field"],
];

export function readLedger(file: string): Array<{ name: string; value: string }> {
  if (!existsSync(file)) return [];
  const seen = new Map<string, string>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0 && line.length - tab > 8) seen.set(line.slice(tab + 1), line.slice(0, tab));
  }
  return [...seen].map(([value, name]) => ({ name, value }));
}

function* filesUnder(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    const st = statSync(full);
    if (st.isDirectory()) yield* filesUnder(full);
    else if (st.isFile() && st.size < 200 * 2 ** 20) yield full;
  }
}

export function scanLogs(dir: string, secrets: Array<{ name: string; value: string }>, passwords = KNOWN_PASSWORDS): { files: number; hits: Hit[] } {
  const hits: Hit[] = [];
  let files = 0;
  const literals = [...secrets.map((s) => ({ value: s.value, what: `the value of ${s.name}` })), ...passwords.map((p) => ({ value: p, what: "a test or demo password" }))];
  for (const file of filesUnder(dir)) {
    files++;
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((text, i) => {
      for (const l of literals) if (text.includes(l.value)) hits.push({ file, line: i + 1, what: l.what });
      for (const [shape, what] of SHAPES) if (shape.test(text)) hits.push({ file, line: i + 1, what });
    });
  }
  return { files, hits };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
  const dir = process.argv[2] ?? path.join(root, ".data", "logs");
  const ledger = process.env.BAZAAR_SECRETS_LEDGER ?? path.join(root, ".data", "test-results", "secrets-ledger.txt");
  const secrets = readLedger(ledger);
  const { files, hits } = scanLogs(dir, secrets);
  for (const h of hits.slice(0, 50)) console.log(`  ${path.relative(root, h.file)}:${h.line}: ${h.what}`);
  if (hits.length > 50) console.log(`  ... and ${hits.length - 50} more`);
  console.log(`logs:scan: ${files} log file(s) under ${path.relative(root, dir) || dir}, ${secrets.length} secret value(s) from the run's stacks, ${KNOWN_PASSWORDS.length} known passwords, ${SHAPES.length} credential shapes: ${hits.length === 0 ? "nothing found" : `${hits.length} hit(s)`}`);
  process.exit(hits.length === 0 ? 0 : 1);
}
