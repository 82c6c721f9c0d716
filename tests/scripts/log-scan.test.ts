/** scripts/logs: the ledger of secrets a run handed out, and the scan of its logs for them. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readLedger, scanLogs } from "../../scripts/logs/scan";
import { recordSecrets } from "../../scripts/logs/secrets-ledger";

const dir = mkdtempSync(path.join(tmpdir(), "bazaar-logscan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the secrets ledger", () => {
  it("records the secret variables' values only when BAZAAR_SECRETS_LEDGER is set; a URL's password only", () => {
    const ledger = path.join(dir, "ledger.txt");
    recordSecrets({ SESSION_SECRET: "s".repeat(40), APP_ENV: "test" }, {});
    recordSecrets(
      { SESSION_SECRET: "a".repeat(40), ROOM_SECRET: "b".repeat(40), APP_ENV: "test", PARTY_HOST: "127.0.0.1:1999", DATABASE_URL: "postgres://app:hunter2hunter2@db.example/bazaar", NPC_SECRET: "n".repeat(20) },
      { BAZAAR_SECRETS_LEDGER: ledger },
    );
    recordSecrets({ DATABASE_URL: "postgres://postgres:postgres@127.0.0.1:5432/test" }, { BAZAAR_SECRETS_LEDGER: ledger });
    expect(readFileSync(ledger, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")[0])).toEqual(["SESSION_SECRET", "ROOM_SECRET", "DATABASE_URL", "NPC_SECRET"]);
    expect(readLedger(ledger)).toContainEqual({ name: "DATABASE_URL", value: "hunter2hunter2" });
  });
});

describe("the log scan", () => {
  it("finds handed-out secrets, known passwords and credential shapes, by file and line, and passes clean logs", () => {
    const logs = path.join(dir, "logs");
    mkdirSync(path.join(logs, "wrangler"), { recursive: true });
    writeFileSync(path.join(logs, "clean.log"), '[web] GET /api/v1/markets 200\n[web] env.ROOM_SECRET ("(hidden)")\n{"msg":"push drained","sent":3}\n');
    expect(scanLogs(logs, [{ name: "ROOM_SECRET", value: "b".repeat(40) }])).toEqual({ files: 1, hits: [] });

    writeFileSync(
      path.join(logs, "wrangler", "leaky.log"),
      [
        "ok line",
        `room secret ${"b".repeat(40)} printed`,
        "signed in with bazaar-demo-2026",
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123",
        "GET /parties/main/coal?token=eyJhbGciOiJIUzI1NiJ9.payload.sig",
        "Cookie: bazaar_session=0123456789abcdef0123456789",
        '{"username":"alice","password":"whatever"}',
      ].join("\n"),
    );
    const { hits } = scanLogs(logs, [{ name: "ROOM_SECRET", value: "b".repeat(40) }]);
    expect(hits.map((h) => [path.basename(h.file), h.line, h.what])).toEqual([
      ["leaky.log", 2, "the value of ROOM_SECRET"],
      ["leaky.log", 3, "a test or demo password"],
      ["leaky.log", 4, "a bearer token"],
      ["leaky.log", 5, "a token in a URL"],
      ["leaky.log", 6, "a session cookie"],
      ["leaky.log", 7, "a password field"],
    ]);
  });
});
