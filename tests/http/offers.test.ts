/**
 * Direct trade offers end to end: the built worker (wrangler dev) on a real Postgres, through
 * /api/v1 and through the pages like a browser without JavaScript. The suite runs with
 * OFFER_MIN_ACCOUNT_AGE_SECONDS=0, OFFER_ACCEPT_DELAY_SECONDS=0 and OFFER_CONFIRM_ABOVE_COPPER=50000
 * (tests/http/setup.ts). Every refusal is checked to change nothing in the database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { checkLedger } from "../../db/audit/check";
import { rows } from "../../db/db";
import { repoRoot } from "../../scripts/paths";
import { quietToolEnv } from "../../scripts/stack";
import { api, Browser, openDb, textOf, uniqueName } from "./client";

const PASSWORD = "correct-horse-9";

interface Player {
  name: string;
  browser: Browser;
  token: string;
  id: string;
  sword: string;
  bread: number;
  ore: number;
}

async function player(prefix = "Off"): Promise<Player> {
  const name = uniqueName(prefix);
  const browser = new Browser();
  expect((await browser.signUp(name, PASSWORD)).res.status).toBe(302);
  const created = await api("/tokens", { method: "POST", json: { username: name, password: PASSWORD, label: "offers test" } });
  expect(created.status).toBe(201);
  const token = created.body.token as string;
  const me = await api("/me", { token });
  const inv = (await api("/inventory", { token })).body;
  const typeOf = (slug: string) => inv.stacks.find((s: { slug: string }) => s.slug === slug).itemTypeId as number;
  return { name, browser, token, id: me.body.id, sword: inv.uniques[0].id, bread: typeOf("bread"), ore: typeOf("copper-ore") };
}

const db = async () => (await openDb()).db;

/** Row counts and fingerprints of everything an offer could touch. */
async function snapshot() {
  const [row] = await rows<Record<string, string | number>>(await db(), sql`select
    (select count(*) from trade_offers)::int as offers,
    (select count(*) from trade_offer_lines)::int as lines,
    (select count(*) from events)::int as events,
    (select count(*) from player_blocks)::int as blocks,
    (select md5(coalesce(string_agg(id::text || status, ',' order by id), '')) from trade_offers) as statuses,
    (select md5(coalesce(string_agg(player_id::text || ':' || available || ':' || reserved, ',' order by player_id), '')) from balances) as balances,
    (select md5(coalesce(string_agg(player_id::text || ':' || item_type_id || ':' || available || ':' || reserved, ',' order by player_id, item_type_id), '')) from holdings) as holdings,
    (select md5(coalesce(string_agg(id::text || ':' || coalesce(owner_id::text, '') || ':' || state, ',' order by id), '')) from items) as items`);
  return row!;
}

async function unchanged<T>(fn: () => Promise<T>): Promise<T> {
  const before = await snapshot();
  const result = await fn();
  expect(await snapshot()).toEqual(before);
  return result;
}

const balance = async (p: Player) => (await api("/inventory", { token: p.token })).body.balance.available as number;
const owner = async (itemId: string) =>
  (await rows<{ owner: string }>(await db(), sql`select owner_id::text as owner from items where id = ${itemId}::uuid`))[0]!.owner;
const status = async (offerId: string) =>
  (await rows<{ status: string }>(await db(), sql`select status from trade_offers where id = ${offerId}::uuid`))[0]!.status;

