/**
 * The market's chart panel (issue 14), on iron-ore with the market fixture's book and candles:
 *
 *   chart-volume   phone, tablet and desktop: volume is drawn under the candles, on a scale of its
 *                  own: in the candles' pane, its bottom quarter, on a chart narrower than 600 px
 *                  (phone, upright tablet); in a pane of its own (a quarter of the chart, labelled
 *                  in item counts) on the desktop's wide chart. Read from the
 *                  rendered canvases: the tallest volume bar's top is below the lowest candle pixel
 *   chart-depth    the depth chart's steps sit at the ladder's prices and cumulative totals, and
 *                  follow the book when an order is placed (and canceled) through the API
 *   chart-targets  at 360x740 and 768x1024, in both views, every control in the chart panel is at
 *                  least 44x44 CSS px
 *   chart-offscreen  phone (412x600): below the ticket and the book, unscrolled, the chart is neither
 *                  fetched nor started; scrolled to, it draws. A loaded chart scrolled far off screen
 *                  draws no live trade (its `data-drawn-seq` stays); scrolled back, it draws every
 *                  trade that came meanwhile (its last candle closes at the last trade's price)
 *   market-steady  at Lighthouse's phone (412x823) and the tablet, nothing on the market page moves
 *                  while it loads, goes live and draws its chart, nor as a level comes and goes on
 *                  the ladder (layout shifts add up to < 0.01; the book keeps its height). Signed
 *                  out, its feed comes through a relay room (the e2e stack has MARKET_RELAYS=2)
 *
 * Other players (NPC bots) may trade iron-ore meanwhile: nothing here assumes an otherwise empty book.
 */
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { DEMO_PASSWORD } from "../../db/seed";
import { api, e2e, live, marketFixture, newPlayer, PHONE, SHOTS, showChart, TABLET, test } from "./harness";

/** A laptop screen, where the market page puts the chart beside the book and ticket, wide. */
const DESKTOP = { width: 1440, height: 900 };

let fixture: Promise<void> | undefined;
/** The fixture once per run (placing its orders again only replays them: idempotent by clientOrderId). */
const ensureFixture = () => (fixture ??= marketFixture(e2e.stack!.url, e2e.stack!.stack.databaseUrl));

async function openMarket(viewport: { width: number; height: number }) {
  const player = await newPlayer(viewport);
  await player.page.goto("/markets/iron-ore");
  await live(player.page);
  return player;
}

/** Where the candle and volume colours are drawn, in CSS px of the page, read from the chart's canvases. */
function chartPixels(page: Page) {
  return page.evaluate(() => {
    const host = document.querySelector<HTMLElement>(".chart-canvas")!;
    const root = getComputedStyle(document.documentElement);
    // (No named functions inside evaluate: tsx would wrap them in a helper the page does not have.)
    const colours = ["--up", "--down"].map((name) => {
      const probe = document.createElement("i");
      probe.style.color = root.getPropertyValue(name);
      document.body.appendChild(probe);
      const m = getComputedStyle(probe).color.match(/\d+(\.\d+)?/g)!.map(Number);
      probe.remove();
      return m.slice(0, 3);
    });
    const hostBox = host.getBoundingClientRect();
    const found = { candle: { top: Infinity, bottom: -Infinity, n: 0 }, volume: { top: Infinity, bottom: -Infinity, n: 0 } };
    const panes: Array<{ top: number; bottom: number }> = [];
    for (const canvas of host.querySelectorAll("canvas")) {
      const box = canvas.getBoundingClientRect();
      // The panes span most of the width; the price and time axes are narrow or short.
      if (box.width < hostBox.width * 0.6 || box.height < 30 || canvas.width === 0) continue;
      panes.push({ top: box.top, bottom: box.bottom });
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      const scale = box.height / canvas.height;
      for (let i = 0; i < data.length; i += 4) {
        const a = data[i + 3]!;
        if (a < 40) continue;
        const hit = colours.some(([r, g, b]) => Math.abs(data[i]! - r!) < 6 && Math.abs(data[i + 1]! - g!) < 6 && Math.abs(data[i + 2]! - b!) < 6);
        if (!hit) continue;
        // Candles are opaque; volume bars are the same hues at 35% (--up-soft, --down-soft).
        const kind = a >= 200 ? found.candle : a >= 70 && a <= 110 ? found.volume : null;
        if (!kind) continue;
        const y = box.top + Math.floor(i / 4 / canvas.width) * scale;
        kind.top = Math.min(kind.top, y);
        kind.bottom = Math.max(kind.bottom, y + scale);
        kind.n++;
      }
    }
    // The candles' price scale: its labels' area is the right-hand axis of the first pane.
    return { ...found, panes: [...new Map(panes.map((p) => [`${p.top}`, p])).values()].sort((a, b) => a.top - b.top) };
  });
}

