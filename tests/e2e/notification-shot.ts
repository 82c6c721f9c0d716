/**
 * `npm run shots:notification`: a Bazaar push alert as Chromium shows it, at phone and tablet size
 * (docs/screenshots/push-notification-{phone,tablet}.png). Headless Chromium shows no notification
 * anyone can see, so this runs a real one: Chromium with a window on a virtual X display (Xvfb), its
 * own notification popups (NativeNotifications off: no desktop notification daemon here), a player
 * signed up on the e2e stack, the fill alert's words as the room writes them (fillAlert) turned into
 * the push message the sender encrypts (pushPayload), delivered to the registered service worker by
 * CDP (ServiceWorker.deliverPushMessage, as tests/e2e/push.e2e.ts does after decrypting a real
 * one), and the whole screen captured with xwd.
 *
 * Needs Xvfb, xwd and ImageMagick's convert (Debian: apt-get install xvfb x11-apps imagemagick) and
 * the machine's Postgres; ports SHOT_PORT / SHOT_PARTY_PORT / SHOT_WS_PROXY_PORT (17891-17893),
 * displays :91 and :92. Not part of npm test: it checks what a person looks at, once per change.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { fillAlert } from "../../app/utils/alerts/text";
import { pushPayload } from "../../edge/push/payload";
import { signUp, SHOTS, waitForController } from "./harness";
import { startBrowserStack } from "./stack";

const SIZES = [
  { name: "phone", width: 390, height: 844, display: ":91" },
  { name: "tablet", width: 820, height: 1180, display: ":92" },
];

for (const tool of ["Xvfb", "xwd", "convert"]) {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
  } catch {
    console.error(`${tool} is missing: apt-get install xvfb x11-apps imagemagick`);
    process.exit(1);
  }
}

const stack = await startBrowserStack("notification-shot", {
  web: Number(process.env.SHOT_PORT ?? 17891),
  party: Number(process.env.SHOT_PARTY_PORT ?? 17892),
  wsProxy: Number(process.env.SHOT_WS_PROXY_PORT ?? 17893),
});
const origin = stack.url;
let failed = false;
try {
  for (const size of SIZES) {
    const xvfb = spawn("Xvfb", [size.display, "-screen", "0", `${size.width}x${size.height}x24`, "-nolisten", "tcp"], { stdio: "ignore" });
    const socket = `/tmp/.X11-unix/X${size.display.slice(1)}`;
    try {
      for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
      const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
        headless: false,
        args: ["--disable-features=NativeNotifications", "--window-position=0,0", `--window-size=${size.width},${size.height}`, "--no-first-run", "--hide-crash-restore-bubble", "--hide-scrollbars"],
        env: { ...process.env, DISPLAY: size.display },
        timeout: 30_000,
      });
      try {
        // Chromium's windows are at least ~500 px wide: the page gets the screen's width (minus the
        // browser's own bars) as its viewport, so the phone layout is the one a 390 px phone gets.
        const context = await browser.newContext({ viewport: { width: size.width, height: size.height - 90 }, baseURL: origin, colorScheme: "dark" });
        await context.grantPermissions(["notifications"], { origin });
        const page = await context.newPage();
        await signUp(page, `shot_${size.name}_${Date.now().toString(36).slice(-5)}`);
        await page.goto("/markets/iron-ore");
        await waitForController(page);

        const draft = fillAlert(
          { slug: "iron-ore", name: "Iron Ore", icon: "⛏️" },
          { orderId: crypto.randomUUID(), playerId: crypto.randomUUID(), side: "sell", quantity: 20, notional: 20 * 127, minPrice: 127, maxPrice: 127, firstSeq: 1, remaining: 0, status: "filled" },
        );
        const message = pushPayload({ id: crypto.randomUUID(), kind: draft.kind, title: draft.title, body: draft.body, url: draft.url, icon: draft.icon, createdAt: new Date() });
        const cdp = await context.newCDPSession(page);
        const registrations = new Map<string, string>();
        cdp.on("ServiceWorker.workerRegistrationUpdated", (e: { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> }) => {
          for (const r of e.registrations) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
        });
        await cdp.send("ServiceWorker.enable");
        for (let i = 0; i < 100 && !registrations.has(`${origin}/`); i++) await page.waitForTimeout(50);
        const registrationId = registrations.get(`${origin}/`);
        if (!registrationId) throw new Error(`no service worker registration for ${origin}/`);
        await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId, data: JSON.stringify(message) });

        const sw = context.serviceWorkers().find((w) => w.url().startsWith(origin));
        let shown: string[] = [];
        for (let i = 0; i < 100 && shown.length === 0; i++) {
          await page.waitForTimeout(100);
          shown = (await sw?.evaluate(async () => (await (self as unknown as ServiceWorkerGlobalScope).registration.getNotifications()).map((n) => n.title))) ?? [];
        }
        if (shown[0] !== message.title) throw new Error(`the notification shown was ${JSON.stringify(shown)}, not "${message.title}"`);
        await page.waitForTimeout(1_000); // the popup slides in
        const file = path.join(SHOTS, `push-notification-${size.name}.png`);
        execFileSync("sh", ["-c", `xwd -root -silent | convert xwd:- '${file}'`], { env: { ...process.env, DISPLAY: size.display } });
        console.log(`${size.name}: "${message.title}" / "${message.body}" -> ${path.relative(process.cwd(), file)}`);
      } finally {
        await browser.close();
      }
    } catch (error) {
      failed = true;
      console.error(`${size.name}: ${(error as Error).message}`);
    } finally {
      xvfb.kill("SIGTERM");
    }
  }
} finally {
  await stack.stop();
}
process.exit(failed ? 1 : 0);
