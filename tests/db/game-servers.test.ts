/**
 * The game-server API (issue 17) through the real /api/v1 router in Node, on PGlite and on the real
 * Postgres (TEST_DB): signatures refused with nothing changed, rotation and revocation, exactly-once
 * under 50 concurrent identical mints, batches all or nothing, mint limits, item types and their
 * metadata schemas, and a freeze during trading (orders cancelled through the room's session).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { replay } from "../../db/audit/replay";
import { rows, type Db } from "../../db/db";
import { addKey, createServer, freezePlayer, idempotent, revokeKey, type Scope } from "../../db/game-servers";
import * as offers from "../../db/offers";
import { withTx } from "../../db/db";
import { gameServerClient, newIdempotencyKey } from "../../clients/game-server";
import { allApiRoutes } from "../../edge/api/index.server";
import { dispatch } from "../../edge/api/router.server";
import { openSession } from "../../edge/auth/sessions.server";
import { enrolSecondFactor } from "../support/second-factor";
import { MarketSession } from "../../party/market/session";
import { RoomCode } from "../../party/settlement/codes";
import type { MarketCommand } from "../../party/settlement/types";
import { openTestDb, testDbTarget, type TestDb } from "../support/db";
import { apiContext, bearer, fakeRooms, MASTER, signed, type Key } from "../support/game-server";
import { addMarket, fundedTrader, wallet } from "../support/market";
import { addPlayer, balanceOf } from "../support/world";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 60 });
});
afterAll(async () => t?.close());

const ALL: Scope[] = ["mint:currency", "mint:items", "burn", "catalog", "players:freeze", "players:read"];
const BIG = { currency: 1_000_000_000_000, items: 1_000_000 };

async function newServer(scopes: Scope[] = ALL, mintLimits = BIG) {
  const made = await createServer(t.db, MASTER, { name: `gs-${Math.random().toString(36).slice(2, 10)}`, scopes, mintLimits, createdBy: "test" });
  if (!made.ok) throw new Error(made.message);
  return { server: made.server, key: { keyId: made.keyId, secret: made.secret } as Key };
}

/** Everything a refused call must leave as it was. */
async function snapshot(db: Db) {
  const [r] = await rows<Record<string, string>>(db, sql`select
    (select count(*) from events)::text as events,
    (select coalesce(sum(available + reserved), 0) from balances)::text as copper,
    (select coalesce(sum(available + reserved), 0) from holdings)::text as items,
    (select count(*) from items)::text as uniques,
    (select count(*) from idempotency_keys)::text as idem,
    (select coalesce(sum(amount), 0) from server_mint_usage)::text as usage,
    (select count(*) from item_types)::text as types,
    (select count(*) from players where status <> 'active')::text as inactive`);
  return r!;
}

const mint = (playerId: string, amount = 500) => ({ path: "/api/v1/server/currency/mint", body: { playerId, amount, reason: "quest" } });