/** The ladder's levels, best first, as [price in copper, cumulative quantity from the best price]. */
async function ladder(page: Page, side: "bids" | "asks") {
  const rows = await page.locator(`.ladder .${side} li:not(.empty):not(.blank)`).evaluateAll((lis) =>
    lis.map((li) => [...li.querySelectorAll(".num")].map((n) => n.textContent ?? "")),
  );
  const levels = rows.map(([price, qty]) => [Number(price!.replace(/[^\d]/g, "")), Number(qty!.replace(/[^\d]/g, ""))] as const);
  // Best first (the ladder shows asks highest at the top), then summed outwards.
  levels.sort((a, b) => (side === "bids" ? b[0] - a[0] : a[0] - b[0]));
  let total = 0;
  return levels.map(([price, qty]) => [price, (total += qty)] as const);
}

/** The depth chart as drawn: its scales and the vertices of each side's outline. */
async function depth(page: Page) {
  return page.locator(".depth svg").evaluate((svg) => {
    const [bid, ask] = ["bid", "ask"].map((cls) =>
      (svg.querySelector(`.depth-line.${cls}`)?.getAttribute("d") ?? "")
        .split(/\s+/)
        .filter(Boolean)
        .map((c) => c.slice(1).split(",").map(Number) as [number, number]),
    );
    const [lo, hi, top, mid2] = ["lo", "hi", "top", "mid2"].map((k) => Number(svg.getAttribute(`data-${k}`)));
    return { lo: lo!, hi: hi!, top: top!, mid2: mid2!, bid: bid!, ask: ask! };
  });
}

type Drawn = Awaited<ReturnType<typeof depth>>;

/** Each ladder level (price, cumulative total) is a vertex of that side's outline; undefined when all are. */
function mismatch(d: Drawn, levels: { bids: ReadonlyArray<readonly [number, number]>; asks: ReadonlyArray<readonly [number, number]> }) {
  const x = (p: number) => ((p - d.lo) / (d.hi - d.lo)) * 1000;
  const y = (t: number) => 1000 - (t / d.top) * 1000;
  for (const side of ["bids", "asks"] as const) {
    const outline = side === "bids" ? d.bid : d.ask;
    for (const [price, total] of levels[side]) {
      const hit = outline.some(([px, py]) => Math.abs(px - x(price)) <= 0.11 && Math.abs(py - y(total)) <= 0.11);
      if (!hit) return `${side}: no step at ${price} copper up to ${total} (outline ${JSON.stringify(outline.slice(0, 12))})`;
    }
  }
  return undefined;
}

/** Every visible control in the chart panel, with its size. */
function targets(page: Page) {
  return page.locator(".chart-panel").evaluate((panel) =>
    [...panel.querySelectorAll<HTMLElement>("a[href], button, [role=tab], input, select, [tabindex]:not([tabindex='-1'])")]
      .filter((el) => el.offsetParent !== null && getComputedStyle(el).visibility !== "hidden")
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { name: (el.getAttribute("aria-label") ?? el.textContent ?? "").trim(), width: r.width, height: r.height };
      }),
  );
}

