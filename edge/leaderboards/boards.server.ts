/**
 * The leaderboards' Redis copy: one sorted set per board and period (`<prefix><board>:<period>`,
 * member = player id, score = copper), written from the consumer's changed rows after each page
 * commits, and marked with the consumer's cursor (`<prefix>synced`). A reader compares the mark
 * with the cursor in Postgres (one primary-key read): when they differ (Redis flushed or evicted,
 * a write to Redis lost after the commit, another isolate's in-process store) it copies the
 * current periods again from leaderboard_scores, the source, before answering. Nothing is ever
 * computed from Redis alone. Players who hid themselves stay in the sets (a copy of the scores);
 * they are left out when a board is read (topOf, rankOf; ADR 039).
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/db";
import { leaderboardConsumer, readLeaderboardCursor, readScores, type ScoreRow } from "../../db/leaderboards/consumer";
import { BOARDS, periodOf, WINDOWS, type Board, type Window } from "../../db/leaderboards/periods";
import type { Consumer } from "../../db/consumers/run";
import type { RedisStore } from "../redis.server";
import { hiddenOnBoard, showsOnLeaderboards } from "../../db/leaderboards/privacy";

export const DEFAULT_PREFIX = "bazaar:lb:";
/** Day boards live three days, week boards fifteen, in Redis (Postgres keeps them all). */
const TTL = { d: 3 * 86_400, w: 15 * 86_400 } as const;

export interface Boards {
  redis: RedisStore;
  db: Db;
  prefix?: string;
}

const keyOf = (prefix: string, board: Board, period: string) => `${prefix}${board}:${period}`;
const markOf = (prefix: string) => `${prefix}synced`;

