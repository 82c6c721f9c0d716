/**
 * The edge's /metrics (ADR 029) against the built worker: a service token reads the text format,
 * counts rise with the requests made, and no one else reads it.
 */
import { describe, expect, inject, it } from "vitest";
import { issueToken } from "../../party/tokens";
import { sql } from "drizzle-orm";
import { rows } from "../../db/db";
import { insertDueAlerts } from "../support/push-alerts";
import { startPushService } from "../support/push-service";
import { api, baseUrl, Browser, openDb, uniqueName } from "./client";

async function scrape(): Promise<string> {
  const token = await issueToken(inject("workerVars").ROOM_SECRET!, "service", "test", 60);
  const res = await fetch(`${baseUrl()}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return res.text();
}

const countOf = (text: string, route: string, status: number) =>
  Number(new RegExp(`^bazaar_edge_requests_total\\{route="${route.replace(/[/.]/g, "\\$&")}",status="${status}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0);

describe("edge /metrics", () => {
  it("refuses callers without a service token", async () => {
    expect((await fetch(`${baseUrl()}/metrics`)).status).toBe(401);
    expect((await fetch(`${baseUrl()}/metrics`, { headers: { Authorization: "Bearer player.x.1.y" } })).status).toBe(401);
    expect((await fetch(`${baseUrl()}/metrics`, { method: "POST" })).status).toBe(405);
  });

  it("counts requests by route and status, with consistent histograms", async () => {
    const first = await fetch(`${baseUrl()}/api/v1/orders/999`);
    await first.arrayBuffer();
    const before = countOf(await scrape(), "/api/v1/orders/:id", first.status);
    for (let i = 0; i < 3; i++) expect((await fetch(`${baseUrl()}/api/v1/orders/${1000 + i}`)).status).toBe(first.status);
    const text = await scrape();
    expect(countOf(text, "/api/v1/orders/:id", first.status)).toBe(before + 3);
    expect(text).not.toMatch(/route="[^"]*\d{4}/); // the ids never reach a label
    const inf = Number(/^bazaar_edge_request_seconds_bucket\{route="\/api\/v1\/orders\/:id",le="\+Inf"\} (\d+)$/m.exec(text)![1]);
    const count = Number(/^bazaar_edge_request_seconds_count\{route="\/api\/v1\/orders\/:id"\} (\d+)$/m.exec(text)![1]);
    expect(inf).toBe(count);
  });
});

const valueOf = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}".=]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? 0);

describe("edge outcome metrics (ADR 040)", () => {
  it("counts sign-in results by code", async () => {
    const name = uniqueName("Met");
    expect((await new Browser().signUp(name, "correct-horse-9")).res.status).toBe(302);
    const before = await scrape();
    expect((await api("/tokens", { method: "POST", json: { username: name, password: "wrong-horse-99", label: "m" } })).status).toBe(401);
    expect((await api("/tokens", { method: "POST", json: { username: name, password: "wrong-horse-99", label: "m" } })).status).toBe(401);
    expect((await api("/tokens", { method: "POST", json: { username: name, password: "correct-horse-9", label: "m" } })).status).toBe(201);
    const after = await scrape();
    expect(valueOf(after, 'bazaar_edge_sign_ins_total{result="invalid_credentials"}')).toBe(valueOf(before, 'bazaar_edge_sign_ins_total{result="invalid_credentials"}') + 2);
    expect(valueOf(after, 'bazaar_edge_sign_ins_total{result="ok"}')).toBe(valueOf(before, 'bazaar_edge_sign_ins_total{result="ok"}') + 1);
  });

  it("reads the push outbox's depth and lag from Postgres and counts the drain's results", async () => {
    const service = await startPushService(0);
    try {
      const name = uniqueName("Out");
      expect((await new Browser().signUp(name, "correct-horse-9")).res.status).toBe(302);
      const token = (await api("/tokens", { method: "POST", json: { username: name, password: "correct-horse-9", label: "m" } })).body.token as string;
      const me = (await api("/me", { token })).body.id as string;
      const device = service.device();
      expect((await api("/push/subscriptions", { method: "POST", token, json: { endpoint: device.endpoint, expirationTime: null, keys: device.keys } })).status).toBe(201);
      const db = (await openDb()).db;
      const due = async () => (await rows<{ n: number }>(db, sql`select count(*)::int as n from alerts where push_state = 'due'`))[0]!.n;
      const alerts = await insertDueAlerts(db, me, 3);
      // One of them has waited two minutes: the lag says so.
      await db.execute(sql`update alerts set push_next_at = now() - interval '120 seconds' where id = ${alerts[0]!.id}::uuid`);
      const before = await scrape();
      expect(valueOf(before, "bazaar_edge_push_outbox_due")).toBe(await due());
      expect(valueOf(before, "bazaar_edge_push_outbox_due")).toBeGreaterThanOrEqual(3);
      expect(valueOf(before, "bazaar_edge_push_outbox_lag_seconds")).toBeGreaterThanOrEqual(120);
      const drained = await fetch(`${baseUrl()}/__push/drain`, { method: "POST", headers: { Authorization: `Bearer ${await issueToken(inject("workerVars").ROOM_SECRET!, "service", "test", 60)}` } });
      const report = (await drained.json()) as Record<string, number>;
      expect(report.sent).toBeGreaterThanOrEqual(3);
      const after = await scrape();
      for (const result of ["sent", "delivered"]) {
        expect(valueOf(after, `bazaar_edge_push_total{result="${result}"}`)).toBe(valueOf(before, `bazaar_edge_push_total{result="${result}"}`) + report[result]!);
      }
      expect(valueOf(after, "bazaar_edge_push_outbox_due")).toBe(await due());
      expect(service.delivered(device)).toHaveLength(3);
    } finally {
      await service.close();
    }
  });
});
