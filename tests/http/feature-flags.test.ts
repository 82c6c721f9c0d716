/**
 * Feature flags through the built worker (issue 21, ADR 026): an admin turns the dashboard's flag
 * off for one player over /api/v1 (second factor and a code, as the policy says); the player's
 * flags, their home page and /dashboard follow within the isolate's cache time (FLAG_CACHE_TTL_MS,
 * 10 s here as deployed); every decision is counted by arm on /metrics and put on the request's
 * log line. The override is removed at the end: other test files use the dashboard.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { rows } from "../../db/db";
import { issueToken } from "../../party/tokens";
import { repoRoot } from "../../scripts/paths";
import { enrolSecondFactor } from "../support/second-factor";
import { api, baseUrl, Browser, openDb, uniqueName } from "./client";

const KEY = "traders-dashboard";
const TTL_MS = 10_000;

async function decisions(arm: "on" | "off"): Promise<number> {
  const token = await issueToken(inject("workerVars").ROOM_SECRET!, "service", "test", 60);
  const text = await (await fetch(`${baseUrl()}/metrics`, { headers: { Authorization: `Bearer ${token}` } })).text();
  return Number(new RegExp(`^bazaar_flag_decisions_total\\{flag="${KEY}",arm="${arm}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
}

describe("feature flags at the edge", () => {
  it("an admin's change reaches the player's flags, pages and the metrics within the cache time; refused without the role", async () => {
    const db = (await openDb()).db;
    // The player, signed in on the web and with a token.
    const b = new Browser();
    const name = uniqueName("ff");
    expect((await b.signUp(name)).res.status).toBe(302);
    const token = (await api("/tokens", { method: "POST", json: { username: name, password: "correct-horse-9", label: "flags" } })).body.token as string;
    expect((await api("/me/flags", { token })).body).toMatchObject({ flags: { [KEY]: true } });
    expect((await b.get("/dashboard")).res.status).toBe(200);
    const onBefore = await decisions("on");
    expect(onBefore).toBeGreaterThan(0);

    // A player may not change flags; an admin with a second factor and a code may.
    const change = { players: { [name]: false }, reason: "hold the dashboard back for this tester" };
    const refused = await api(`/admin/feature-flags/${KEY}`, { method: "PATCH", token, json: change });
    expect([refused.status, refused.body.error.code]).toEqual([403, "forbidden"]);
    const adminName = uniqueName("ffa");
    expect((await new Browser().signUp(adminName)).res.status).toBe(302);
    const [{ id: adminId }] = (await rows<{ id: string }>(db, sql`update players set roles = '{player,admin}' where username = ${adminName} returning id::text as id`)) as [{ id: string }];
    const adminToken = (await api("/tokens", { method: "POST", json: { username: adminName, password: "correct-horse-9", label: "flags" } })).body.token as string;
    const vars = inject("workerVars");
    const factor = await enrolSecondFactor(db, adminId, vars.SERVER_KEY_SECRET ?? vars.SESSION_SECRET!);
    const changed = await api(`/admin/feature-flags/${KEY}`, { method: "PATCH", token: adminToken, json: { ...change, code: factor.code() } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ changed: true, flag: { key: KEY, enabled: true, rolloutPercent: 100 } });
    // Stepped up now (10 minutes): a bad value is a 400 naming it, and changes nothing.
    const bad = await api(`/admin/feature-flags/${KEY}`, { method: "PATCH", token: adminToken, json: { rolloutPercent: 101, reason: "too much" } });
    expect([bad.status, bad.body.error.message]).toEqual([400, expect.stringContaining("rolloutPercent must be at most 100")]);
    expect((await api("/admin/feature-flags", { token: adminToken })).body.flags).toContainEqual(expect.objectContaining({ key: KEY, rolloutPercent: 100 }));
    const since = Date.now();
    try {
      // Within the cache time (and the slack of one request), the player's flag is off everywhere.
      let seen = -1;
      while (Date.now() - since < TTL_MS + 5_000) {
        if ((await api("/me/flags", { token })).body.flags[KEY] === false) {
          seen = Date.now() - since;
          break;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      console.log(`flag change seen by the player after ${seen} ms (cache ${TTL_MS} ms)`);
      expect(seen).toBeGreaterThanOrEqual(0);
      expect(seen).toBeLessThanOrEqual(TTL_MS + 1_000);
      const page = await b.get("/dashboard");
      expect(page.res.status).toBe(404);
      expect(page.html).toContain("not open to your account yet");
      expect((await b.get("/")).html).not.toContain('href="/dashboard"');
      expect(await decisions("off")).toBeGreaterThanOrEqual(3);
      // The request's log line carries the arm (edge/request-log.ts).
      const log = readFileSync(path.join(repoRoot, ".data", "logs", "http-stack.log"), "utf8");
      expect(log).toMatch(new RegExp(`"route":"/api/v1/me/flags".*"flags":\\{"${KEY}":"off"\\}`));
      // The change is in the audit log with the admin as actor.
      const [event] = await rows<{ actor: string; payload: { reason: string } }>(db, sql`select actor, payload from events where stream = ${`feature-flag:${KEY}`} order by version desc limit 1`);
      expect(event).toMatchObject({ actor: `operator:${adminId}`, payload: { reason: change.reason } });
    } finally {
      const back = await api(`/admin/feature-flags/${KEY}`, { method: "PATCH", token: adminToken, json: { players: { [name]: null }, reason: "test over" } });
      expect(back.status).toBe(200);
    }
  }, 60_000);
});
