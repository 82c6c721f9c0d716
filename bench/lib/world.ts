/**
 * What the market benches share: a scratch database (dropped and created on the server of
 * DATABASE_URL) and one market whose players are funded through the faucet.
 */
import pg from "pg";
import { withTx, type Db } from "../../db/db";
import * as ledger from "../../db/ledger";
import { addMarket } from "../../tests/support/market";
import { addPlayer } from "../../tests/support/world";

export const benchServer = () => new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test");

/** Drops and creates `name` on the bench server; returns its URL. */
export async function scratchDatabase(name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`BENCH_DATABASE must be a plain lower-case name, not ${name}`);
  const admin = new pg.Client({ connectionString: benchServer().toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = benchServer();
  url.pathname = `/${name}`;
  return url.toString();
}

/** One market (maker 10 bps, taker 25 bps) and `count` players with plenty of gold and of its item. */
export async function fundedMarket(db: Db, count: number, prefix: string): Promise<{ market: Awaited<ReturnType<typeof addMarket>>; players: string[] }> {
  const market = await addMarket(db, { makerBps: 10, takerBps: 25 });
  const players: string[] = [];
  for (let i = 0; i < count; i++) players.push(await addPlayer(db, `${prefix}_${i}`));
  await withTx(db, async (tx) => {
    for (const p of players) {
      await ledger.mint(tx, { actor: "bench" }, { playerId: p, asset: ledger.CURRENCY, amount: 1_000_000_000_000 });
      await ledger.mint(tx, { actor: "bench" }, { playerId: p, asset: market.itemTypeId, amount: 1_000_000_000 });
    }
  });
  return { market, players };
}

/**
 * A CHECKPOINT on the bench server before the first measured step (unless BENCH_CHECKPOINT=0), and
 * what the header says of it. A run leaves hundreds of MB of WAL behind it: without this, the
 * checkpoint that WAL calls for falls into the next run's steps, with its writes and the full-page
 * images that follow it, and back-to-back runs of the same code differ (docs/PERFORMANCE.md,
 * 2026-12-07 03:12). Checkpoints a run's own WAL causes still fall where they fall.
 */
export async function checkpointBeforeSteps(): Promise<string> {
  if (process.env.BENCH_CHECKPOINT === "0") return "no CHECKPOINT before the steps (BENCH_CHECKPOINT=0)";
  const admin = new pg.Client({ connectionString: benchServer().toString() });
  try {
    await admin.connect();
    await admin.query("checkpoint");
    return "a CHECKPOINT before the steps";
  } catch (error) {
    return `no CHECKPOINT before the steps (${(error as Error).message.slice(0, 80)})`;
  } finally {
    await admin.end().catch(() => undefined);
  }
}
