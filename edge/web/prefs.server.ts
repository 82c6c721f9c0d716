/**
 * Browser preferences kept in plain cookies (no account needed, readable by the server so the
 * first paint is already right): the colour theme, the watchlist of market slugs, and a signed-out
 * visitor's chart settings (a signed-in player's are kept in the database: db/chart-prefs.ts).
 */
import { THEMES, type Theme } from "../../app/utils/theme";
import { readChartPrefs, type ChartPrefs } from "../../app/utils/indicators/prefs";
import { isLocalHttp } from "../auth/cookies.server";

export { THEMES, type Theme };

const THEME = "bazaar_theme";
const WATCH = "bazaar_watch";
const YEAR = 365 * 86_400;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const WATCH_MAX = 12;

function read(request: Request, name: string): string | undefined {
  const header = request.headers.get("Cookie");
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq >= 0 && pair.slice(0, eq).trim() === name) return decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return undefined;
}

function write(request: Request, name: string, value: string): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "SameSite=Lax", `Max-Age=${YEAR}`];
  if (!isLocalHttp(request)) parts.push("Secure");
  return parts.join("; ");
}

export function readTheme(request: Request): Theme {
  const value = read(request, THEME);
  return (THEMES as readonly string[]).includes(value ?? "") ? (value as Theme) : "dark";
}

export const themeCookie = (request: Request, theme: Theme) => write(request, THEME, theme);

/** The watchlist, or undefined when the player never edited it (the home page picks defaults). */
export function readWatchlist(request: Request): string[] | undefined {
  const value = read(request, WATCH);
  if (value === undefined) return undefined;
  return [...new Set(value.split(",").filter((s) => SLUG.test(s)))].slice(0, WATCH_MAX);
}

export function watchCookie(request: Request, slugs: string[]): string {
  return write(request, WATCH, slugs.filter((s) => SLUG.test(s)).slice(0, WATCH_MAX).join(","));
}

const CHART = "bazaar_chart";

/** A signed-out visitor's chart settings (defaults when absent or unreadable). */
export function readChartCookie(request: Request): ChartPrefs {
  try {
    return readChartPrefs(JSON.parse(read(request, CHART) ?? "null"));
  } catch {
    return readChartPrefs(null);
  }
}

export const chartCookie = (request: Request, prefs: ChartPrefs) => write(request, CHART, JSON.stringify(prefs));
