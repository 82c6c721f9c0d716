/**
 * The game servers' event feed and webhooks through the real /api/v1 router (signed requests):
 * scope events:read required; the feed pages every event once after its cursor; a bad cursor or type
 * is a 400 naming it; a webhook (its secret recomputed on request, never stored) receives the events,
 * signed; another server cannot see or stop it.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { verifyDelivery } from "../../db/feed/signing";
import { deliverWebhooks } from "../../db/feed/webhooks";
import { createServer, type Scope } from "../../db/game-servers";
import { openTestDb, testDbTarget, type TestDb } from "../support/db";
import { apiContext, MASTER, signed, type Key } from "../support/game-server";
import { addPlayer } from "../support/world";

let t: TestDb;
let receiver: Server;
let hookUrl: string;
const bodies: string[] = [];
const headers: Array<{ timestamp: string; signature: string }> = [];
beforeAll(async () => {
  t = await openTestDb({ poolSize: 8 });
  receiver = createHttpServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      bodies.push(body);
      headers.push({ timestamp: String(req.headers["bazaar-timestamp"]), signature: String(req.headers["bazaar-signature"]) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  receiver?.close();
  await t?.close();
});

async function newServer(scopes: Scope[]) {
  const made = await createServer(t.db, MASTER, { name: `gs-${Math.random().toString(36).slice(2, 10)}`, scopes, mintLimits: { currency: 1e12, items: 1e6 }, createdBy: "test" });
  if (!made.ok) throw new Error(made.message);
  return { keyId: made.keyId, secret: made.secret } as Key;
}

describe(`game servers' feed and webhooks on ${testDbTarget()}`, () => {
  it("pages the feed, refuses bad input and missing scope, delivers signed webhooks to their owner only", async () => {
    const context = apiContext(t.db);
    const reader = await newServer(["mint:currency", "events:read"]);
    const stranger = await newServer(["events:read"]);
    const minter = await newServer(["mint:currency"]);
    const player = await addPlayer(t.db);
    for (let i = 0; i < 5; i++) expect((await signed(context, { key: reader, path: "/api/v1/server/currency/mint", body: { playerId: player, amount: 100 + i } })).status).toBe(201);

    expect((await signed(context, { key: minter, path: "/api/v1/server/events" })).status).toBe(403);
    const bad = await signed(context, { key: reader, path: "/api/v1/server/events?after=nope" });
    expect([bad.status, bad.json.error.code]).toEqual([400, "invalid_cursor"]);
    expect((await signed(context, { key: reader, path: "/api/v1/server/events?types=Bad-Type" })).json.error.message).toMatch(/Bad-Type/);

    // Paged 2 at a time: the five mints once each, in order.
    const amounts: number[] = [];
    let after = "";
    for (let page = 0; page < 20; page++) {
      const r = await signed(context, { key: reader, path: `/api/v1/server/events?types=minted&limit=2${after ? `&after=${after}` : ""}` });
      expect(r.status).toBe(200);
      amounts.push(...r.json.events.map((e: { payload: { postings: Array<{ available: number }> } }) => e.payload.postings[0]!.available));
      after = r.json.cursor;
      if (!r.json.more) break;
    }
    expect(amounts).toEqual([100, 101, 102, 103, 104]);

    // A webhook from the start of the log; only https (or loopback outside production).
    expect((await signed(context, { key: reader, path: "/api/v1/server/webhooks", body: { url: "http://game.example/hook" } })).status).toBe(400);
    const made = await signed(context, { key: reader, path: "/api/v1/server/webhooks", body: { url: hookUrl, types: ["minted"], from: "start" } });
    expect(made.status).toBe(201);
    const id = made.json.webhook.id as string;
    expect(JSON.stringify(made.json)).not.toMatch(/whsec_/);
    const [stored] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from idempotency_keys where response::text like '%whsec_%'`);
    expect(stored!.n).toBe(0);
    const secret = (await signed(context, { key: reader, path: `/api/v1/server/webhooks/${id}/secret` })).json.secret as string;
    expect((await signed(context, { key: stranger, path: `/api/v1/server/webhooks/${id}/secret` })).status).toBe(404);
    expect((await signed(context, { key: stranger, method: "DELETE", path: `/api/v1/server/webhooks/${id}` })).status).toBe(404);

    for (let i = 0; i < 50 && bodies.length === 0; i++) await deliverWebhooks(t.db, { deploymentKey: context.env.SESSION_SECRET });
    const delivered = bodies.flatMap((b) => (JSON.parse(b) as { events: Array<{ type: string }> }).events);
    expect(delivered.map((e) => e.type)).toEqual(["minted", "minted", "minted", "minted", "minted"]);
    for (const [i, body] of bodies.entries()) expect(await verifyDelivery(secret, headers[i]!, body, Math.floor(Date.now() / 1000))).toBe(true);

    const off = await signed(context, { key: reader, method: "DELETE", path: `/api/v1/server/webhooks/${id}` });
    expect([off.status, off.json.webhook.disabled]).toEqual([200, true]);
    const listed = await signed(context, { key: reader, path: "/api/v1/server/webhooks" });
    expect(listed.json.webhooks.map((w: { id: string; delivered: number }) => [w.id, w.delivered])).toEqual([[id, 5]]);
  });
});