async function write(redis: RedisStore, prefix: string, changed: ScoreRow[]): Promise<void> {
  const byKey = new Map<string, ScoreRow[]>();
  for (const r of changed) {
    const key = keyOf(prefix, r.board, r.period);
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  await Promise.all([...byKey].map(async ([key, list]) => {
    await redis.zadd(key, ...list.map((r) => ({ member: r.player, score: r.score })));
    const kind = list[0]!.period[0];
    if (kind === "d" || kind === "w") await redis.expire(key, TTL[kind]);
  }));
}

/**
 * The consumer with its Redis copy (the cron runs this one). A page's changes are added to the copy
 * only when the copy is marked with the cursor the page started from; otherwise (flushed, a write
 * lost) the whole copy is made again from Postgres, where the page has committed. A failed Redis
 * write is logged and the mark removed, so that the next reader copies.
 */
export function boardsConsumer(boards: Boards): Consumer {
  const { redis, prefix = DEFAULT_PREFIX } = boards;
  return leaderboardConsumer(async (changed, cursor, previous) => {
    try {
      const mark = await redis.get(markOf(prefix));
      if (mark !== previous) return copyBoards(boards);
      await write(redis, prefix, changed);
      await redis.set(markOf(prefix), cursor);
    } catch (error) {
      await redis.del(markOf(prefix)).catch(() => undefined);
      console.error(JSON.stringify({ ts: new Date().toISOString(), level: "warn", msg: "leaderboards: Redis write failed; readers will copy from Postgres", error: String(error).slice(0, 300) }));
    }
  });
}

/** Copies the current periods of every board from Postgres into Redis and marks the copy. */
export async function copyBoards({ redis, db, prefix = DEFAULT_PREFIX }: Boards, now = new Date()): Promise<void> {
  const { cursor } = await readLeaderboardCursor(db);
  const periods = new Map<string, [Board, string]>();
  for (const board of BOARDS) for (const window of WINDOWS) periods.set(keyOf(prefix, board, periodOf(board, window, now)), [board, periodOf(board, window, now)]);
  for (const [key, [board, period]] of periods) {
    const scores = await readScores(db, board, period);
    await redis.del(key);
    for (let i = 0; i < scores.length; i += 1000) await write(redis, prefix, scores.slice(i, i + 1000));
  }
  await redis.set(markOf(prefix), cursor);
}

/** Copies from Postgres when the Redis copy is not marked with the consumer's cursor; returns when the boards are as of. */
export async function ensureCopied(boards: Boards, now = new Date()): Promise<string | null> {
  const { redis, db, prefix = DEFAULT_PREFIX } = boards;
  const [mark, { cursor, asOf }] = await Promise.all([redis.get(markOf(prefix)), readLeaderboardCursor(db)]);
  if (mark !== cursor) await copyBoards(boards, now);
  return asOf;
}

export interface Entry {
  rank: number;
  playerId: string;
  username: string;
  bot: boolean;
  score: number;
}

async function named(db: Db, scored: Array<{ member: string; score: number }>, firstRank: number): Promise<Entry[]> {
  if (scored.length === 0) return [];
  const ids = scored.map((s) => s.member);
  const found = await rows<{ id: string; username: string; bot: boolean }>(db, sql`
    select id::text as id, username, bot from players where id = any(${`{${ids.join(",")}}`}::uuid[])`);
  const by = new Map(found.map((p) => [p.id, p]));
  return scored.map((s, i) => ({ rank: firstRank + i, playerId: s.member, username: by.get(s.member)?.username ?? "?", bot: by.get(s.member)?.bot ?? false, score: s.score }));
}

/**
 * The top `limit` of a board's window as everyone sees it, rank 1 first: players who hid themselves
 * (db/leaderboards/privacy.ts) are left out and the ranks close up behind them. `players` counts
 * the players shown. The sorted set keeps everyone: the hidden are read from Postgres (a partial
 * index; they are few) and the top is read that many members deeper.
 */
export async function topOf(boards: Boards, board: Board, window: Window, limit = 100, now = new Date()): Promise<{ period: string; asOf: string | null; players: number; entries: Entry[] }> {
  const asOf = await ensureCopied(boards, now);
  const { redis, db, prefix = DEFAULT_PREFIX } = boards;
  const period = periodOf(board, window, now);
  const key = keyOf(prefix, board, period);
  const [hidden, total] = await Promise.all([hiddenOnBoard(db, board, period), redis.zcard(key)]);
  const skip = new Set(hidden.map((h) => h.player));
  const scored = (await redis.zrange(key, 0, limit + skip.size - 1, { rev: true })).filter((s) => !skip.has(s.member)).slice(0, limit);
  return { period, asOf, players: Math.max(0, total - skip.size), entries: await named(db, scored, 1) };
}

/**
 * A player's own rank (1 = top) and score on a board's window, also far outside the top; null rank
 * when not on it. The rank is the one others see: hidden players above do not count. A player who
 * hid themselves gets the place they would have among those shown (`hidden: true`: only they see
 * it), and `players` counts those shown and them.
 */
export async function rankOf(boards: Boards, playerId: string, board: Board, window: Window, now = new Date()): Promise<{ period: string; asOf: string | null; players: number; rank: number | null; score: number | null; hidden: boolean }> {
  const asOf = await ensureCopied(boards, now);
  const { redis, db, prefix = DEFAULT_PREFIX } = boards;
  const period = periodOf(board, window, now);
  const key = keyOf(prefix, board, period);
  const [rank, score, total, hiddenAll, shown] = await Promise.all([
    redis.zrevrank(key, playerId), redis.zscore(key, playerId), redis.zcard(key), hiddenOnBoard(db, board, period), showsOnLeaderboards(db, playerId),
  ]);
  const others = hiddenAll.filter((h) => h.player !== playerId);
  // Above me in Redis's order: a higher score, or the same score and a higher member (ZRANGE REV).
  const above = score === null ? 0 : others.filter((h) => h.score > score || (h.score === score && h.player > playerId)).length;
  return { period, asOf, players: Math.max(0, total - others.length), rank: rank === null ? null : rank - above + 1, score, hidden: !shown };
}
