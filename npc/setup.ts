/**
 * The demo world on a database: the NPC traders' accounts, then a week of history in every world
 * market that has never traded. Run by the process that owns the database before any market room
 * opens (scripts/prepare-db.ts), so no room holds a book these orders would not be in.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db/db";
import { ensureNpcs } from "./accounts";
import { defaultHistory, simulateHistory, type HistoryOptions } from "./history";
import { marketProfiles } from "./world";

export async function prepareDemoWorld(db: Db, secret: string, log: (line: string) => void, o: Partial<HistoryOptions> = {}): Promise<void> {
  const t0 = performance.now();
  const ids = await ensureNpcs(db, secret);
  const traded = new Set((await rows<{ slug: string }>(db, sql`select distinct market_slug as slug from fills`)).map((r) => r.slug));
  const quiet = marketProfiles.map((m) => m.slug).filter((slug) => !traded.has(slug) && (!o.markets || o.markets.includes(slug)));
  if (quiet.length === 0) {
    log(`demo world: ${ids.size} NPC traders; every market has its history already`);
    return;
  }
  const options = { ...defaultHistory(), ...o, markets: quiet };
  const r = await simulateHistory(db, ids, options);
  log(
    `demo world: ${ids.size} NPC traders; ${r.markets} markets given ${options.days} days of history ` +
      `(${r.fills.toLocaleString("en-US")} trades in ${r.batches.toLocaleString("en-US")} batches, ${r.refused} refused) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
