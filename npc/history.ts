/**
 * A week of market history for the demo world, made by the real matching and ledger code: for each
 * market, a MarketSession (the room's logic) whose batch clock steps through the past, fed the NPCs'
 * quotes and takes (npc/quotes.ts). Every fill, candle, order and ledger event is written by the
 * same code as a player's order, so check:ledger and replay stay clean. Runs once, on a database
 * where no NPC has traded yet, before any market room opens (the room would not see these orders).
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db/db";
import { Rng } from "../party/engine/random-stream";
import { MarketSession } from "../party/market/session";
import type { MarketCommand } from "../party/settlement/types";
import { bestOf, ladder, reconcile, take, walk } from "./quotes";
import { isOuterMaker, marketProfiles, npcs, type MarketProfile } from "./world";

const HOUR = 3_600_000;

export interface HistoryOptions {
  /** The end of the history (epoch ms); the last step is a minute before it. */
  now: number;
  days: number;
  /** Minutes between steps in the last 2 hours, in the 22 hours before, and hours between steps before that. */
  latestStepMinutes: number;
  recentStepMinutes: number;
  olderStepHours: number;
  seed: number;
  /** Only these markets (default: all of the world's). */
  markets?: readonly string[];
  log?: (line: string) => void;
}

export const defaultHistory = (now = Date.now()): HistoryOptions => ({ now, days: 7, latestStepMinutes: 5, recentStepMinutes: 30, olderStepHours: 8, seed: 2026 });

/**
 * The step times: sparse for the older days (the 1h and 1d charts), every half hour over the last
 * day (24h stats, the 1h chart), every few minutes over the last two hours (the 5m chart a player
 * sees first is not a row of dashes). About 86 steps a market with the defaults.
 */
export function schedule(o: Pick<HistoryOptions, "now" | "days" | "latestStepMinutes" | "recentStepMinutes" | "olderStepHours">): number[] {
  const times: number[] = [];
  const end = o.now - 60_000;
  const dayAgo = end - 24 * HOUR;
  const twoHoursAgo = end - 2 * HOUR;
  let t = end - o.days * 24 * HOUR;
  for (; t < dayAgo; t += o.olderStepHours * HOUR) times.push(t);
  for (t = dayAgo; t < twoHoursAgo; t += o.recentStepMinutes * 60_000) times.push(t);
  for (t = twoHoursAgo; t <= end; t += o.latestStepMinutes * 60_000) times.push(t);
  return times;
}

/** True when an NPC has traded already (the history exists, or the live traders ran). */
export async function hasHistory(db: Db): Promise<boolean> {
  const found = await rows(db, sql`
    select 1 from fills f join players p on p.id = f.maker_player_id where p.bot limit 1`);
  return found.length > 0;
}

export interface HistoryResult {
  markets: number;
  batches: number;
  fills: number;
  refused: number;
  ms: number;
}

export async function simulateHistory(db: Db, ids: ReadonlyMap<string, string>, o: HistoryOptions): Promise<HistoryResult> {
  const t0 = performance.now();
  const times = schedule(o);
  const result: HistoryResult = { markets: 0, batches: 0, fills: 0, refused: 0, ms: 0 };
  const profiles = marketProfiles.filter((m) => !o.markets || o.markets.includes(m.slug));
  for (const [i, profile] of profiles.entries()) {
    const done = await marketHistory(db, ids, profile, times, new Rng(o.seed + i * 7919));
    if (!done) continue;
    result.markets++;
    result.batches += done.batches;
    result.fills += done.fills;
    result.refused += done.refused;
  }
  result.ms = Math.round(performance.now() - t0);
  return result;
}

async function marketHistory(db: Db, ids: ReadonlyMap<string, string>, profile: MarketProfile, times: number[], rng: Rng) {
  let clock = times[0] ?? Date.now();
  const session = await MarketSession.open(() => db, profile.slug, () => {}, 2_000, () => clock);
  if (!session) return undefined;
  const rules = session.config;
  const makers = npcs.filter((n) => n.role === "maker" && n.markets.includes(profile.slug) && ids.has(n.username));
  const takers = npcs.filter((n) => n.role === "taker" && ids.has(n.username));
  let reference = profile.reference;
  let last: number | undefined;
  let n = 0;
  const out = { batches: 0, fills: 0, refused: 0 };
  for (const at of times) {
    clock = at;
    const before = reference;
    reference = walk(reference, profile.reference, rules, rng);
    const commands: MarketCommand[] = [];
    const wanted = [];
    for (const maker of makers) {
      const playerId = ids.get(maker.username)!;
      const quotes = ladder(reference, rules, { levels: isOuterMaker(maker) ? 2 : 3, offset: isOuterMaker(maker) ? 3 : 0, lots: profile.lots, rng });
      wanted.push(...quotes);
      const resting = [...session.openOrders.values()]
        .filter((r) => r.playerId === playerId && r.price !== null)
        .sort((a, b) => (a.side === "buy" ? b.price! - a.price! : a.price! - b.price!))
        .map((r) => ({ id: r.id, side: r.side, price: r.price!, remaining: r.remaining }));
      for (const change of reconcile(resting, quotes)) {
        if (change.type === "amend") commands.push({ type: "amend", orderId: change.id, playerId, price: change.price, quantity: change.quantity });
        else if (change.type === "cancel") commands.push({ type: "cancel", orderId: change.id, playerId });
        else commands.push({ type: "place", playerId, clientOrderId: `h:${profile.slug}:${at.toString(36)}:${n++}`, orderType: "limit", ...change.quote });
      }
    }
    // Two chances a step for a taker to cross (each trades 60% of the time).
    for (let k = 0; k < 2 && takers.length > 0; k++) {
      const taker = rng.pick(takers);
      const order = take(bestOf(wanted), reference, last ?? before, rules, { lots: profile.lots, rng });
      if (order) commands.push({ type: "place", playerId: ids.get(taker.username)!, clientOrderId: `h:${profile.slug}:${at.toString(36)}:${n++}`, orderType: "limit", timeInForce: "IOC", ...order });
    }
    if (commands.length === 0) continue;
    const answers = await session.submitMany(commands);
    out.batches++;
    for (const a of answers) {
      if (!a.ok) out.refused++;
      for (const f of a.fills ?? []) {
        out.fills++;
        last = f.price;
      }
    }
  }
  return out;
}
