/**
 * The icons a page load makes the browser decode are PNGs: Chromium decodes a page's favicon, and
 * the manifest's icons it fetches, in the page's own renderer, and each SVG one is a whole SVG
 * document built on the main thread while the page loads (docs/PERFORMANCE.md, 2026-12-07 23:00).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { links } from "../../app/root";
import { repoRoot } from "../../scripts/paths";

const publicFile = (href: string) => path.join(repoRoot, "public", href.replace(/^\//, ""));

describe("page icons", () => {
  it("the favicon and touch icon are PNG files that exist", () => {
    const icons = links().filter((l) => "rel" in l && /icon/.test(String(l.rel)));
    expect(icons.map((l) => ("rel" in l ? l.rel : ""))).toEqual(["icon", "apple-touch-icon"]);
    for (const l of icons) {
      const href = String("href" in l ? l.href : "");
      expect(href).toMatch(/\.png$/);
      expect(existsSync(publicFile(href)), href).toBe(true);
    }
  });

  it("the manifest's icons and shortcut icons are PNG files that exist", () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, "public", "manifest.webmanifest"), "utf8")) as {
      icons: Array<{ src: string; type: string }>;
      shortcuts: Array<{ icons: Array<{ src: string; type: string }> }>;
    };
    const all = [...manifest.icons, ...manifest.shortcuts.flatMap((s) => s.icons)];
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const icon of all) {
      expect(icon.type, icon.src).toBe("image/png");
      expect(existsSync(publicFile(icon.src)), icon.src).toBe(true);
    }
  });
});
