/**
 * My sessions and tokens (issue 20) on PGlite and on the real Postgres: the list shows where each
 * was opened and marks the current one; revoking one or all others ends only my other sessions;
 * a sign-in from a device this player never used writes one "sign_in" alert through the outbox.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { listMySessions, recordSessionDevice, revokeMySession, revokeOtherSessions } from "../../db/security/sessions";
import { findSession, openSession } from "../../edge/auth/sessions.server";
import { openTestDb, type TestDb } from "../support/db";
import { addPlayer } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

const signInAlerts = (playerId: string) =>
  rows<{ title: string; url: string }>(t.db, sql`select title, url from alerts where player_id = ${playerId} and kind = 'sign_in' order by created_at`);

async function signIn(playerId: string, device: string, deviceKey: string | null, place: string | null = null) {
  const s = await openSession(t.db, playerId, "web");
  const r = await recordSessionDevice(t.db, { sessionId: s.id, playerId, device, place, deviceKey });
  return { ...s, newDevice: r.newDevice };
}

describe(`sessions and devices on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("alerts a sign-in from a new device once, never the first sign-up or a known device or a token", async () => {
    const me = await addPlayer(t.db);
    expect((await signIn(me, "Chrome on Android", "phone")).newDevice).toBe(false); // the first ever
    expect((await signIn(me, "Chrome on Android", "phone")).newDevice).toBe(false); // same device
    const token = await openSession(t.db, me, "api", "bot");
    expect((await recordSessionDevice(t.db, { sessionId: token.id, playerId: me, device: "API client", place: null, deviceKey: null, apiToken: true })).newDevice).toBe(false);
    expect((await signIn(me, "Firefox on Windows", "laptop", "Berlin, DE")).newDevice).toBe(true);
    expect(await signInAlerts(me)).toEqual([{ title: "New sign-in: Firefox on Windows near Berlin, DE", url: "/sessions" }]);
    expect((await signIn(me, "Firefox on Windows", "laptop")).newDevice).toBe(false);
    expect(await signInAlerts(me)).toHaveLength(1);
  });

  it("lists my live sessions and tokens with device and place, marks the current one, revokes one and all others", async () => {
    const me = await addPlayer(t.db);
    const other = await addPlayer(t.db);
    const phone = await signIn(me, "Chrome on Android", "phone", "Lyon, FR");
    const laptop = await signIn(me, "Firefox on Windows", "laptop");
    const token = await openSession(t.db, me, "api", "price bot");
    const theirs = await signIn(other, "Safari on iOS", "x");

    const list = await listMySessions(t.db, me, phone.id);
    expect(list.map((s) => [s.kind, s.device, s.place, s.label, s.current]).sort()).toEqual(
      [["api", null, null, "price bot", false], ["web", "Chrome on Android", "Lyon, FR", null, true], ["web", "Firefox on Windows", null, null, false]].sort(),
    );
    expect(list.some((s) => s.id === theirs.id)).toBe(false);

    expect(await revokeMySession(t.db, me, theirs.id, phone.id)).toBe(false); // not mine
    expect(await revokeMySession(t.db, me, phone.id, phone.id)).toBe(false); // the current one: sign out instead
    expect(await revokeMySession(t.db, me, laptop.id, phone.id)).toBe(true);
    expect(await findSession(t.db, laptop.token, "web")).toBeUndefined();
    expect(await revokeMySession(t.db, me, laptop.id, phone.id)).toBe(false); // already ended

    expect(await revokeOtherSessions(t.db, me, phone.id)).toBe(1); // the token
    expect(await findSession(t.db, token.token, "api")).toBeUndefined();
    expect(await findSession(t.db, phone.token, "web")).toBeDefined();
    expect(await findSession(t.db, theirs.token, "web")).toBeDefined();
    expect((await listMySessions(t.db, me, phone.id)).map((s) => s.id)).toEqual([phone.id]);
  });
});
