/**
 * The alerts an offer's change owes, written in that change's transaction (the outbox, ADR 013).
 */
import { sql } from "drizzle-orm";
import { offerAlert, type OfferEvent } from "../../app/utils/alerts/text";
import { rows, type Db } from "../db";
import { writeAlerts } from "./write";

/**
 * Alert `notify` (one of the offer's two players) that `event` happened to offer `offerId`; the
 * words name the other player. `subjectId` is the offer the alert opens (a counter: the new offer).
 */
export async function alertOffer(tx: Db, offerId: string, event: OfferEvent, notify: string, subjectId = offerId): Promise<void> {
  const [o] = await rows<{ from: string; to: string; fromName: string; toName: string; expiresAt: string }>(tx, sql`
    select o.from_player_id::text as "from", o.to_player_id::text as "to", f.username as "fromName", t.username as "toName",
      to_char(o.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "expiresAt"
    from trade_offers o join players f on f.id = o.from_player_id join players t on t.id = o.to_player_id where o.id = ${offerId}::uuid`);
  if (!o) return;
  const other = notify === o.from ? o.toName : o.fromName;
  await writeAlerts(tx, [offerAlert(event, { playerId: notify, offerId: subjectId, other, expiresAt: o.expiresAt })]);
}

/** Offers to a player that expire within this many minutes get one "about to expire" alert. */
export const EXPIRING_WITHIN_MINUTES = 60;

/**
 * One "about to expire" alert per pending offer that expires within the hour (its recipient's:
 * the one who can still act). Run by the cron trigger, every minute; the dedupe key and the
 * not-exists make a second run write nothing.
 */
export async function alertExpiringOffers(db: Db, limit = 1000): Promise<number> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const due = await rows<{ id: string; to: string; fromName: string; expiresAt: string }>(tx, sql`
      select o.id::text as id, o.to_player_id::text as "to", f.username as "fromName",
        to_char(o.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "expiresAt"
      from trade_offers o join players f on f.id = o.from_player_id
      where o.status = 'pending' and o.expires_at > now() and o.expires_at <= now() + make_interval(mins => ${EXPIRING_WITHIN_MINUTES})
        and not exists (select 1 from alerts a where a.player_id = o.to_player_id and a.dedupe_key = 'offer_expiring:' || o.id::text)
      order by o.expires_at limit ${limit}`);
    return writeAlerts(tx, due.map((o) => offerAlert("expiring", { playerId: o.to, offerId: o.id, other: o.fromName, expiresAt: o.expiresAt })));
  });
}
