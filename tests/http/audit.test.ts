/**
 * Audit search over HTTP (issue 18, ADR 020) on the built worker and the real Postgres: staff find
 * a player's events, page by cursor, export CSV and read an event's story; a player gets 403,
 * anonymous 401, bad filters 400 naming the problem.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { auditIndexConsumer } from "../../db/audit-search/index";
import { runConsumer } from "../../db/consumers/run";
import { withTx } from "../../db/db";
import * as ledger from "../../db/ledger";
import { signUp } from "../../edge/auth/signup.server";
import { api, baseUrl, openDb, uniqueName } from "./client";
import { enrolSecondFactor } from "../support/second-factor";

async function newPlayer(roles?: string) {
  const db = (await openDb()).db;
  const username = uniqueName("au");
  const made = await signUp(db, { username, password: "correct-horse-9" });
  if (!made.ok) throw new Error(made.message);
  if (roles) await db.execute(sql`update players set roles = ${roles}::text[] where id = ${made.playerId}`);
  const t = await api("/tokens", { method: "POST", json: { username, password: "correct-horse-9", label: "audit test" } });
  // Staff power needs a second factor (ADR 035); enrolled after the token (a token then needs a code too).
  if (roles) {
    const vars = inject("workerVars");
    await enrolSecondFactor(db, made.playerId, vars.SERVER_KEY_SECRET ?? vars.SESSION_SECRET!);
  }
  return { id: made.playerId, token: t.body.token as string };
}

let support: { id: string; token: string };
let player: { id: string; token: string };
let target: { id: string; token: string };
beforeAll(async () => {
  support = await newPlayer("{player,support}");
  player = await newPlayer();
  target = await newPlayer();
  const db = (await openDb()).db;
  await withTx(db, async (tx) => {
    for (let i = 0; i < 12; i++) await ledger.mint(tx, { actor: "server:audit-test" }, { playerId: target.id, asset: ledger.CURRENCY, amount: 1_000 + i });
  });
  await runConsumer(db, auditIndexConsumer, 1_000, 1_000);
});

describe("GET /api/v1/admin/events", () => {
  it("finds a player's events for staff, newest first, and pages by cursor without a repeat", async () => {
    const first = await api(`/admin/events?player=${target.id}&type=minted&limit=5`, { token: support.token });
    expect(first.status).toBe(200);
    expect(first.body.events).toHaveLength(5);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const seen = first.body.events.map((e: { eventId: string }) => e.eventId);
    let cursor = first.body.nextCursor as string | null;
    while (cursor) {
      const next = await api(`/admin/events?player=${target.id}&type=minted&limit=5&cursor=${encodeURIComponent(cursor)}`, { token: support.token });
      seen.push(...next.body.events.map((e: { eventId: string }) => e.eventId));
      cursor = next.body.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    // 12 mints, plus the starter kit's, if sign-up mints one.
    expect(seen.length).toBeGreaterThanOrEqual(12);
    const text = await api(`/admin/events?q=${encodeURIComponent('"audit-test" 1007')}`, { token: support.token });
    expect(text.body.events).toHaveLength(1);
  });

  it("exports CSV and tells an event's story", async () => {
    const res = await fetch(`${baseUrl()}/api/v1/admin/events?player=${target.id}&type=minted&limit=3&format=csv`, { headers: { Authorization: `Bearer ${support.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]).toBe("created_at,event_id,type,actor,stream,version,correlation_id,causation_id,payload");
    expect(lines).toHaveLength(4);
    const eventId = lines[1]!.split(",")[1]!;
    const story = await api(`/admin/events/${eventId}`, { token: support.token });
    expect(story.status).toBe(200);
    expect(story.body.event).toMatchObject({ eventId, type: "minted", actor: "server:audit-test" });
    expect(story.body.related.map((e: { eventId: string }) => e.eventId)).toContain(eventId);
    const missing = await api(`/admin/events/${crypto.randomUUID()}`, { token: support.token });
    expect([missing.status, missing.body.error.code]).toEqual([404, "unknown_event"]);
  });

  it("refuses players (403) and anonymous callers (401), and names bad filters (400)", async () => {
    const forbidden = await api(`/admin/events?player=${target.id}`, { token: player.token });
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, "forbidden"]);
    expect((await api(`/admin/events/${crypto.randomUUID()}`, { token: player.token })).status).toBe(403);
    expect((await api("/admin/events")).status).toBe(401);
    for (const [query, words] of [
      ["player=nope", "player must be a player's id"],
      ["type=Not A Type", "type must be an event type"],
      ["from=yesterday", "from must be an ISO date"],
      ["from=2026-12-05&to=2026-12-04", "from must be before to"],
      ["limit=0", "limit must be at least 1"],
      ["cursor=abc", "cursor is not one this search handed out"],
      ["colour=red", "colour"],
    ] as const) {
      const bad = await api(`/admin/events?${query}`, { token: support.token });
      expect(bad.status, query).toBe(400);
      expect(JSON.stringify(bad.body.error), query).toContain(words);
    }
  });
});