describe(`game-server API on ${testDbTarget()}`, () => {
  it("refuses wrong secret, wrong body, old and future timestamps, a replay, a revoked key and a missing scope, changing nothing", async () => {
    const ctx = apiContext(t.db);
    const { key, server } = await newServer();
    const player = await addPlayer(t.db);
    const revoked = await newServer();
    expect((await revokeKey(t.db, revoked.server.name, revoked.key.keyId, "test")).ok).toBe(true);
    const readOnly = await newServer(["players:read"]);
    const ok = await signed(ctx, { ...mint(player), key });
    expect(ok.status).toBe(201);
    const before = await snapshot(t.db);

    const cases: Array<[string, Promise<{ status: number; json: Record<string, any> }>, number, string]> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
      ["wrong secret", signed(ctx, { ...mint(player), key, signSecret: "gss_not-the-secret" }), 401, "bad_signature"],
      ["wrong body", signed(ctx, { ...mint(player), key, sendBody: JSON.stringify({ playerId: player, amount: 5_000_000 }) }), 401, "bad_signature"],
      ["old timestamp", signed(ctx, { ...mint(player), key, nowMs: Date.now() - 360_000 }), 401, "timestamp_out_of_window"],
      ["future timestamp", signed(ctx, { ...mint(player), key, nowMs: Date.now() + 360_000 }), 401, "timestamp_out_of_window"],
      ["replay", signed(ctx, { ...mint(player), key, headers: ok.headers }), 401, "replayed_request"],
      ["unsigned", signed(ctx, { ...mint(player), key, headers: {} }), 401, "unsigned_request"],
    ];
    for (const [what, call, status, code] of cases) {
      const r = await call;
      expect(r.status, what).toBe(status);
      expect(r.json.error.code, what).toBe(code);
      expect(r.json.error.message.length, what).toBeGreaterThan(20);
    }
    expect((await signed(ctx, { ...mint(player), key, nowMs: Date.now() - 360_000 })).json.error.message).toMatch(/too old/);
    expect((await signed(ctx, { ...mint(player), key, nowMs: Date.now() + 360_000 })).json.error.message).toMatch(/ahead/);

    const r1 = await signed(ctx, { ...mint(player), key: revoked.key });
    expect([r1.status, r1.json.error.code]).toEqual([401, "unknown_key"]);

    const r2 = await signed(ctx, { ...mint(player), key: readOnly.key });
    expect([r2.status, r2.json.error.code]).toEqual([403, "missing_scope"]);
    expect(r2.json.error.message).toMatch(/mint:currency/);
    const r3 = await signed(ctx, { path: "/api/v1/server/grants", body: { grants: [{ kind: "stack", playerId: player, itemType: "x", quantity: 1 }] }, key: readOnly.key });
    expect([r3.status, r3.json.error.code]).toEqual([403, "missing_scope"]);

    expect(await snapshot(t.db)).toEqual(before);
    expect(server.name).toMatch(/^gs-/);
  });

  it("the generated typed client signs its requests: mints, retries with the same key, reads the inventory", async () => {
    const ctx = apiContext(t.db);
    const { key } = await newServer();
    const player = await addPlayer(t.db);
    const client = gameServerClient({ baseUrl: "http://bazaar.test", ...key, fetch: (r) => dispatch(allApiRoutes, r as Request, ctx) });
    const idem = newIdempotencyKey("loot");
    const send = () => client.POST("/api/v1/server/currency/mint", { params: { header: { "Idempotency-Key": idem } }, body: { playerId: player, amount: 250 } });
    const [first, retry] = [await send(), await send()];
    expect(first.data).toEqual({ kind: "currency", playerId: player, amount: 250 });
    expect(retry.response.headers.get("Idempotent-Replayed")).toBe("true");
    const inv = await client.GET("/api/v1/server/players/{id}/inventory", { params: { path: { id: player } } });
    expect(inv.data?.balance).toEqual({ available: 250, reserved: 0 });
    const bad = await client.POST("/api/v1/server/currency/mint", { params: { header: { "Idempotency-Key": newIdempotencyKey() } }, body: { playerId: player, amount: 0 } });
    expect(bad.error?.error.code).toBe("invalid_request");
  });

  it("refuses the replay of a request that failed (its nonce outlives the rolled-back transaction)", async () => {
    const ctx = apiContext(t.db);
    const { key } = await newServer();
    const player = await addPlayer(t.db);
    const failed = await signed(ctx, { path: "/api/v1/server/currency/burn", body: { playerId: player, amount: 50 }, key });
    expect([failed.status, failed.json.error.code]).toEqual([409, "insufficient_funds"]);
    expect((await signed(ctx, { ...mint(player, 100), key })).status).toBe(201);
    const replay = await signed(ctx, { path: "/api/v1/server/currency/burn", body: { playerId: player, amount: 50 }, key, headers: failed.headers });
    expect([replay.status, replay.json.error.code]).toEqual([401, "replayed_request"]);
    expect(await balanceOf(t.db, player)).toEqual({ available: 100, reserved: 0 });
  });

  it("rotates keys (two live at once, a third refused) and revokes", async () => {
    const ctx = apiContext(t.db);
    const { server, key } = await newServer();
    const second = await addKey(t.db, MASTER, server.name, "test");
    if (!second.ok) throw new Error(second.message);
    const third = await addKey(t.db, MASTER, server.name, "test");
    expect(third.ok || third.code).toBe("too_many_keys");
    for (const k of [key, second]) expect((await signed(ctx, { path: "/api/v1/server/me", key: k, idempotencyKey: null })).status).toBe(200);
    await revokeKey(t.db, server.name, key.keyId, "test");
    expect((await signed(ctx, { path: "/api/v1/server/me", key, idempotencyKey: null })).status).toBe(401);
    const me = await signed(ctx, { path: "/api/v1/server/me", key: second, idempotencyKey: null });
    expect(me.json).toMatchObject({ name: server.name, keyId: second.keyId, mintedThisHour: { currency: 0, items: 0 } });
    expect((await addKey(t.db, MASTER, server.name, "test")).ok).toBe(true);
  });

  it("mints once under 50 concurrent identical requests, and answers a retry after a lost answer from the store", async () => {
    const ctx = apiContext(t.db);
    const { key, server } = await newServer();
    const player = await addPlayer(t.db);
    const idem = `loot-${crypto.randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 50 }, () => signed(ctx, { ...mint(player, 777), key, idempotencyKey: idem })));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    for (const r of results) expect(r.json).toEqual(results[0]!.json);
    expect(results.filter((r) => r.replayed === "false")).toHaveLength(1);
    expect(await balanceOf(t.db, player)).toEqual({ available: 777, reserved: 0 });
    const [minted] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from events where type = 'minted' and stream = ${`player:${player}`}`);
    expect(minted!.n).toBe(1);

    const diff = await signed(ctx, { ...mint(player, 778), key, idempotencyKey: idem });
    expect([diff.status, diff.json.error.code]).toEqual([409, "idempotency_key_reused"]);
    expect(diff.json.error.message).toMatch(/different request/);

    // A unique item minted, the answer lost (the caller crashed after COMMIT): the retry gets the same item.
    const sword = await newUniqueType(ctx, key, { type: "object", properties: { damage: { type: "integer", minimum: 1 } }, required: ["damage"] });
    const idem2 = `drop-${crypto.randomUUID()}`;
    const first = await idempotent(t.db, `server:${server.id}`, "crash-test-key", "h1", async () => ({ status: 201, body: { n: 1 } }));
    expect(first).toMatchObject({ replayed: false });
    const again = await idempotent(t.db, `server:${server.id}`, "crash-test-key", "h1", async () => { throw new Error("must not act again"); });
    expect(again).toEqual({ status: 201, body: { n: 1 }, replayed: true });
    const lost = signed(ctx, { path: "/api/v1/server/items/mint", body: { playerId: player, itemType: sword, metadata: { damage: 9 } }, key, idempotencyKey: idem2 });
    const firstItem = (await lost).json.itemId; // the response object is dropped on the floor, as by a crash
    const retry = await signed(ctx, { path: "/api/v1/server/items/mint", body: { playerId: player, itemType: sword, metadata: { damage: 9 } }, key, idempotencyKey: idem2 });
    expect(retry).toMatchObject({ status: 201, replayed: "true" });
    expect(retry.json.itemId).toBe(firstItem);
    const [items] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from items where owner_id = ${player}`);
    expect(items!.n).toBe(1);
  });

  it("applies a batch of 40 players' loot all or nothing, naming a bad line by index", async () => {
    const ctx = apiContext(t.db);
    const { key } = await newServer();
    const ore = await newStackType(ctx, key);
    const crown = await newUniqueType(ctx, key, { type: "object", properties: { edition: { type: "integer" } }, required: ["edition"], additionalProperties: false });
    const raid = await Promise.all(Array.from({ length: 40 }, () => addPlayer(t.db)));
    const grants = raid.flatMap((p, i) => [
      { kind: "currency", playerId: p, amount: 1_000 + i },
      { kind: "stack", playerId: p, itemType: ore, quantity: 5 },
      ...(i % 10 === 0 ? [{ kind: "unique", playerId: p, itemType: crown, metadata: { edition: 2026 } }] : []),
    ]);
    const before = await snapshot(t.db);
    for (const [bad, line, pattern] of [
      [{ kind: "currency", playerId: crypto.randomUUID(), amount: 5 }, 17, /no player/],
      [{ kind: "unique", playerId: raid[3], itemType: crown, metadata: { edition: "first" } }, 44, /metadata.*edition/],
      [{ kind: "stack", playerId: raid[3], itemType: "no-such-thing", quantity: 1 }, 80, /no item type no-such-thing/],
      [{ kind: "stack", playerId: raid[3], itemType: ore, quantity: 0 }, 0, /quantity must be at least 1/],
    ] as const) {
      const lines = [...grants];
      lines.splice(line, 0, bad as never);
      const r = await signed(ctx, { path: "/api/v1/server/grants", body: { reason: "raid: the molten core", grants: lines }, key });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.json.error.message).toMatch(pattern);
      expect(r.json.error.issues?.[0]?.path).toBe(`grants.${line}${r.json.error.code === "invalid_request" ? ".quantity" : ""}`);
      expect(await snapshot(t.db)).toEqual(before);
    }
    for (const single of [mint(crypto.randomUUID()), { path: "/api/v1/server/items/mint", body: { playerId: crypto.randomUUID(), itemType: crown, metadata: { edition: 1 } } }]) {
      const r = await signed(ctx, { ...single, key });
      expect([r.status, r.json.error.code]).toEqual([404, "unknown_player"]);
      expect(r.json.error.message).toMatch(/^there is no player/);
      expect(r.json.error.issues).toBeUndefined(); // a single-item call has no lines to name
    }
    expect(await snapshot(t.db)).toEqual(before);
    const r = await signed(ctx, { path: "/api/v1/server/grants", body: { reason: "raid: the molten core", grants }, key });
    expect(r.status).toBe(201);
    expect(r.json.grants).toHaveLength(grants.length);
    expect(await balanceOf(t.db, raid[39]!)).toEqual({ available: 1_039, reserved: 0 });
    const [events] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from events where payload->>'reason' = 'raid: the molten core'`);
    expect(events!.n).toBe(grants.length);
    await ledgerOk();
  });

  it("enforces the per-server hourly mint limit and shows minted by source in check:ledger", async () => {
    const ctx = apiContext(t.db);
    const { key, server } = await newServer(ALL, { currency: 1_000, items: 3 });
    const player = await addPlayer(t.db);
    expect((await signed(ctx, { ...mint(player, 600), key })).status).toBe(201);
    const before = await snapshot(t.db);
    const over = await signed(ctx, { ...mint(player, 401), key });
    expect([over.status, over.json.error.code]).toEqual([429, "mint_limit_exceeded"]);
    expect(over.json.error.message).toMatch(/1000 copper per hour; 600 already/);
    expect(await snapshot(t.db)).toEqual(before);
    expect((await signed(ctx, { ...mint(player, 400), key })).status).toBe(201);
    const report = await checkLedger(t.db);
    const line = report.sources.find((s) => s.source === `server:${server.name}` && s.asset === 0);
    expect(line).toMatchObject({ minted: 1_000n, burned: 0n });
  });

  it("creates item types (a stackable one with its market), validates unique metadata, burns, reads inventories", async () => {
    const ctx = apiContext(t.db);
    const { key } = await newServer();
    const slug = `gem-${Math.random().toString(36).slice(2, 8)}`;
    const made = await signed(ctx, { path: "/api/v1/server/item-types", body: { slug, name: "Moon Gem", description: "Glows at night.", category: "materials", icon: "💎", stackable: true, tickSize: 5, lotSize: 10, makerFeeBps: 0, takerFeeBps: 50 }, key });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ slug, stackable: true, tickSize: 5, lotSize: 10, market: { slug, makerFeeBps: 0, takerFeeBps: 50 } });
    const dup = await signed(ctx, { path: "/api/v1/server/item-types", body: { slug, name: "x", description: "x", category: "materials", icon: "x", stackable: true }, key });
    expect([dup.status, dup.json.error.code]).toEqual([409, "item_type_exists"]);
    const badSchema = await signed(ctx, { path: "/api/v1/server/item-types", body: { slug: `${slug}-u`, name: "x", description: "x", category: "weapons", icon: "x", stackable: false, metadataSchema: { type: "string" } }, key });
    expect([badSchema.status, badSchema.json.error.code]).toEqual([400, "invalid_metadata_schema"]);
    const patched = await signed(ctx, { method: "PATCH", path: `/api/v1/server/item-types/${slug}`, body: { name: "Moon Gem (cut)" }, key });
    expect(patched).toMatchObject({ status: 200, json: { name: "Moon Gem (cut)", tickSize: 5 } });

    const blade = await newUniqueType(ctx, key, { type: "object", properties: { damage: { type: "integer", minimum: 1, maximum: 99 } }, required: ["damage"] });
    const [a, b] = [await addPlayer(t.db), await addPlayer(t.db)];
    const bad = await signed(ctx, { path: "/api/v1/server/items/mint", body: { playerId: a, itemType: blade, metadata: { damage: 500 } }, key });
    expect([bad.status, bad.json.error.code]).toEqual([400, "invalid_metadata"]);
    expect(bad.json.error.message).toMatch(/metadata\/damage/);
    const good = await signed(ctx, { path: "/api/v1/server/items/mint", body: { playerId: a, itemType: blade, metadata: { damage: 50 } }, key });
    expect(good.status).toBe(201);
    expect((await signed(ctx, { path: "/api/v1/server/items/grant", body: { playerId: a, itemType: slug, quantity: 30 }, key })).status).toBe(201);
    const inv = await signed(ctx, { path: `/api/v1/server/players/${a}/inventory`, key, idempotencyKey: null });
    expect(inv.json.stacks).toEqual([expect.objectContaining({ slug, available: 30 })]);
    expect(inv.json.uniques).toEqual([expect.objectContaining({ id: good.json.itemId, metadata: { damage: 50 } })]);

    const notHis = await signed(ctx, { path: `/api/v1/server/items/${good.json.itemId}/burn`, body: { playerId: b }, key });
    expect([notHis.status, notHis.json.error.code]).toEqual([403, "not_owner"]);
    expect((await signed(ctx, { path: `/api/v1/server/items/${good.json.itemId}/burn`, body: { playerId: a }, key })).status).toBe(200);
    const tooMany = await signed(ctx, { path: "/api/v1/server/items/burn", body: { playerId: a, itemType: slug, quantity: 31 }, key });
    expect([tooMany.status, tooMany.json.error.code]).toEqual([409, "insufficient_items"]);
    expect((await signed(ctx, { path: "/api/v1/server/items/burn", body: { playerId: a, itemType: slug, quantity: 30 }, key })).status).toBe(200);
    expect((await signed(ctx, { path: `/api/v1/server/players/${a}/inventory`, key, idempotencyKey: null })).json).toMatchObject({ stacks: [], uniques: [] });
    const noKey = await signed(ctx, { ...mint(a), key, idempotencyKey: null });
    expect([noKey.status, noKey.json.error.code]).toEqual([400, "idempotency_key_required"]);
    await ledgerOk();
  });

  it("freezes a player during trading: orders cancelled through the room, reservations released, API refused; unfreeze restores trading", async () => {
    const m = await addMarket(t.db);
    const [frozen, other] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    const rooms = await fakeRooms(new Map([[m.slug, session]]));
    try {
      const ctx = apiContext(t.db, { PARTY_HOST: rooms.host });
      const { key, server } = await newServer();
      const token = (await openSession(t.db, frozen, "api", "bot")).token;
      expect((await bearer(ctx, token, "GET", "/api/v1/me")).status).toBe(200);
      const place = (playerId: string, side: "buy" | "sell", price: number, quantity: number): MarketCommand => ({
        type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity,
      });
      await session.submit(place(frozen, "sell", 500, 10));
      await session.submit(place(frozen, "buy", 100, 10));
      await session.submit(place(other, "buy", 200, 5));
      // The player keeps trading while the freeze arrives.
      const trading = Promise.all(Array.from({ length: 30 }, (_, i) => session.submit(place(frozen, i % 2 ? "buy" : "sell", i % 2 ? 150 : 450, 1))));
      const r = await signed(ctx, { path: `/api/v1/server/players/${frozen}/freeze`, body: { reason: "bot farming" }, key });
      await trading;
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ frozen: true, frozenBy: `server:${server.name}`, reason: "bot farming", changed: true, ordersCancelledIn: [m.slug], cancelFailedIn: [] });
      const open = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from orders where player_id = ${frozen} and status = 'open'`);
      expect(open[0]!.n).toBe(0);
      expect([...session.openOrders.values()].filter((o) => o.playerId === frozen)).toEqual([]);
      const w = await wallet(t.db, frozen, m.itemTypeId);
      expect([w.copperReserved, w.itemsReserved]).toEqual([0, 0]);
      expect(w.copper + w.items).toBeGreaterThan(0); // funds stay theirs
      expect(session.depth.view()).toMatchObject({ bids: [[200, 5]], asks: [] });

      const refused = await session.submit(place(frozen, "buy", 100, 1));
      expect(refused).toMatchObject({ ok: false, code: RoomCode.ACCOUNT_FROZEN });
      expect(refused.message).toMatch(/frozen/);
      const api = await bearer(ctx, token, "GET", "/api/v1/inventory");
      expect([api.status, api.json!.error.code]).toEqual([403, "account_frozen"]);
      expect(api.json!.error.message).toMatch(/bot farming/);
      await ledgerOk();

      const again = await signed(ctx, { path: `/api/v1/server/players/${frozen}/freeze`, body: { reason: "bot farming" }, key });
      expect(again.json).toMatchObject({ frozen: true, changed: false });
      const thawed = await signed(ctx, { path: `/api/v1/server/players/${frozen}/unfreeze`, body: { reason: "appeal accepted" }, key });
      expect(thawed.json).toMatchObject({ frozen: false, changed: true });
      expect((await bearer(ctx, token, "GET", "/api/v1/me")).status).toBe(200);
      expect(await session.submit(place(frozen, "sell", 200, 5))).toMatchObject({ ok: true, fills: [expect.objectContaining({ quantity: 5, price: 200 })] });
      const events = await rows<{ type: string; actor: string }>(t.db, sql`
        select type, actor from events where stream = ${`player:${frozen}`} and type like 'player_%' order by version`);
      expect(events).toEqual([{ type: "player_frozen", actor: `server:${server.name}` }, { type: "player_unfrozen", actor: `server:${server.name}` }]);
      await ledgerOk();
      // A freeze written behind the events' back is found by replay, and a half-written one by check:ledger.
      await t.db.execute(sql`update players set frozen_at = now(), frozen_reason = 'by hand' where id = ${other}`);
      expect((await replay(t.db)).differences).toEqual([expect.stringMatching(/^frozen players live has .*by hand/)]);
      expect((await checkLedger(t.db)).problems).toEqual([expect.stringMatching(/1 players are frozen on their account but not on their wallet/)]);
      await t.db.execute(sql`update players set frozen_at = null, frozen_reason = null where id = ${other}`);
    } finally {
      await rooms.close();
    }
  });
});

describe(`frozen players and operators on ${testDbTarget()}`, () => {
  it("an offer from a player frozen since cannot be accepted; nothing moves", async () => {
    const m = await addMarket(t.db);
    const [a, b] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
    const policy = { ...offers.defaultOfferPolicy, minAccountAgeSeconds: 0, acceptDelaySeconds: 0 };
    const o = await offers.createOffer(t.db, { fromPlayerId: a, to: { playerId: b }, give: [{ kind: "stack", itemTypeId: m.itemTypeId, quantity: 5 }], ask: [{ kind: "currency", quantity: 50 }] }, policy);
    if (!o.ok) throw new Error(o.message);
    await withTx(t.db, (tx) => freezePlayer(tx, { actor: "server:test" }, { playerId: a, reason: "fraud" }));
    const before = await snapshot(t.db);
    const r = await offers.acceptOffer(t.db, { offerId: o.offer.id, playerId: b }, policy);
    expect(r.ok || [r.status, r.code]).toEqual([409, "player_frozen"]);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it("only operators manage game servers through the API; the secret is shown once and works", async () => {
    const ctx = apiContext(t.db);
    const [op, plain] = [await addPlayer(t.db), await addPlayer(t.db)];
    await t.db.execute(sql`update players set roles = '{player,operator}' where id = ${op}`);
    const opEnrolled = await enrolSecondFactor(t.db, op); // staff power needs a second factor (ADR 035)
    const opSession = await openSession(t.db, op, "api");
    const [opToken, plainToken] = [opSession.token, (await openSession(t.db, plain, "api")).token];
    const name = `op-${Math.random().toString(36).slice(2, 8)}`;
    const body = { name, scopes: ["players:read"], mintLimits: {} };
    const refused = await bearer(ctx, plainToken, "POST", "/api/v1/operator/game-servers", body);
    expect([refused.status, refused.json!.error.code]).toEqual([403, "forbidden"]);
    // Changing game servers is a step-up act: a code in the body, then 10 minutes without one.
    const asked = await bearer(ctx, opToken, "POST", "/api/v1/operator/game-servers", body);
    expect([asked.status, asked.json!.error.code]).toEqual([403, "step_up_required"]);
    expect(asked.json!.error.message).toMatch(/^Confirm it's you to change game servers and their keys: send a current code/);
    const made = await bearer(ctx, opToken, "POST", "/api/v1/operator/game-servers", { ...body, code: opEnrolled.code() });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ name, scopes: ["players:read"], keyId: expect.stringMatching(/^gsk_/), secret: expect.stringMatching(/^gss_/) });
    const [stored] = await rows<{ secret_enc: string }>(t.db, sql`select secret_enc from game_server_keys where id = ${made.json!.keyId}`);
    expect(stored!.secret_enc).not.toContain(made.json!.secret.slice(4));
    const key = { keyId: made.json!.keyId, secret: made.json!.secret };
    expect((await signed(ctx, { path: "/api/v1/server/me", key, idempotencyKey: null })).status).toBe(200);
    const list = await bearer(ctx, opToken, "GET", "/api/v1/operator/game-servers");
    expect(JSON.stringify(list.json)).not.toContain(key.secret);
    const rotated = await bearer(ctx, opToken, "POST", `/api/v1/operator/game-servers/${name}/keys`);
    expect(rotated.status).toBe(201);
    expect((await bearer(ctx, opToken, "DELETE", `/api/v1/operator/game-servers/${name}/keys/${key.keyId}`)).status).toBe(204);
    expect((await signed(ctx, { path: "/api/v1/server/me", key, idempotencyKey: null })).json.error.code).toBe("unknown_key");
    expect((await signed(ctx, { path: "/api/v1/server/me", key: rotated.json as Key, idempotencyKey: null })).status).toBe(200);

    const raised = await bearer(ctx, opToken, "PATCH", `/api/v1/operator/game-servers/${name}`, { scopes: ["players:read", "mint:currency"], mintLimits: { currency: 5_000 } });
    expect(raised).toMatchObject({ status: 200, json: { scopes: ["players:read", "mint:currency"], mintLimits: { currency: 5_000 }, status: "active" } });
    expect((await signed(ctx, { path: "/api/v1/server/me", key: rotated.json as Key, idempotencyKey: null })).json).toMatchObject({ mintLimits: { currency: 5_000 } });
    expect((await bearer(ctx, plainToken, "PATCH", `/api/v1/operator/game-servers/${name}`, { status: "disabled" })).status).toBe(403);
    expect((await bearer(ctx, opToken, "PATCH", `/api/v1/operator/game-servers/${name}`, { status: "disabled" })).status).toBe(200);
    expect((await signed(ctx, { path: "/api/v1/server/me", key: rotated.json as Key, idempotencyKey: null })).json.error.code).toBe("unknown_key");
    expect((await bearer(ctx, opToken, "PATCH", `/api/v1/operator/game-servers/${name}`, { status: "active" })).status).toBe(200);
    expect((await signed(ctx, { path: "/api/v1/server/me", key: rotated.json as Key, idempotencyKey: null })).status).toBe(200);
  });
});

async function ledgerOk() {
  const report = await checkLedger(t.db);
  expect(report.problems).toEqual([]);
  expect((await replay(t.db)).differences).toEqual([]);
}

async function newStackType(ctx: ReturnType<typeof apiContext>, key: Key): Promise<string> {
  const slug = `ore-${Math.random().toString(36).slice(2, 8)}`;
  const r = await signed(ctx, { path: "/api/v1/server/item-types", body: { slug, name: "Ore", description: "Ore.", category: "ores", icon: "o", stackable: true }, key });
  if (r.status !== 201) throw new Error(JSON.stringify(r.json));
  return slug;
}

async function newUniqueType(ctx: ReturnType<typeof apiContext>, key: Key, metadataSchema: Record<string, unknown>): Promise<string> {
  const slug = `u-${Math.random().toString(36).slice(2, 8)}`;
  const r = await signed(ctx, { path: "/api/v1/server/item-types", body: { slug, name: "Unique", description: "One of a kind.", category: "weapons", icon: "u", stackable: false, metadataSchema }, key });
  if (r.status !== 201) throw new Error(JSON.stringify(r.json));
  return slug;
}
