/**
 * The trader's dashboard over HTTP (built worker, real Postgres): the layout is saved per player by
 * a form post (what the grid's fetcher sends), a bad layout or a missing CSRF token is refused
 * naming the problem with nothing saved, and the page comes back with the panels in the saved order.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { Browser, openDb, textOf, uniqueName } from "./client";

const panelsIn = (html: string) => [...html.matchAll(/data-panel="([a-z]+)"/g)].map((m) => m[1]);

async function savedLayout(username: string) {
  const { db } = await openDb();
  const found = await rows<{ layout: unknown }>(db, sql`select d.layout from player_dashboards d join players p on p.id = d.player_id where p.username = ${username}`);
  return found[0]?.layout ?? null;
}

describe("dashboard layout over HTTP", () => {
  it("saves a layout, refuses bad ones naming why with nothing saved, and shows the panels in its order", async () => {
    const name = uniqueName("dash");
    const b = new Browser();
    expect((await b.signUp(name)).res.status).toBe(302);
    const first = await b.get("/dashboard");
    expect(first.res.status).toBe(200);
    expect(panelsIn(first.html)).toEqual(["holdings", "pnl", "watched", "orders", "chart", "book", "tape", "leaderboard", "alerts", "economy"]);
    // The session's token (the dashboard posts it from its script; the settings page has it in a form).
    const csrf = await b.csrf("/settings");

    const refusals: Array<[unknown, RegExp]> = [
      [[{ i: "pnl", x: 8, y: 0, w: 6, h: 3 }], /12 columns/],
      [[{ i: "pnl", x: 0, y: 0, w: 6, h: 3 }, { i: "pnl", x: 6, y: 0, w: 6, h: 3 }], /twice/],
      [[{ i: "chat", x: 0, y: 0, w: 6, h: 3 }], /layout\[0\]\.i/],
    ];
    for (const [layout, why] of refusals) {
      const r = await b.post("/dashboard", { csrf, layout: JSON.stringify(layout) });
      expect(r.res.status).toBe(400);
      expect(textOf(r.html)).toMatch(why);
    }
    expect((await b.post("/dashboard", { csrf, layout: "{" })).res.status).toBe(400);
    expect((await b.post("/dashboard", { layout: JSON.stringify([]) })).res.status).toBe(403);
    expect(await savedLayout(name)).toBeNull();

    const mine = [{ i: "orders", x: 0, y: 0, w: 12, h: 3 }, { i: "pnl", x: 0, y: 3, w: 4, h: 3 }, { i: "watched", x: 4, y: 3, w: 8, h: 4 }, { i: "holdings", x: 0, y: 7, w: 12, h: 4 }];
    const ok = await b.post("/dashboard", { csrf, layout: JSON.stringify(mine) });
    expect(ok.res.status).toBe(200);
    expect(textOf(ok.html)).toContain("Layout saved");
    expect(await savedLayout(name)).toEqual(mine);
    // The panels the saved layout leaves out come below it, in the default's order.
    expect(panelsIn((await b.get("/dashboard")).html)).toEqual(["orders", "pnl", "watched", "holdings", "chart", "book", "tape", "leaderboard", "alerts", "economy"]);
    // Signed out: to the sign-in page.
    expect((await new Browser().get("/dashboard")).res.headers.get("Location")).toMatch(/^\/signin\?redirectTo=%2Fdashboard/);
  });

  it("shows the chosen market's chart, book and tape, keeps the choice per player, refuses an unknown market; the leaderboard panel marks me hidden", async () => {
    const name = uniqueName("dmkt");
    const b = new Browser();
    expect((await b.signUp(name)).res.status).toBe(302);
    const csrf = await b.csrf("/settings");
    const { db } = await openDb();
    // Nothing chosen, no orders: a market I watch, here one of the starter kit's stacks.
    const heldAll = await rows<{ slug: string; name: string }>(db, sql`
      select m.slug, t.name from markets m join item_types t on t.id = m.item_type_id join holdings h on h.item_type_id = m.item_type_id
      join players p on p.id = h.player_id where p.username = ${name} order by t.name`);
    const shown = /Chart · ([^·]+?) × (Loading chart|No trades)/.exec(textOf((await b.get("/dashboard")).html))?.[1];
    const held = heldAll.find((m) => m.name === shown);
    expect(held, `${shown} is one of ${heldAll.map((m) => m.name).join(", ")}`).toBeDefined();
    const markets = [held!, ...(await rows<{ slug: string; name: string }>(db, sql`
      select m.slug, t.name from markets m join item_types t on t.id = m.item_type_id where m.slug <> ${held!.slug} order by t.name limit 1`))];

    const bad = await b.post("/dashboard", { csrf, intent: "market", market: "no-such-market" });
    expect(bad.res.status).toBe(400);
    expect(textOf(bad.html)).toContain("market: there is no market no-such-market");
    expect((await b.post("/dashboard", { intent: "market", market: markets[1]!.slug })).res.status).toBe(403);
    expect(await savedLayout(name)).toBeNull();

    expect((await b.post("/dashboard", { csrf, intent: "market", market: markets[1]!.slug })).res.status).toBe(200);
    const page = (await b.get("/dashboard")).html;
    for (const panel of ["Chart", "Order book", "Recent trades"]) expect(textOf(page)).toContain(`${panel} · ${markets[1]!.name}`);
    expect(page).toMatch(new RegExp(`<option value="${markets[1]!.slug}" selected`));
    // Another device (a new sign-in) gets the same market.
    const other = new Browser();
    expect((await other.signIn(name)).res.status).toBe(302);
    expect(textOf((await other.get("/dashboard")).html)).toContain(`Chart · ${markets[1]!.name}`);

    // Hidden from the leaderboards: the panel says only I see my place.
    expect(textOf(page)).not.toMatch(/Hidden only you see this/);
    expect((await b.post("/settings", { csrf, intent: "privacy" })).res.status).toBe(302);
    expect(textOf((await b.get("/dashboard")).html)).toMatch(/Leaderboard × (You: #\d+ of \d+ .*|Not on the profit board yet\. )Hidden only you see this/);
  });

  it("removes a panel and adds it back (a plain form: no script needed), on every device; refuses an unknown panel or a missing token, changing nothing", async () => {
    const name = uniqueName("dpan");
    const b = new Browser();
    expect((await b.signUp(name)).res.status).toBe(302);
    const csrf = await b.csrf("/settings");
    const page = textOf((await b.get("/dashboard")).html);
    // The alerts and economy panels: a new player has no alerts yet; the economy's day figures.
    expect(page).toContain("No alerts yet");
    expect(page).toMatch(/Economy today × Money supply [\d,.]+/);
    expect(page).not.toContain("Add a panel");

    const bad = await b.post("/dashboard", { csrf, intent: "remove", panel: "chat" });
    expect(bad.res.status).toBe(400);
    expect(textOf(bad.html)).toContain("panel: there is no panel chat");
    expect((await b.post("/dashboard", { intent: "remove", panel: "economy" })).res.status).toBe(403);
    expect(await savedLayout(name)).toBeNull();

    expect((await b.post("/dashboard", { csrf, intent: "remove", panel: "economy" })).res.status).toBe(200);
    expect((await b.post("/dashboard", { csrf, intent: "remove", panel: "tape" })).res.status).toBe(200);
    const saved = (await savedLayout(name)) as Array<{ i: string; off?: boolean }>;
    expect(saved.filter((p) => p.off).map((p) => p.i)).toEqual(["tape", "economy"]);
    // Another device (a new sign-in): the same panels, and the removed ones offered to add.
    const other = new Browser();
    expect((await other.signIn(name)).res.status).toBe(302);
    const there = (await other.get("/dashboard")).html;
    expect(panelsIn(there)).toEqual(["holdings", "pnl", "watched", "orders", "chart", "book", "leaderboard", "alerts"]);
    expect(there).toMatch(/<option value="tape"[^>]*>Recent trades<\/option><option value="economy"[^>]*>Economy today<\/option>/);

    expect((await other.post("/dashboard", { csrf: await other.csrf("/settings"), intent: "add", panel: "economy" })).res.status).toBe(200);
    // Back below the others.
    expect(panelsIn((await b.get("/dashboard")).html)).toEqual(["holdings", "pnl", "watched", "orders", "chart", "book", "leaderboard", "alerts", "economy"]);
  });
});
