/**
 * A trader's dashboard (app/routes/dashboard.tsx): the saved layout, and what its panels show,
 * each read for the acting player only.
 */
import { sql } from "drizzle-orm";
import type { PanelPlace } from "../app/utils/dashboard/layout";
import { readLayout } from "../app/utils/dashboard/layout-input.server";
import { rows, type Db } from "./db";
import { readLeaderboardCursor } from "./leaderboards/consumer";
import { dayPeriod, weekPeriod } from "./leaderboards/periods";

export async function loadDashboardLayout(db: Db, playerId: string): Promise<PanelPlace[]> {
  const [found] = await rows<{ layout: unknown }>(db, sql`select layout from player_dashboards where player_id = ${playerId}`);
  return readLayout(typeof found?.layout === "string" ? JSON.parse(found.layout) : found?.layout);
}

export async function saveDashboardLayout(db: Db, playerId: string, layout: PanelPlace[]): Promise<void> {
  await db.execute(sql`insert into player_dashboards (player_id, layout) values (${playerId}, ${JSON.stringify(layout)}::jsonb)
    on conflict (player_id) do update set layout = excluded.layout, updated_at = now()`);
}

export interface HoldingValue {
  slug: string | null;
  name: string;
  icon: string;
  quantity: number;
  /** Last traded price of its market (null: no market or never traded). */
  last: number | null;
  /** quantity x last, copper. */
  value: number;
}

/** My copper and stacks, each at its market's last price (the worth board's rule). */
export async function holdingsValue(db: Db, playerId: string): Promise<{ copper: number; stacks: HoldingValue[]; total: number }> {
  const [wallet] = await rows<{ copper: string }>(db, sql`select (available + reserved)::text as copper from balances where player_id = ${playerId}`);
  const found = await rows<{ slug: string | null; name: string; icon: string; quantity: string; last: string | null }>(db, sql`
    select m.slug, t.name, t.icon, (h.available + h.reserved)::text as quantity,
      (select f.price::text from fills f where f.market_slug = m.slug order by f.seq desc limit 1) as last
    from holdings h join item_types t on t.id = h.item_type_id left join markets m on m.item_type_id = h.item_type_id
    where h.player_id = ${playerId} and h.available + h.reserved > 0`);
  const stacks = found.map((s) => {
    const last = s.last === null ? null : Number(s.last);
    return { slug: s.slug, name: s.name, icon: s.icon, quantity: Number(s.quantity), last, value: last === null ? 0 : Number(s.quantity) * last };
  }).sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
  const copper = Number(wallet?.copper ?? 0);
  return { copper, stacks, total: copper + stacks.reduce((s, h) => s + h.value, 0) };
}

/**
 * Markets I watch: those I starred (the watchlist), hold a stack of, have an order in, or set a
 * price alert on, with the last price and the price 24 hours ago (from the 5-minute candles).
 */
export async function watchedMarkets(db: Db, playerId: string, starred: string[] = []): Promise<Array<{ slug: string; name: string; icon: string; last: number | null; open24h: number | null }>> {
  const found = await rows<{ slug: string; name: string; icon: string; last: string | null; open: string | null }>(db, sql`
    select m.slug, t.name, t.icon,
      (select f.price::text from fills f where f.market_slug = m.slug order by f.seq desc limit 1) as last,
      (select c.open::text from candles c where c.market_slug = m.slug and c.interval = '5m' and c.bucket > now() - interval '24 hours' order by c.bucket limit 1) as open
    from markets m join item_types t on t.id = m.item_type_id
    where m.slug = any(${`{${starred.filter((x) => /^[a-z0-9-]{1,64}$/.test(x)).join(",")}}`}::text[])
      or exists (select 1 from holdings h where h.player_id = ${playerId} and h.item_type_id = m.item_type_id and h.available + h.reserved > 0)
      or exists (select 1 from orders o where o.player_id = ${playerId} and o.market_slug = m.slug and o.status = 'open')
      or exists (select 1 from price_alerts a where a.player_id = ${playerId} and a.market_slug = m.slug)
    order by t.name limit 50`);
  return found.map((r) => ({ slug: r.slug, name: r.name, icon: r.icon, last: r.last === null ? null : Number(r.last), open24h: r.open === null ? null : Number(r.open) }));
}

/** My realised profit and traded value today, this week and in all (leaderboard_scores), and when they were computed. */
export async function myBoardScores(db: Db, playerId: string, now = new Date()) {
  const periods = { day: dayPeriod(now), week: weekPeriod(now), all: "all" } as const;
  const found = await rows<{ board: string; period: string; score: string }>(db, sql`
    select board, period, score::text as score from leaderboard_scores
    where player_id = ${playerId} and board in ('profit', 'volume') and period in (${periods.day}, ${periods.week}, 'all')`);
  const pick = (board: string, w: keyof typeof periods) => Number(found.find((r) => r.board === board && r.period === periods[w])?.score ?? 0);
  const { asOf } = await readLeaderboardCursor(db);
  return {
    profit: { day: pick("profit", "day"), week: pick("profit", "week"), all: pick("profit", "all") },
    volume: { day: pick("volume", "day"), week: pick("volume", "week"), all: pick("volume", "all") },
    asOf,
  };
}

/** The market the chart, book and tape panels show, as the player chose it (null: not chosen, or no longer a market). */
export async function loadDashboardMarket(db: Db, playerId: string): Promise<string | null> {
  const [found] = await rows<{ market: string | null }>(db, sql`
    select d.market from player_dashboards d join markets m on m.slug = d.market where d.player_id = ${playerId}`);
  return found?.market ?? null;
}

/** Saves the market the chart, book and tape panels show; false (nothing saved) when there is no such market. */
export async function saveDashboardMarket(db: Db, playerId: string, slug: string, defaultLayout: PanelPlace[]): Promise<boolean> {
  const saved = await rows<{ market: string }>(db, sql`
    insert into player_dashboards (player_id, layout, market)
    select ${playerId}, ${JSON.stringify(defaultLayout)}::jsonb, m.slug from markets m where m.slug = ${slug}
    on conflict (player_id) do update set market = excluded.market, updated_at = now()
    returning market`);
  return saved.length > 0;
}

/** Every market, by name, for the dashboard's market choice. */
export async function marketChoices(db: Db): Promise<Array<{ slug: string; name: string }>> {
  return rows<{ slug: string; name: string }>(db, sql`select m.slug, t.name from markets m join item_types t on t.id = m.item_type_id order by t.name, m.slug limit 500`);
}