export async function chartSuite(): Promise<void> {
  await test("chart-volume", async () => {
    await ensureFixture();
    for (const [label, viewport] of [["phone", PHONE], ["tablet", TABLET], ["desktop", DESKTOP]] as const) {
      const { context, page, errors } = await openMarket(viewport);
      try {
        // The chart starts once it is near the screen (below the ticket and book on a phone).
        await showChart(page);
        // Drawn on the next animation frame after the data is set.
        await page.waitForFunction(() => !document.querySelector(".chart .chart-note"), null, { timeout: 10_000 });
        await page.waitForTimeout(300);
        const px = await chartPixels(page);
        // The phone's and the upright tablet's charts (about 340 and 430 px) are narrower than
        // VOLUME_PANE_MIN_WIDTH (600 px): one pane; the desktop's is wider: two.
        const panes = label === "desktop" ? 2 : 1;
        assert.equal(px.panes.length, panes, `${label}: ${panes} pane(s): ${JSON.stringify(px.panes)}`);
        const candlePane = px.panes[0]!;
        const volumePane = px.panes[panes - 1]!;
        assert.ok(px.candle.n > 500, `${label}: candles are drawn (${px.candle.n} px)`);
        assert.ok(px.volume.n > 500, `${label}: volume bars are drawn (${px.volume.n} px)`);
        assert.ok(
          px.volume.top > px.candle.bottom,
          `${label}: the tallest volume bar's top (${px.volume.top.toFixed(1)}) is below the lowest candle pixel (${px.candle.bottom.toFixed(1)})`,
        );
        assert.ok(px.candle.top >= candlePane.top && px.candle.bottom <= candlePane.bottom + 0.5, `${label}: candles inside the top pane`);
        assert.ok(px.volume.top >= volumePane.top && px.volume.bottom <= volumePane.bottom + 0.5, `${label}: volume inside the ${panes === 1 ? "same" : "bottom"} pane`);
        const height = volumePane.bottom - candlePane.top;
        if (panes === 2) {
          assert.ok(volumePane.top >= candlePane.bottom, `${label}: the volume pane is under the candle pane`);
          const share = (volumePane.bottom - volumePane.top) / height;
          assert.ok(share > 0.15 && share < 0.35, `${label}: the volume pane is about a quarter of the chart (${share.toFixed(2)})`);
          // The bars reach near their pane's top (the tallest bar fills its own scale, less its top margin).
          assert.ok(px.volume.top - volumePane.top < (volumePane.bottom - volumePane.top) * 0.4, `${label}: the tallest bar nearly fills the volume pane (bar top ${px.volume.top.toFixed(1)}, pane ${volumePane.top.toFixed(1)}-${volumePane.bottom.toFixed(1)})`);
        } else {
          // The tallest bar reaches about a quarter of the pane up from its bottom, no higher.
          const reach = (volumePane.bottom - px.volume.top) / height;
          assert.ok(reach > 0.15 && reach < 0.3, `${label}: the bars take the bottom quarter of the pane (the tallest reaches ${reach.toFixed(2)} of it)`);
        }
        await page.locator(".chart-panel").screenshot({ path: path.join(SHOTS, `${label}-chart-volume.png`) });
        // Hidden behind the Depth tab and shown again, the chart is drawn again at its size.
        await page.getByRole("tab", { name: "Depth" }).click();
        await page.locator(".depth svg").waitFor();
        await page.getByRole("tab", { name: "Price" }).click();
        await page.waitForTimeout(300);
        const again = await chartPixels(page);
        assert.ok(again.candle.n > 500 && again.volume.n > 500 && again.volume.top > again.candle.bottom, `${label}: drawn again after the Depth tab`);
        assert.deepEqual(errors, [], `${label}: no console errors`);
      } finally {
        await context.close();
      }
    }
  });

  await test("chart-offscreen", async () => {
    await ensureFixture();
    // A short phone, so that the end of a new player's page (no open orders) is a screen past the chart.
    const { context, page, errors } = await newPlayer({ width: PHONE.width, height: 600 });
    try {
      const scripts: string[] = [];
      page.on("request", (r) => void (r.resourceType() === "script" && scripts.push(r.url())));
      await page.goto("/markets/iron-ore");
      await live(page);
      const host = page.locator(".chart-canvas").first();
      // Below the ticket and the book, unscrolled, the chart is neither fetched nor started.
      await page.waitForTimeout(1_500);
      const top = await page.evaluate(() => document.querySelector(".chart-canvas")!.getBoundingClientRect().top - window.innerHeight);
      assert.ok(top > 0, `the chart starts ${top} px below the screen`);
      assert.equal(await page.locator(".chart canvas").count(), 0, "unscrolled, the chart is not started");
      assert.deepEqual(scripts.filter((u) => u.includes("chart-lib")), [], "unscrolled, the chart library is not fetched");
      // Scrolled to, it starts and draws.
      await page.locator(".chart").first().scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.querySelector(".chart-canvas")?.hasAttribute("data-drawn-seq"), null, { timeout: 15_000 });
      // The end of the page: the chart is a screen or more above it.
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      const state = () => page.evaluate(() => `scrollY ${Math.round(scrollY)} of ${document.body.scrollHeight}, chart bottom ${Math.round(document.querySelector(".chart-canvas")!.getBoundingClientRect().bottom)} px, on screen: ${document.querySelector(".chart-canvas")!.getAttribute("data-on-screen")}, canvases ${document.querySelectorAll(".chart-canvas canvas").length}`);
      const waitOr = (what: string, f: () => boolean) => page.waitForFunction(f, null, { timeout: 5_000 }).catch(async (e: Error) => assert.fail(`${what}: ${e.message.split("\n")[0]} (${await state()})`));
      await waitOr("scrolled to the end, the chart is 200 px above the screen", () => document.querySelector(".chart-canvas")!.getBoundingClientRect().bottom < -200);
      // The chart's own word that it is off screen (its IntersectionObserver's, on its host).
      await waitOr("the chart says it is off screen", () => document.querySelector(".chart-canvas")!.getAttribute("data-on-screen") === "false");
      const before = Number(await host.getAttribute("data-drawn-seq"));
      // Two trades: bob takes the best asks through the API.
      const token = (await api("/tokens", { method: "POST", json: { username: "bob", password: DEMO_PASSWORD, label: "e2e chart offscreen" } })).token as string;
      const prices: number[] = [];
      for (let i = 0; i < 2; i++) {
        const answer = (await api("/markets/iron-ore/orders", {
          method: "POST",
          token,
          json: { clientOrderId: `off-${Date.now().toString(36)}-${i}`, side: "buy", price: 500, quantity: 10, timeInForce: "IOC" },
        })) as { fills?: Array<{ price: number }> };
        assert.ok(answer.fills?.length, "bob's buy traded");
        prices.push(answer.fills.at(-1)!.price);
      }
      // The page heard them: the tape (on screen here) shows the last one.
      await page.locator(".tape-table tbody tr").first().filter({ hasText: (prices.at(-1)! / 100).toFixed(2) }).waitFor({ timeout: 10_000 });
      await page.waitForTimeout(500);
      const where = await page.evaluate(() => `on screen: ${document.querySelector(".chart-canvas")!.getAttribute("data-on-screen")}, bottom ${Math.round(document.querySelector(".chart-canvas")!.getBoundingClientRect().bottom)} px`);
      assert.equal(Number(await host.getAttribute("data-drawn-seq")), before, `off screen (${where}), the chart drew no live trade`);
      // Back on screen: every trade that came meanwhile is drawn.
      await page.locator(".chart").first().scrollIntoViewIfNeeded();
      await page.waitForFunction((b) => Number(document.querySelector(".chart-canvas")!.getAttribute("data-drawn-seq")) > b, before, { timeout: 10_000 });
      const close = Number(await host.getAttribute("data-last-close"));
      assert.equal(close, prices.at(-1), "the last candle closes at the last trade's price");
      assert.deepEqual(errors, [], "no console errors");
    } finally {
      await context.close();
    }
  });

  await test("chart-depth", async () => {
    await ensureFixture();
    for (const [label, viewport] of [["phone", PHONE], ["tablet", TABLET]] as const) {
      const { context, page, errors } = await openMarket(viewport);
      try {
        await page.getByRole("tab", { name: "Depth" }).click();
        await page.locator(".depth svg").waitFor();
        assert.equal(await page.getByRole("tab", { name: "Depth" }).getAttribute("aria-selected"), "true");
        assert.ok(await page.locator(".chart canvas").first().isHidden(), "the price chart is hidden behind its tab");
        const book = { bids: await ladder(page, "bids"), asks: await ladder(page, "asks") };
        assert.ok(book.bids.length >= 3 && book.asks.length >= 3, `${label}: the fixture's book is on the ladder`);
        const drawn = await depth(page);
        assert.equal(mismatch(drawn, book), undefined, `${label}: the depth chart's steps are the ladder's totals`);
        assert.equal(drawn.mid2, book.bids[0]![0] + book.asks[0]![0], `${label}: the mid is between the best bid and ask`);
        assert.ok(drawn.bid.every(([x]) => x <= 500) && drawn.ask.every(([x]) => x >= 500), `${label}: bids left of the mid, asks right`);
        const mid = await page.locator(".depth-tag.mid").innerText();
        assert.match(mid, /Mid\s+\d+\.\d{2,3}/, `${label}: the mid price is marked`);
        // Pointing at the bid side reads the quantity bid at that price or better.
        const plot = (await page.locator(".depth-plot").boundingBox())!;
        await page.mouse.move(plot.x + plot.width * 0.3, plot.y + plot.height / 2);
        assert.match(await page.locator(".depth-readout").innerText(), /^\d+\.\d{2} [\d,]+ to buy$/, `${label}: the readout`);
        await page.locator(".chart-panel").screenshot({ path: path.join(SHOTS, `${label}-depth.png`) });
        await page.mouse.move(0, 0);

        if (label === "tablet") {
          // A new bid through the API, at a price the book has no level at yet, below the best bid.
          const taken = new Set(book.bids.map(([p]) => p));
          let price = book.bids[0]![0] - 1;
          while (taken.has(price) && price > 2) price--;
          const token = (await api("/tokens", { method: "POST", json: { username: "bob", password: DEMO_PASSWORD, label: "e2e chart" } })).token as string;
          const placed = (await api("/markets/iron-ore/orders", {
            method: "POST",
            token,
            json: { clientOrderId: `chart-${Date.now().toString(36)}`, side: "buy", price, quantity: 30 },
          })) as { order?: { id: string } };
          try {
            await page.locator(".ladder .bids li", { hasText: (price / 100).toFixed(2) }).first().waitFor({ timeout: 10_000 });
            let problem: string | undefined = "not checked";
            for (let i = 0; i < 20 && problem; i++) {
              const now = { bids: await ladder(page, "bids"), asks: await ladder(page, "asks") };
              const at = now.bids.find(([p]) => p === price);
              problem = at ? mismatch(await depth(page), now) : `no ladder row at ${price}`;
              if (problem) await page.waitForTimeout(250);
            }
            assert.equal(problem, undefined, "after the new order the depth chart still matches the ladder, with the new step");
            await page.locator(".chart-panel").screenshot({ path: path.join(SHOTS, "tablet-depth-after-order.png") });
          } finally {
            if (placed.order?.id) await api(`/markets/iron-ore/orders/${placed.order.id}`, { method: "DELETE", token });
          }
          // And the step goes away again with the order.
          await page.locator(".ladder .bids li", { hasText: (price / 100).toFixed(2) }).first().waitFor({ state: "detached", timeout: 10_000 });
          const after = await depth(page);
          const x = ((price - after.lo) / (after.hi - after.lo)) * 1000;
          assert.ok(!after.bid.some(([px]) => Math.abs(px - x) < 0.11), "the canceled order's step is gone");
        }
        assert.deepEqual(errors, [], `${label}: no console errors`);
      } finally {
        await context.close();
      }
    }
  });

  await test("chart-targets", async () => {
    await ensureFixture();
    for (const viewport of [{ width: 360, height: 740 }, { width: 768, height: 1024 }]) {
      const { context, page, errors } = await openMarket(viewport);
      try {
        for (const view of ["Price", "Depth"]) {
          await page.getByRole("tab", { name: view }).click();
          const all = await targets(page);
          // Price: the two tabs and four timeframes; Depth: the tabs (the timeframes are hidden).
          assert.ok(all.length >= (view === "Price" ? 6 : 2), `${viewport.width} ${view}: the controls are found (${all.length})`);
          const small = all.filter((t) => t.width < 44 || t.height < 44);
          assert.deepEqual(small, [], `${viewport.width}x${viewport.height} ${view}: every touch target in the chart panel is >= 44x44`);
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${viewport.width}: no sideways scrolling (${overflow}px)`);
        assert.deepEqual(errors, [], "no console errors");
      } finally {
        await context.close();
      }
    }
  });

  await test("market-steady", async () => {
    await ensureFixture();
    for (const viewport of [{ width: 412, height: 823 }, TABLET]) {
      const { context, page, errors } = await newPlayer(viewport);
      try {
        // Every layout shift not caused by input, from the first paint on (the page's own CLS).
        await page.addInitScript(() => {
          const w = window as unknown as { shifts: Array<{ value: number; nodes: string[]; inBook: boolean }> };
          w.shifts = [];
          new PerformanceObserver((list) => {
            for (const e of list.getEntries() as unknown as Array<{ value: number; hadRecentInput: boolean; sources?: Array<{ node?: Element }> }>) {
              const sources = e.sources ?? [];
              // Rows moving within the book as levels come and go are the live book itself.
              const inBook = sources.length > 0 && sources.every((x) => !!x.node?.closest?.(".book-panel"));
              if (!e.hadRecentInput) w.shifts.push({ value: e.value, nodes: sources.map((x) => x.node?.className ?? "?"), inBook });
            }
          }).observe({ type: "layout-shift", buffered: true });
        });
        // Signed out, on a stack with MARKET_RELAYS=2 (tests/e2e/stack.ts): the feed comes from a relay room (ADR 045).
        const sockets: string[] = [];
        page.on("websocket", (ws) => sockets.push(ws.url()));
        await page.goto("/markets/iron-ore");
        await live(page);
        assert.ok(sockets.some((u) => /\/parties\/relay\/iron-ore\.[01](\?|$)/.test(u)), `the signed-out page watches a relay room: ${sockets.join(", ")}`);
        // Scrolled toward it, the chart starts (600 px before it shows), and drawing it moves nothing.
        await showChart(page);
        await page.waitForTimeout(1_000);
        const moved = async (when: string) => {
          const all = await page.evaluate(() => (window as unknown as { shifts: Array<{ value: number; nodes: string[]; inBook: boolean }> }).shifts);
          const shifts = all.filter((x) => !x.inBook);
          const total = shifts.reduce((sum, x) => sum + x.value, 0);
          assert.ok(total < 0.01, `${viewport.width}x${viewport.height}: the page moved ${when} (layout shift ${total.toFixed(3)}: ${JSON.stringify(shifts)})`);
        };
        await moved("while loading");
        // A level comes and goes on the ladder (another player's bid, placed and canceled through the
        // API): the book keeps its height, so nothing below it moves (each side always takes its rows).
        const bookHeight = async () => (await page.locator(".book-panel").boundingBox())!.height;
        const before = await bookHeight();
        const book = { bids: await ladder(page, "bids"), asks: await ladder(page, "asks") };
        // On the side with fewer levels (where one more shows), inside the spread when there is room.
        const side = book.asks.length < book.bids.length ? "sell" : "buy";
        const [near, far] = side === "buy" ? [book.bids, book.asks] : [book.asks, book.bids];
        const step = side === "buy" ? 1 : -1;
        const taken = new Set(near.map(([p]) => p));
        let price = near[0] && far[0] && Math.abs(far[0][0] - near[0][0]) > 1 ? near[0][0] + step : (near[0]?.[0] ?? 200) - step;
        while (taken.has(price) && price > 2) price -= step;
        const token = (await api("/tokens", { method: "POST", json: { username: "bob", password: DEMO_PASSWORD, label: "e2e steady" } })).token as string;
        const placed = (await api("/markets/iron-ore/orders", { method: "POST", token, json: { clientOrderId: `steady-${Date.now().toString(36)}`, side, price, quantity: 30 } })) as { order?: { id: string } };
        const row = page.locator(`.ladder .${side === "buy" ? "bids" : "asks"} li:not(.blank)`, { hasText: (price / 100).toFixed(2) }).first();
        try {
          await row.waitFor({ timeout: 10_000 });
          const counts = await page.evaluate(() => [...document.querySelectorAll(".ladder ol")].map((ol) => `${ol.className}: row heights ${[...ol.children].map((li) => Math.round(li.getBoundingClientRect().height)).join(",")}`).join("; "));
          assert.equal(await bookHeight(), before, `${viewport.width}x${viewport.height}: the book keeps its height with one level more (${side} at ${price}; ${before} -> ${await bookHeight()} px; ${counts})`);
          await page.locator(".book-panel").screenshot({ path: path.join(SHOTS, `book-${viewport.width}x${viewport.height}.png`) });
        } finally {
          if (placed.order?.id) await api(`/markets/iron-ore/orders/${placed.order.id}`, { method: "DELETE", token });
        }
        await row.waitFor({ state: "detached", timeout: 10_000 });
        assert.equal(await bookHeight(), before, `${viewport.width}x${viewport.height}: the book keeps its height with the level gone`);
        await page.waitForTimeout(300);
        await moved("as a level came and went");
        assert.deepEqual(errors, [], "no console errors");
      } finally {
        await context.close();
      }
    }
  });
}
