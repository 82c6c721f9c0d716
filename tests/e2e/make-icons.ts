/**
 * Renders the app icons (public/icons/*.png) from one SVG with the same chromium the e2e suite
 * uses: `node --import tsx tests/e2e/make-icons.ts`. The PNGs are committed; run this only when
 * the design changes.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { repoRoot } from "../../scripts/paths";

const candles = (scale: number, dx: number, dy: number) => `
  <g transform="translate(${dx} ${dy}) scale(${scale})">
    <rect x="13" y="22" width="8" height="22" rx="2" fill="#3ddc84"/><rect x="16" y="15" width="2" height="36" rx="1" fill="#3ddc84"/>
    <rect x="28" y="28" width="8" height="18" rx="2" fill="#ff6b6b"/><rect x="31" y="22" width="2" height="30" rx="1" fill="#ff6b6b"/>
    <rect x="43" y="16" width="8" height="24" rx="2" fill="#f0b44c"/><rect x="46" y="10" width="2" height="36" rx="1" fill="#f0b44c"/>
  </g>`;

const icon = (size: number, maskable: boolean, glyph?: string) => {
  const bg = maskable ? `<rect width="64" height="64" fill="#0e1116"/>` : `<rect width="64" height="64" rx="14" fill="#0e1116"/>`;
  // Maskable icons keep their content inside the central 80% circle.
  const body = glyph ?? (maskable ? candles(0.7, 9.6, 9.6) : candles(1, 0, 0));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 64 64">${bg}${body}</svg>`;
};

const shortcut = (emoji: string) => `<text x="32" y="44" font-size="34" text-anchor="middle">${emoji}</text>`;

const out = path.join(repoRoot, "public", "icons");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--headless"] });
const page = await browser.newPage();
const jobs: Array<[string, number, string]> = [
  ["icon-192.png", 192, icon(192, false)],
  ["icon-512.png", 512, icon(512, false)],
  ["maskable-512.png", 512, icon(512, true)],
  ["apple-touch-icon.png", 180, icon(180, true)],
  // The header's logo: the favicon's drawing as pixels (28 px at up to 3x), because an <img> of an SVG
  // makes the browser build a whole SVG document for it while the page loads.
  ["brand-84.png", 84, icon(84, false)],
  // The tab's icon, for the same reason: Chromium decodes a page's favicon in the page's own
  // renderer, and an SVG one is a whole SVG document built on its main thread during the load.
  ["favicon-48.png", 48, icon(48, false)],
  ["shortcut-inventory.png", 96, icon(96, false, shortcut("🎒"))],
  ["shortcut-markets.png", 96, icon(96, false, candles(0.8, 6.4, 6.4))],
];
for (const [name, size, svg] of jobs) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  writeFileSync(path.join(out, name), await page.locator("svg").screenshot({ omitBackground: true }));
  console.log(`wrote public/icons/${name}`);
}
await browser.close();
