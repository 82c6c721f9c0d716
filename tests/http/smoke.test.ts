/**
 * `npm run smoke -- <url>` (scripts/smoke.ts, docs/deploy.md) against the local stack this suite
 * starts (tests/http/setup.ts: built worker, real rooms, real Postgres): the same command an
 * operator runs after a deploy, as a separate process, bounded in time. Its output: .data/logs/smoke.log.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/paths";
import { api, baseUrl } from "./client";

const runSmoke = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/smoke.ts", ...args], { cwd: repoRoot, encoding: "utf8", timeout: 120_000, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/tmp" } });

describe("npm run smoke", () => {
  it("signs up two players, trades between them over /api/v1 and reconciles their holdings", () => {
    const r = runSmoke(baseUrl());
    writeFileSync(path.join(repoRoot, ".data", "logs", "smoke.log"), `${r.stdout}${r.stderr}`);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/^ok signed up seller smoke_/));
    expect(lines).toContainEqual(expect.stringMatching(/^ok ledger: /));
    expect(lines.at(-1)).toMatch(/^smoke ok url=http:\/\/127\.0\.0\.1:\d+ market=copper-ore price=\d+ quantity=\d+ seller_fee=\d+ buyer_fee=\d+$/);
  }, 150_000);

  it("fails naming the step when the market cannot be traded", async () => {
    expect((await api("/markets/no-such-market")).status).toBe(404);
    const r = runSmoke(baseUrl(), "--market", "no-such-market");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^smoke FAILED at getMarket: GET \/api\/v1\/markets\/no-such-market -> 404/);
  }, 150_000);

  it("asks for a URL", () => {
    const r = runSmoke();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage: npm run smoke -- <url>");
  }, 60_000);
});
