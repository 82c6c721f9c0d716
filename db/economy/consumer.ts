/** The economy's faucets-and-sinks projection (economy_flows), kept by a feed consumer. */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { Consumer } from "../consumers/run";
import { flowsOf, type Flow } from "./flows";

export const flowsConsumer: Consumer = {
  name: "economy_flows",
  // All types: any event may record supply changes (new kinds of faucets come with new event types);
  // those without any are skipped by flowsOf.
  types: [],
  async apply(tx, events) {
    const flows = flowsOf(events).filter((f) => f.minted !== 0 || f.burned !== 0 || f.sunk !== 0);
    if (flows.length === 0) return;
    await tx.execute(sql`
      insert into economy_flows (day, asset, source, minted, burned, sunk)
      select f.day, f.asset, f.source, f.minted, f.burned, f.sunk
      from jsonb_to_recordset(${JSON.stringify(flows)}::jsonb) as f(day text, asset int, source text, minted bigint, burned bigint, sunk bigint)
      order by f.day, f.asset, f.source
      on conflict (day, asset, source) do update set minted = economy_flows.minted + excluded.minted,
        burned = economy_flows.burned + excluded.burned, sunk = economy_flows.sunk + excluded.sunk`);
  },
  async reset(tx) {
    await tx.execute(sql`delete from economy_flows`);
  },
};

export async function readFlows(db: Db): Promise<Flow[]> {
  const found = await rows<{ day: string; asset: number; source: string; minted: string; burned: string; sunk: string }>(db, sql`
    select day, asset, source, minted::text, burned::text, sunk::text from economy_flows order by day, asset, source`);
  return found.map((f) => ({ day: f.day, asset: f.asset, source: f.source, minted: Number(f.minted), burned: Number(f.burned), sunk: Number(f.sunk) }));
}
