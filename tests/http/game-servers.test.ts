/**
 * The game-server API on the built worker (wrangler dev, workerd) with real rooms (partykit dev) on
 * the real Postgres: WebCrypto HMAC and AES-GCM and the JSON-schema validator run in workerd; a
 * freeze cancels the player's resting orders through the room, and the player's socket and API
 * calls are refused with a clear message until the unfreeze.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { gameServerClient, newIdempotencyKey } from "../../clients/game-server";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows } from "../../db/db";
import { createServer } from "../../db/game-servers";
import { signUp } from "../../edge/auth/signup.server";
import type { ServerMessage } from "../../party/protocol";
import { RoomCode } from "../../party/settlement/codes";
import { api, baseUrl, openDb, uniqueName } from "./client";

const MARKET = "bread"; // tick 1, lot 1; every new player's starter kit has 10
let client: ReturnType<typeof gameServerClient>;
let keyId: string;
let secret: string;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  const db = (await openDb()).db;
  const made = await createServer(db, inject("workerVars").SESSION_SECRET!, {
    name: uniqueName("gs").replace(/_/g, "-"), scopes: ["mint:currency", "mint:items", "burn", "catalog", "players:freeze", "players:read", "events:read"],
    mintLimits: { currency: 10_000_000, items: 10_000 }, createdBy: "test",
  });
  if (!made.ok) throw new Error(made.message);
  ({ keyId, secret } = made);
  client = gameServerClient({ baseUrl: baseUrl(), keyId, secret });
});
afterAll(() => {
  for (const s of sockets) s.terminate();
});

async function newPlayer() {
  const db = (await openDb()).db;
  const username = uniqueName("gp");
  const made = await signUp(db, { username, password: "correct-horse-9" });
  if (!made.ok) throw new Error(made.message);
  const t = await api("/tokens", { method: "POST", json: { username, password: "correct-horse-9", label: "gs test" } });
  return { id: made.playerId, token: t.body.token as string };
}

describe("game-server API on the worker", () => {
  it("verifies signatures in workerd, mints once per Idempotency-Key, validates unique metadata", async () => {
    const p = await newPlayer();
    const idem = newIdempotencyKey("loot");
    const mint = () => client.POST("/api/v1/server/currency/mint", { params: { header: { "Idempotency-Key": idem } }, body: { playerId: p.id, amount: 1_234 } });
    const [a, b] = [await mint(), await mint()];
    expect(a.response.status).toBe(201);
    expect(b.response.headers.get("Idempotent-Replayed")).toBe("true");
    const wrong = gameServerClient({ baseUrl: baseUrl(), keyId, secret: `${secret}x` });
    const refused = await wrong.POST("/api/v1/server/currency/mint", { params: { header: { "Idempotency-Key": newIdempotencyKey() } }, body: { playerId: p.id, amount: 1 } });
    expect([refused.response.status, refused.error?.error.code]).toEqual([401, "bad_signature"]);
    const old = gameServerClient({ baseUrl: baseUrl(), keyId, secret, now: () => Date.now() - 600_000 });
    expect((await old.GET("/api/v1/server/me")).error?.error.code).toBe("timestamp_out_of_window");
    const inv = await client.GET("/api/v1/server/players/{id}/inventory", { params: { path: { id: p.id } } });
    expect(inv.data?.balance.available).toBe(100_000 + 1_234); // starter kit + one mint

    const slug = uniqueName("relic").replace(/_/g, "-");
    const type = await client.POST("/api/v1/server/item-types", {
      params: { header: { "Idempotency-Key": newIdempotencyKey() } },
      body: { slug, name: "Relic", description: "Old.", category: "cosmetics", icon: "🏺", stackable: false, metadataSchema: { type: "object", properties: { age: { type: "integer", minimum: 0 } }, required: ["age"] } },
    });
    expect(type.response.status).toBe(201);
    const badMeta = await client.POST("/api/v1/server/items/mint", { params: { header: { "Idempotency-Key": newIdempotencyKey() } }, body: { playerId: p.id, itemType: slug, metadata: { age: -1 } } });
    expect([badMeta.response.status, badMeta.error?.error.code]).toEqual([400, "invalid_metadata"]);
    const good = await client.POST("/api/v1/server/items/mint", { params: { header: { "Idempotency-Key": newIdempotencyKey() } }, body: { playerId: p.id, itemType: slug, metadata: { age: 900 } } });
    expect(good.response.status).toBe(201);
  });

  it("the example game server in docs/ pays a raid's loot, reads an inventory, mirrors the grants from the feed and gets them by webhook", async () => {
    const [a, b] = [await newPlayer(), await newPlayer()];
    const example = promisify(execFile)(process.execPath, ["--import", "tsx", "docs/game-server-example.ts", a.id, b.id], {
      env: { ...process.env, BAZAAR_URL: baseUrl(), BAZAAR_KEY_ID: keyId, BAZAAR_SECRET: secret, BAZAAR_WEBHOOK_WAIT: "60" }, timeout: 90_000,
    });
    // Webhooks go out on the cron trigger (every minute under npm start): fire it while the example waits.
    let done = false;
    void example.finally(() => (done = true)).catch(() => {});
    while (!done) {
      await fetch(`${baseUrl()}/__scheduled?cron=${encodeURIComponent("* * * * *")}`).then((r) => r.text()).catch(() => "");
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const { stdout } = await example;
    expect(stdout).toMatch(/paid 4 lines/);
    expect(stdout).toMatch(/1025\.00 gold available; .*1 Dragon Scale/);
    expect(stdout).toMatch(/feed: \d+ minted events in \d+ pages, 4 of them the raid's grants; next time BAZAAR_FEED_CURSOR=f1\.\d+\.\d+/);
    expect(stdout).toMatch(/webhook: 4 of the raid's 4 grants delivered, signatures checked/);
  }, 120_000);

  it("freezes a trading player: resting orders cancelled through the room, socket and API refused; unfreeze restores", async () => {
    const p = await newPlayer();
    const sell = await api(`/markets/${MARKET}/orders`, { method: "POST", token: p.token, json: { clientOrderId: uniqueName("s"), side: "sell", orderType: "limit", price: 99_000, quantity: 4 } });
    expect(sell.status).toBe(200);
    const t = await api(`/markets/${MARKET}/connect-token`, { method: "POST", token: p.token });
    const ws = new WebSocket(`ws://${t.body.host}/parties/main/${MARKET}?token=${encodeURIComponent(t.body.token)}`);
    sockets.push(ws);
    const messages: ServerMessage[] = [];
    ws.on("message", (d) => messages.push(JSON.parse(String(d)) as ServerMessage));
    await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
    const answer = async (ref: string) => {
      for (let i = 0; i < 250; i++) {
        const m = messages.find((x) => x.type === "answer" && x.ref === ref);
        if (m && m.type === "answer") return m.answer;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no answer to ${ref}`);
    };
    ws.send(JSON.stringify({ type: "place", ref: "b1", clientOrderId: uniqueName("b"), side: "buy", orderType: "limit", price: 1, quantity: 3 }));
    expect((await answer("b1")).ok).toBe(true);

    const frozen = await client.POST("/api/v1/server/players/{id}/freeze", { params: { path: { id: p.id }, header: { "Idempotency-Key": newIdempotencyKey() } }, body: { reason: "chargeback under review" } });
    expect(frozen.data).toMatchObject({ frozen: true, changed: true, ordersCancelledIn: [MARKET], cancelFailedIn: [] });
    const db = (await openDb()).db;
    const [left] = await rows<{ n: number; reserved: string }>(db, sql`
      select (select count(*)::int from orders where player_id = ${p.id} and status = 'open') as n,
        (select (b.reserved + coalesce(sum(h.reserved), 0))::text from balances b left join holdings h on h.player_id = b.player_id where b.player_id = ${p.id} group by b.reserved) as reserved`);
    expect(left).toEqual({ n: 0, reserved: "0" });

    ws.send(JSON.stringify({ type: "place", ref: "b2", clientOrderId: uniqueName("b"), side: "buy", orderType: "limit", price: 1, quantity: 1 }));
    const refused = await answer("b2");
    expect(refused).toMatchObject({ ok: false, code: RoomCode.ACCOUNT_FROZEN, reason: "ACCOUNT_FROZEN" });
    expect(refused.message).toMatch(/frozen/);
    const viaApi = await api("/inventory", { token: p.token });
    expect([viaApi.status, viaApi.body.error.code]).toEqual([403, "account_frozen"]);
    expect(viaApi.body.error.message).toMatch(/chargeback under review/);
    const report = await checkLedger(db);
    expect(report.problems).toEqual([]);
    expect((await replay(db)).differences).toEqual([]);

    const thawed = await client.POST("/api/v1/server/players/{id}/unfreeze", { params: { path: { id: p.id }, header: { "Idempotency-Key": newIdempotencyKey() } }, body: {} });
    expect(thawed.data).toMatchObject({ frozen: false, changed: true });
    const again = await api(`/markets/${MARKET}/orders`, { method: "POST", token: p.token, json: { clientOrderId: uniqueName("s"), side: "sell", orderType: "limit", price: 99_000, quantity: 1 } });
    expect(again.status).toBe(200);
    ws.send(JSON.stringify({ type: "place", ref: "b3", clientOrderId: uniqueName("b"), side: "buy", orderType: "limit", price: 1, quantity: 1 }));
    expect((await answer("b3")).ok).toBe(true);
  });
});