async function offer(from: Player, to: Player, give: unknown[], ask: unknown[], extra: Record<string, unknown> = {}) {
  const r = await api("/offers", { method: "POST", token: from.token, json: { to: to.name, give, ask, ...extra } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.offer as { id: string; status: string; lines: Array<Record<string, unknown>> };
}

describe("offers through the API", () => {
  it("A offers B the starter sword for gold; B looks, accepts; the sword and the gold change hands", async () => {
    const [a, b, c] = [await player(), await player(), await player()];
    const o = await offer(a, b, [{ kind: "unique", itemId: a.sword }], [{ kind: "currency", quantity: 25_000 }], { message: "A fine blade.\nBarely used.", expiresInHours: 24 });
    expect(o.status).toBe("pending");
    expect(o.lines).toEqual([
      expect.objectContaining({ direction: "give", kind: "unique", itemId: a.sword, quantity: 1, name: "Iron Sword", metadata: expect.objectContaining({ durability: 100 }) }),
      expect.objectContaining({ direction: "ask", kind: "currency", quantity: 25_000 }),
    ]);
    expect((await api("/offers?box=sent", { token: a.token })).body.offers.map((x: { id: string }) => x.id)).toEqual([o.id]);
    expect((await api("/offers", { token: b.token })).body.offers.map((x: { id: string }) => x.id)).toEqual([o.id]);
    expect((await api("/offers?box=inbox", { token: a.token })).body.offers).toEqual([]);
    expect((await api(`/offers/${o.id}`, { token: b.token })).body.offer).toMatchObject({ id: o.id, fromUsername: a.name, toUsername: b.name, message: "A fine blade.\nBarely used." });
    expect((await api(`/offers/${o.id}`, { token: c.token })).status).toBe(404); // a third player sees nothing

    // B can see what A has (to compose), but never A's gold.
    const seen = await api(`/players/${a.name.toUpperCase()}/inventory`, { token: b.token });
    expect(seen.status).toBe(200);
    expect(seen.body.player).toEqual({ username: a.name, bot: false });
    expect(seen.body.uniques.map((u: { id: string }) => u.id)).toEqual([a.sword]);
    expect(seen.body.stacks.map((s: { slug: string }) => s.slug).sort()).toEqual(["bread", "copper-ore", "health-potion"]);
    expect(JSON.stringify(seen.body)).not.toMatch(/balance|100000/);

    expect((await unchanged(() => api(`/offers/${o.id}/accept`, { method: "POST", token: a.token, json: {} }))).body.error.code).toBe("not_recipient");
    const accepted = await api(`/offers/${o.id}/accept`, { method: "POST", token: b.token, json: {} });
    expect(accepted.status).toBe(200);
    expect(accepted.body.offer.status).toBe("accepted");
    expect(await balance(a)).toBe(125_000);
    expect(await balance(b)).toBe(75_000);
    expect(await owner(a.sword)).toBe(b.id);
    expect((await api("/inventory", { token: b.token })).body.uniques.map((u: { id: string }) => u.id).sort()).toEqual([a.sword, b.sword].sort());
    expect((await api("/offers?box=history", { token: a.token })).body.offers[0]).toMatchObject({ id: o.id, status: "accepted" });

    const again = await unchanged(() => api(`/offers/${o.id}/accept`, { method: "POST", token: b.token, json: {} }));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "offer_not_pending", message: "offer is accepted, it can no longer be accepted" });
    expect((await checkLedger(await db())).problems).toEqual([]);
  });

  it("an offer worth 500 gold or more needs a second confirmation (428), then settles", async () => {
    const [a, b] = [await player(), await player()];
    const o = await offer(a, b, [{ kind: "currency", quantity: 60_000 }], [{ kind: "stack", itemTypeId: b.bread, quantity: 2 }]);
    const first = await unchanged(() => api(`/offers/${o.id}/accept`, { method: "POST", token: b.token, json: {} }));
    expect(first.status).toBe(428);
    expect(first.body.error.code).toBe("confirmation_required");
    expect(first.body.error.message).toMatch(/worth about 60000 copper: confirm/);
    const second = await api(`/offers/${o.id}/accept`, { method: "POST", token: b.token, json: { confirm: true } });
    expect(second.status).toBe(200);
    expect([await balance(a), await balance(b)]).toEqual([40_000, 160_000]);
  });

  it("too early is 425, expired is 410 (and the offer becomes expired)", async () => {
    const [a, b] = [await player(), await player()];
    const early = await offer(a, b, [{ kind: "currency", quantity: 10 }], []);
    // The suite runs with no accept delay: move the offer into the future instead.
    await (await db()).execute(sql`update trade_offers set created_at = now() + interval '1 hour' where id = ${early.id}::uuid`);
    const r1 = await unchanged(() => api(`/offers/${early.id}/accept`, { method: "POST", token: b.token, json: {} }));
    expect([r1.status, r1.body.error.code]).toEqual([425, "too_early"]);

    const late = await offer(a, b, [{ kind: "currency", quantity: 10 }], []);
    await (await db()).execute(sql`update trade_offers set expires_at = now() - interval '1 second' where id = ${late.id}::uuid`);
    const r2 = await api(`/offers/${late.id}/accept`, { method: "POST", token: b.token, json: {} });
    expect([r2.status, r2.body.error.code]).toEqual([410, "offer_expired"]);
    expect(await status(late.id)).toBe("expired");
    expect(await balance(b)).toBe(100_000);
  });

  it("counters, declines and cancels", async () => {
    const [a, b] = [await player(), await player()];
    const o = await offer(a, b, [{ kind: "stack", itemTypeId: a.ore, quantity: 5 }], [{ kind: "currency", quantity: 500 }]);
    const counter = await api(`/offers/${o.id}/counter`, {
      method: "POST", token: b.token,
      json: { give: [{ kind: "currency", quantity: 300 }], ask: [{ kind: "stack", itemTypeId: a.ore, quantity: 5 }], message: "300?" },
    });
    expect(counter.status).toBe(201);
    expect(counter.body.offer).toMatchObject({ counterOfId: o.id, fromUsername: b.name, toUsername: a.name, status: "pending" });
    expect(await status(o.id)).toBe("countered");
    const declined = await api(`/offers/${counter.body.offer.id}/decline`, { method: "POST", token: a.token });
    expect([declined.status, declined.body.offer.status]).toEqual([200, "declined"]);

    const o2 = await offer(a, b, [{ kind: "currency", quantity: 1 }], []);
    expect((await unchanged(() => api(`/offers/${o2.id}/cancel`, { method: "POST", token: b.token }))).body.error.code).toBe("not_sender");
    expect((await unchanged(() => api(`/offers/${o2.id}/decline`, { method: "POST", token: a.token }))).body.error.code).toBe("not_recipient");
    const canceled = await api(`/offers/${o2.id}/cancel`, { method: "POST", token: a.token });
    expect([canceled.status, canceled.body.offer.status]).toEqual([200, "canceled"]);
    expect((await unchanged(() => api(`/offers/${o2.id}/cancel`, { method: "POST", token: a.token }))).status).toBe(409);
  });

  it("blocks: a blocked player cannot send offers; unblocking lets them again", async () => {
    const [a, b] = [await player(), await player()];
    const blocked = await api("/blocks", { method: "POST", token: b.token, json: { username: a.name.toLowerCase() } });
    expect(blocked.status).toBe(200);
    expect(blocked.body.blocked).toEqual({ id: a.id, username: a.name });
    expect((await api("/blocks", { token: b.token })).body.blocked).toEqual([{ id: a.id, username: a.name }]);
    const refused = await unchanged(() => api("/offers", { method: "POST", token: a.token, json: { to: b.name, give: [{ kind: "currency", quantity: 1 }] } }));
    expect([refused.status, refused.body.error.code]).toEqual([403, "blocked"]);
    expect((await api(`/blocks/${a.id}`, { method: "DELETE", token: b.token })).status).toBe(204);
    expect((await api("/blocks", { token: b.token })).body.blocked).toEqual([]);
    await offer(a, b, [{ kind: "currency", quantity: 1 }], []);
  });

  it("the cron trigger expires pending offers past their time, without anyone visiting them", async () => {
    const [a, b] = [await player(), await player()];
    const o = await offer(a, b, [{ kind: "currency", quantity: 10 }], []);
    await (await db()).execute(sql`update trade_offers set expires_at = now() - interval '1 second' where id = ${o.id}::uuid`);
    const res = await fetch(`${await cronWorker()}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
    expect([res.status, await res.text()]).toEqual([200, "Ran scheduled event"]);
    expect(await status(o.id)).toBe("expired");
    const events = await rows<{ type: string; actor: string }>(await db(), sql`select type, actor from events where stream = ${`offer:${o.id}`} order by version`);
    expect(events).toEqual([expect.objectContaining({ type: "offer_created" }), { type: "offer_expired", actor: "system:expiry" }]);
    expect((await api(`/offers/${o.id}/accept`, { method: "POST", token: b.token, json: {} })).body.error.code).toBe("offer_not_pending");
  });
});

/**
 * The worker's scheduled() (the cron trigger's entry) runs under `wrangler dev --test-scheduled`
 * on GET /__scheduled. The stack's wrangler dev runs without that flag, and wrangler 4.86's
 * always-on /cdn-cgi/handler/scheduled fails before reaching the worker (DataCloneError on the
 * ScheduledController), so this starts a second wrangler dev on the same build, with the same
 * variables and database, for the one test that needs it.
 */
let cron: { url: string; child: ChildProcess } | undefined;
async function cronWorker(): Promise<string> {
  if (cron) return cron.url;
  const port = Number(new URL(inject("baseUrl")).port) + 7;
  const vars = Object.entries(inject("workerVars")).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child = spawn(
    path.join(repoRoot, "node_modules", ".bin", "wrangler"),
    ["dev", "--test-scheduled", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(port + 1), "--show-interactive-dev-session=false", ...vars],
    { cwd: repoRoot, env: { ...process.env, ...quietToolEnv() }, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  cron = { url: `http://127.0.0.1:${port}`, child };
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev --test-scheduled not ready in 45 s:\n${log}`)), 45_000);
    const read = (chunk: Buffer) => {
      log += chunk.toString();
      if (/Ready on http/.test(log)) (clearTimeout(timer), resolve());
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`wrangler dev exited (${code}):\n${log}`))));
  });
  return cron.url;
}
afterAll(async () => {
  if (!cron?.child.pid || cron.child.exitCode !== null) return;
  const exited = new Promise((r) => cron!.child.once("exit", r));
  process.kill(-cron.child.pid, "SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  if (cron.child.exitCode === null) process.kill(-cron.child.pid, "SIGKILL");
});

describe("offers through the pages (forms, CSRF, no JavaScript)", () => {
  it("compose on /offers/new picking from both inventories, then B sees exactly what each side gets", async () => {
    const [a, b] = [await player(), await player()];
    const compose = await a.browser.get(`/offers/new?to=${b.name}`);
    expect(compose.res.status).toBe(200);
    const page = textOf(compose.html);
    expect(page).toContain(`You get from ${b.name}`);
    expect(page).toContain("You have 1,000.00 gold available");
    expect(compose.html).toContain(`value="${b.sword}"`); // their sword, pickable
    expect(compose.html).toContain(`value="${a.sword}"`); // mine
    expect(page.match(/gold available/g)).toHaveLength(1); // never their gold

    const csrf = await a.browser.csrf(`/offers/new?to=${b.name}`);
    const sent = await a.browser.post(`/offers/new?to=${b.name}`, {
      csrf, to: b.name, "give.gold": "999.5", [`give.stack.${a.bread}`]: "3", "ask.unique": b.sword, [`ask.stack.${b.ore}`]: "", message: "Deal?", expiresInHours: "24",
    });
    expect(sent.res.status, textOf(sent.html)).toBe(302);
    const id = sent.res.headers.get("Location")!.split("/").pop()!;
    const stored = (await api(`/offers/${id}`, { token: a.token })).body.offer;
    expect(stored.lines.map((l: Record<string, unknown>) => [l.direction, l.kind, l.quantity])).toEqual([
      ["give", "currency", 99_950],
      ["give", "stack", 3],
      ["ask", "unique", 1],
    ]);

    const inbox = textOf((await b.browser.get("/offers")).html);
    expect(inbox).toContain(`From ${a.name}`);
    expect(inbox).toContain("You give: Iron Sword");
    expect(inbox).toContain("You get: 999.50 gold, Bread × 3");
    const detail = await b.browser.get(`/offers/${id}`);
    const text = textOf(detail.html);
    expect(text).toMatch(/You give .*Iron Sword.*You get .*999.50 gold.*Bread × 3/);
    expect(text).toContain("Deal?");
    for (const button of ["Accept", "Decline", "Counter with another offer", `Block ${a.name}`]) expect(text).toContain(button);
    expect(textOf((await a.browser.get(`/offers/${id}`)).html)).toMatch(/You give .*999.50 gold.*Bread × 3.*You get .*Iron Sword.*Withdraw offer/);
  });

  it("counter and decline by form post; accept with the second confirmation step", async () => {
    const [a, b] = [await player(), await player()];
    const o = await offer(a, b, [{ kind: "unique", itemId: a.sword }], [{ kind: "currency", quantity: 20_000 }]);

    // B counters from the page: the form starts as the mirror image of A's offer.
    const form = await b.browser.get(`/offers/${o.id}/counter`);
    expect(form.res.status).toBe(200);
    expect(form.html).toMatch(/name="give.gold"[^>]*value="200"/);
    expect(form.html).toMatch(new RegExp(`<input(?=[^>]*value="${a.sword}")(?=[^>]*checked)[^>]*>`));
    const csrf = await b.browser.csrf(`/offers/${o.id}/counter`);
    const countered = await b.browser.post(`/offers/${o.id}/counter`, { csrf, "give.gold": "150", "ask.unique": a.sword, message: "150 gold?", expiresInHours: "72" });
    expect(countered.res.status, textOf(countered.html)).toBe(302);
    const counterId = countered.res.headers.get("Location")!.split("/").pop()!;
    expect(await status(o.id)).toBe("countered");
    expect(textOf((await a.browser.get(`/offers/${o.id}`)).html)).toContain("Answered by a counter offer");

    // A declines the counter from the page.
    const aCsrf = await a.browser.csrf(`/offers/${counterId}`);
    const declined = await a.browser.post(`/offers/${counterId}`, { csrf: aCsrf, intent: "decline" });
    expect(declined.res.status).toBe(302);
    expect(await status(counterId)).toBe("declined");
    expect(textOf((await a.browser.get(`/offers/${counterId}`)).html)).toContain("Declined");

    // A big one: the first accept asks "are you sure?" (428) and changes nothing; "yes" settles it.
    const big = await offer(a, b, [{ kind: "currency", quantity: 70_000 }], [{ kind: "stack", itemTypeId: b.bread, quantity: 1 }]);
    const bCsrf = await b.browser.csrf(`/offers/${big.id}`);
    const ask = await unchanged(() => b.browser.post(`/offers/${big.id}`, { csrf: bCsrf, intent: "accept" }));
    expect(ask.res.status).toBe(428);
    expect(textOf(ask.html)).toMatch(/Are you sure\?.*worth about 70000 copper.*Yes, accept this offer/);
    const yes = await b.browser.post(`/offers/${big.id}`, { csrf: bCsrf, intent: "accept", confirm: "yes" });
    expect(yes.res.status).toBe(302);
    expect(await status(big.id)).toBe("accepted");
    expect([await balance(a), await balance(b)]).toEqual([30_000, 170_000]);
  });

  it("block from the offer page, unblock from /offers/blocked", async () => {
    const [a, b] = [await player(), await player()];
    const o = await offer(a, b, [{ kind: "currency", quantity: 5 }], []);
    const csrf = await b.browser.csrf(`/offers/${o.id}`);
    expect((await b.browser.post(`/offers/${o.id}`, { csrf, intent: "block" })).res.status).toBe(302);
    expect(textOf((await b.browser.get(`/offers/${o.id}`)).html)).toContain(`You have blocked ${a.name}`);
    expect((await api("/offers", { method: "POST", token: a.token, json: { to: b.name, give: [{ kind: "currency", quantity: 1 }] } })).status).toBe(403);
    const list = await b.browser.get("/offers/blocked");
    expect(textOf(list.html)).toContain(a.name);
    const unblock = await b.browser.post("/offers/blocked", { csrf: await b.browser.csrf("/offers/blocked"), intent: "unblock", playerId: a.id });
    expect(unblock.res.status).toBe(302);
    expect((await api("/blocks", { token: b.token })).body.blocked).toEqual([]);
  });

  it("refuses posts without the right CSRF token or from another site, changing nothing", async () => {
    const [a, b] = [await player(), await player()];
    const o = await offer(a, b, [{ kind: "currency", quantity: 5 }], []);
    const csrf = await b.browser.csrf(`/offers/${o.id}`);
    await unchanged(async () => {
      for (const [path, fields] of [
        [`/offers/${o.id}`, { intent: "accept" }],
        [`/offers/${o.id}`, { intent: "block" }],
        [`/offers/${o.id}/counter`, { "give.gold": "1" }],
        ["/offers/new", { to: a.name, "give.gold": "1" }],
        ["/offers/blocked", { username: a.name }],
      ] as const) {
        expect((await b.browser.post(path, fields)).res.status, path).toBe(403);
        expect((await b.browser.post(path, { ...fields, csrf: "x".repeat(43) })).res.status, path).toBe(403);
        expect((await a.browser.post(path, { ...fields, csrf })).res.status, path).toBe(403); // B's token in A's session
        const cross = await b.browser.post(path, { ...fields, csrf }, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
        expect(cross.res.status, path).toBe(403);
      }
    });
    expect(await status(o.id)).toBe("pending");
  });

  it("refuses bad compose forms with 4xx and a message, changing nothing", async () => {
    const [a, b] = [await player(), await player()];
    const csrf = await a.browser.csrf(`/offers/new?to=${b.name}`);
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ "give.gold": "-5" }, 400, "amount of gold like 12"],
      [{ "give.gold": "1.005" }, 400, "at most 2 decimals"],
      [{ "give.gold": "ten" }, 400, "amount of gold like 12"],
      [{ "give.gold": "99999999999999999" }, 400, "more gold than exists"],
      [{ [`give.stack.${a.bread}`]: "1.5" }, 400, "whole number"],
      [{ [`give.stack.${a.bread}`]: "-1" }, 400, "whole number"],
      [{ [`give.stack.${a.bread}`]: "0" }, 400, "Put something on the offer"],
      [{}, 400, "Put something on the offer"],
      [{ "give.unique": "not-an-id" }, 400, "not an item id"],
      [{ "give.gold": "1", expiresInHours: "0" }, 400, "choose 1 to 336 hours"],
      [{ "give.gold": "1", message: "x".repeat(501) }, 400, "at most 500 characters"],
      [{ "give.gold": "2000" }, 409, "You do not have"],
      [{ "give.unique": b.sword }, 409, "You do not have: Iron Sword"],
      [{ [`ask.stack.${b.bread}`]: "11" }, 409, "The other player does not have: 11 x Bread"],
      [{ to: a.name, "give.gold": "1" }, 400, "You cannot send an offer to yourself"],
      [{ to: "nobody_here_x", "give.gold": "1" }, 404, "No active player by that name"],
      [{ to: "bad name!", "give.gold": "1" }, 400, "Recipient: username may contain only letters"],
    ];
    for (const [fields, code, message] of cases) {
      const r = await unchanged(() => a.browser.post(`/offers/new?to=${b.name}`, { csrf, to: b.name, ...fields }));
      expect(r.res.status, JSON.stringify(fields)).toBe(code);
      expect(textOf(r.html), JSON.stringify(fields)).toContain(message);
    }
    const sent = await unchanged(() => a.browser.get("/offers/new?to=nobody_here_x"));
    expect(sent.res.status).toBe(404);
    expect(textOf(sent.html)).toContain("There is no player called nobody_here_x");
  });

  it("pages refuse strangers: 404 for someone else's offer, sign-in for visitors", async () => {
    const [a, b, c] = [await player(), await player(), await player()];
    const o = await offer(a, b, [{ kind: "currency", quantity: 5 }], []);
    expect((await c.browser.get(`/offers/${o.id}`)).res.status).toBe(404);
    expect((await c.browser.get("/offers/not-a-uuid")).res.status).toBe(404);
    expect((await a.browser.get(`/offers/${o.id}/counter`)).res.status).toBe(403);
    const visitor = await new Browser().get("/offers");
    expect(visitor.res.status).toBe(302);
    expect(visitor.res.headers.get("Location")).toBe("/signin?redirectTo=%2Foffers");
  });
});

describe("bad input on every offers endpoint: 4xx, a named problem, nothing changes", () => {
  it("POST /offers", async () => {
    const [a, b] = [await player(), await player()];
    const blocker = await player();
    await api("/blocks", { method: "POST", token: blocker.token, json: { username: a.name } });
    const gold = (quantity: unknown) => ({ kind: "currency", quantity });
    const ok = { to: b.name, give: [gold(100)], ask: [] as unknown[] };
    const hundredAndOne = Array.from({ length: 101 }, (_, i) => ({ kind: "stack", itemTypeId: i + 1, quantity: 1 }));
    const cases: Array<[string, string | object, number, RegExp]> = [
      ["malformed JSON", "{", 400, /not valid JSON/],
      ["an array", [ok], 400, /must be a JSON object/],
      ["an unknown field", { ...ok, fee: 0 }, 400, /unknown field: fee/],
      ["an unknown line field", { ...ok, give: [{ ...gold(1), price: 1 }] }, 400, /unknown field: price/],
      ["no recipient", { give: ok.give }, 400, /username is required/],
      ["a number for the recipient", { ...ok, to: 5 }, 400, /username must be a string/],
      ["a string for the lines", { ...ok, give: "everything" }, 400, /give must be a list of lines/],
      ["an unknown line kind", { ...ok, give: [{ kind: "gems", quantity: 1 }] }, 400, /kind must be currency, stack or unique/],
      ["a string quantity", { ...ok, give: [gold("5")] }, 400, /quantity must be a number/],
      ["a zero quantity", { ...ok, give: [gold(0)] }, 400, /quantity must be at least 1/],
      ["a negative quantity", { ...ok, give: [gold(-5)] }, 400, /quantity must be at least 1/],
      ["a fractional quantity", { ...ok, give: [gold(1.5)] }, 400, /quantity must be a whole number/],
      ["a huge quantity", { ...ok, give: [gold(2 ** 53)] }, 400, /quantity must be at most 9007199254740991/],
      ["a huge literal", '{"to":"someone","give":[{"kind":"currency","quantity":1e400}]}', 400, /quantity/],
      ["a zero item type", { ...ok, give: [{ kind: "stack", itemTypeId: 0, quantity: 1 }] }, 400, /itemTypeId must be at least 1/],
      ["a bad item id", { ...ok, give: [{ kind: "unique", itemId: "sword" }] }, 400, /itemId must be an item id/],
      ["nothing on either side", { to: b.name }, 400, /at least one line/],
      ["more than 100 lines", { ...ok, give: hundredAndOne }, 400, /at most 100 lines/],
      ["more than 100 lines in all", { ...ok, give: hundredAndOne.slice(0, 60), ask: hundredAndOne.slice(0, 60) }, 400, /at most 100 lines in all/],
      ["the same item type twice", { ...ok, give: [{ kind: "stack", itemTypeId: a.bread, quantity: 1 }, { kind: "stack", itemTypeId: a.bread, quantity: 1 }] }, 400, /appears twice/],
      ["a long message", { ...ok, message: "x".repeat(501) }, 400, /at most 500 characters/],
      ["a control character", { ...ok, message: "hi\u0007" }, 400, /control characters/],
      ["a zero expiry", { ...ok, expiresInHours: 0 }, 400, /expiresInHours must be at least 1/],
      ["a long expiry", { ...ok, expiresInHours: 337 }, 400, /expiresInHours must be at most 336/],
      ["to yourself", { ...ok, to: a.name }, 400, /cannot send an offer to yourself/],
      ["to nobody", { ...ok, to: "nobody_at_all" }, 404, /no active player by that name/],
      ["to someone who blocked you", { ...ok, to: blocker.name }, 403, /does not accept offers from you/],
      ["someone else's sword", { ...ok, give: [{ kind: "unique", itemId: b.sword }] }, 409, /you do not have: Iron Sword .* \(not owned\)/],
      ["more gold than you have", { ...ok, give: [gold(100_001)] }, 409, /you do not have: 1 copper \(has 100000 available/],
      ["more than they have", { ...ok, ask: [{ kind: "stack", itemTypeId: b.bread, quantity: 11 }] }, 409, /other player does not have: 11 x Bread \(has 10 available\)/],
      ["an unknown item type", { ...ok, give: [{ kind: "stack", itemTypeId: 2_000_000_000, quantity: 1 }] }, 409, /no such item type/],
      ["a unique type as a stack", { ...ok, give: [{ kind: "stack", itemTypeId: (await api("/inventory", { token: a.token })).body.uniques[0].itemTypeId, quantity: 1 }] }, 409, /unique item: offer the item itself/],
    ];
    for (const [what, body, code, message] of cases) {
      const r = await unchanged(() => api("/offers", { method: "POST", token: a.token, body: typeof body === "string" ? body : JSON.stringify(body), headers: { "Content-Type": "application/json" } }));
      expect(r.status, what).toBe(code);
      expect(r.body.error.code, what).toMatch(/^[a-z_]+$/);
      expect(r.body.error.message, what).toMatch(message);
    }
    await unchanged(async () => {
      expect((await api("/offers", { method: "POST", token: a.token, body: JSON.stringify(ok), headers: { "Content-Type": "text/plain" } })).status).toBe(415);
      expect((await api("/offers", { method: "POST", token: a.token, json: { ...ok, message: "x".repeat(20_000) } })).status).toBe(413);
      expect((await api("/offers", { method: "POST", json: ok })).status).toBe(401);
    });
  });

  it("accept, decline, cancel, counter and reads", async () => {
    const [a, b, c] = [await player(), await player(), await player()];
    const o = await offer(a, b, [{ kind: "currency", quantity: 100 }], []);
    const missing = "00000000-0000-4000-8000-000000000000";
    const post = (path: string, token: string, json?: unknown) => api(path, { method: "POST", token, ...(json === undefined ? {} : { json }) });
    const cases: Array<[string, () => ReturnType<typeof api>, number, RegExp]> = [
      ["accept a malformed id", () => post("/offers/nope/accept", b.token, {}), 400, /id must be an offer id/],
      ["accept an unknown offer", () => post(`/offers/${missing}/accept`, b.token, {}), 404, /not found/],
      ["accept someone else's offer", () => post(`/offers/${o.id}/accept`, c.token, {}), 404, /not found/],
      ["accept with an unknown field", () => post(`/offers/${o.id}/accept`, b.token, { confirm: true, force: true }), 400, /unknown field: force/],
      ["accept with confirm: \"yes\"", () => post(`/offers/${o.id}/accept`, b.token, { confirm: "yes" }), 400, /confirm must be true or false/],
      ["accept without a body", () => post(`/offers/${o.id}/accept`, b.token), 415, /application\/json/],
      ["accept your own offer", () => post(`/offers/${o.id}/accept`, a.token, {}), 403, /only the player an offer was sent to/],
      ["decline a malformed id", () => post("/offers/1/decline", b.token), 400, /id must be an offer id/],
      ["decline an unknown offer", () => post(`/offers/${missing}/decline`, b.token), 404, /not found/],
      ["decline your own offer", () => post(`/offers/${o.id}/decline`, a.token), 403, /only the recipient/],
      ["cancel someone else's offer", () => post(`/offers/${o.id}/cancel`, c.token), 404, /not found/],
      ["cancel an offer to you", () => post(`/offers/${o.id}/cancel`, b.token), 403, /only the sender/],
      ["counter your own offer", () => post(`/offers/${o.id}/counter`, a.token, { give: [{ kind: "currency", quantity: 1 }] }), 403, /only the player an offer was sent to/],
      ["counter with nothing", () => post(`/offers/${o.id}/counter`, b.token, {}), 400, /at least one line/],
      ["counter with a recipient", () => post(`/offers/${o.id}/counter`, b.token, { to: a.name, give: [{ kind: "currency", quantity: 1 }] }), 400, /unknown field: to/],
      ["counter with a fractional quantity", () => post(`/offers/${o.id}/counter`, b.token, { give: [{ kind: "currency", quantity: 0.5 }] }), 400, /whole number/],
      ["counter with what you lack", () => post(`/offers/${o.id}/counter`, b.token, { give: [{ kind: "unique", itemId: a.sword }] }), 409, /you do not have/],
      ["read a malformed id", () => api("/offers/xyz", { token: a.token }), 400, /id must be an offer id/],
      ["read someone else's offer", () => api(`/offers/${o.id}`, { token: c.token }), 404, /not found/],
      ["list an unknown box", () => api("/offers?box=trash", { token: a.token }), 400, /box must be inbox, sent or history/],
      ["list two boxes", () => api("/offers?box=inbox&box=sent", { token: a.token }), 400, /more than once/],
      ["list with an unknown parameter", () => api("/offers?all=1", { token: a.token }), 400, /unknown field: all/],
      ["block with an unknown field", () => post("/blocks", a.token, { username: b.name, forever: true }), 400, /unknown field: forever/],
      ["block a bad name", () => post("/blocks", a.token, { username: "x" }), 400, /3-24 characters/],
      ["block nobody", () => post("/blocks", a.token, { username: "nobody_at_all" }), 404, /no player by that name/],
      ["block yourself", () => post("/blocks", a.token, { username: a.name }), 400, /cannot block yourself/],
      ["unblock a malformed id", () => api("/blocks/robert", { method: "DELETE", token: a.token }), 400, /playerId must be a player id/],
      ["inventory of a bad name", () => api("/players/no%20way/inventory", { token: a.token }), 400, /username may contain only/],
      ["inventory of nobody", () => api("/players/nobody_at_all/inventory", { token: a.token }), 404, /no active player/],
    ];
    for (const [what, call, code, message] of cases) {
      const r = await unchanged(call);
      expect(r.status, what).toBe(code);
      expect(r.body.error.message, what).toMatch(message);
    }
    // After all that, the offer is still pending and B can still take it.
    expect(await status(o.id)).toBe("pending");
    expect((await post(`/offers/${o.id}/accept`, b.token, {})).status).toBe(200);
    for (const path of [`/offers/${o.id}/decline`, `/offers/${o.id}/counter`]) {
      const r = await unchanged(() => post(path, b.token, path.endsWith("counter") ? { give: [{ kind: "currency", quantity: 1 }] } : undefined));
      expect([r.status, r.body.error.code], path).toEqual([409, "offer_not_pending"]);
    }
  });
});
