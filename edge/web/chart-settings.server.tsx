/**
 * The market page's chart settings, server side: whose (the player's row, or a signed-out
 * visitor's cookie) and the form as static HTML, so the page ships no script for it until the
 * chart's own code loads (the first-load JavaScript budget; ADR 018). The 24 h / 7 d / 30 d table
 * likewise: static HTML, no script.
 */
import type { AppLoadContext } from "@remix-run/cloudflare";
import { renderToStaticMarkup } from "react-dom/server";
import { ChartSettings } from "../../app/components/market/ChartSettings";
import { WindowStats } from "../../app/components/WindowStats";
import type { ChartPrefs } from "../../app/utils/indicators/prefs";
import { loadChartPrefs } from "../../db/chart-prefs";
import type { ActiveSession } from "../auth/sessions.server";
import { readChartCookie } from "./prefs.server";

export async function chartPrefsFor(request: Request, context: AppLoadContext, session: ActiveSession | undefined): Promise<ChartPrefs> {
  return session ? loadChartPrefs(context.db, session.player.id) : readChartCookie(request);
}

export const chartSettingsHtml = (prefs: ChartPrefs, csrf: string, back: string) => renderToStaticMarkup(<ChartSettings prefs={prefs} csrf={csrf} back={back} />);

export const windowStatsHtml = (windows: Parameters<typeof WindowStats>[0]["windows"]) => renderToStaticMarkup(<WindowStats windows={windows} />);
