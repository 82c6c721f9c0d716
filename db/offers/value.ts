/**
 * What offer lines are worth in copper: currency as it is, a stack at its market's last trade
 * price, unique items at nothing (no market price). Used to ask for confirmation and a step-up
 * above the confirmation threshold (ADR 035), when accepting and when giving.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";

/** An offer's line as stored (OfferLine) or as sent (OfferLineInput). */
type Line = { kind: "currency" | "stack" | "unique"; quantity?: number; itemTypeId?: number | null };

export async function offerValue(tx: Db, lines: readonly Line[]): Promise<number> {
  let value = 0;
  for (const l of lines) {
    if (l.kind === "currency") value += l.quantity ?? 0;
    if (l.kind === "stack" && l.itemTypeId != null) {
      const [last] = await rows<{ price: string }>(tx, sql`
        select f.price::text as price from fills f join markets m on m.slug = f.market_slug
        where m.item_type_id = ${l.itemTypeId} order by f.created_at desc, f.seq desc limit 1`);
      value += Number(last?.price ?? 0) * (l.quantity ?? 0);
    }
  }
  return value;
}
