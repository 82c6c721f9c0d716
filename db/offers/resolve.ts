/** Declining (recipient), canceling (sender), and expiring offers on a schedule. */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { offerAlert } from "../../app/utils/alerts/text";
import { writeAlerts } from "../alerts/write";
import { appendEvents } from "../ledger";
import { fail, type Result } from "../result";
import { resolve } from "./accept";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function declineOffer(db: Db, q: { offerId: string; playerId: string }): Promise<Result<object>> {
  return close(db, q, "declined");
}

export async function cancelOffer(db: Db, q: { offerId: string; playerId: string }): Promise<Result<object>> {
  return close(db, q, "canceled");
}

async function close(db: Db, q: { offerId: string; playerId: string }, status: "declined" | "canceled"): Promise<Result<object>> {
  if (!UUID.test(q.offerId)) return fail(404, "offer_not_found", `offer ${q.offerId} not found`);
  return withTx(db, async (tx) => {
    const [o] = await rows<{ from: string; to: string; status: string }>(tx, sql`
      select from_player_id::text as "from", to_player_id::text as "to", status from trade_offers
      where id = ${q.offerId}::uuid and (from_player_id = ${q.playerId} or to_player_id = ${q.playerId}) for update`);
    if (!o) return fail(404, "offer_not_found", `offer ${q.offerId} not found`);
    const allowed = status === "declined" ? o.to : o.from;
    if (allowed !== q.playerId) {
      return fail(403, status === "declined" ? "not_recipient" : "not_sender", status === "declined" ? "only the recipient can decline an offer" : "only the sender can cancel an offer");
    }
    if (o.status !== "pending") return fail(409, "offer_not_pending", `offer is ${o.status}`);
    await resolve(tx, q.offerId, status, null, { actor: `player:${q.playerId}` }, { notify: status === "declined" ? o.from : o.to });
    return { ok: true };
  });
}

/** Mark every pending offer past its expiry as expired (run by the worker's cron trigger). */
export async function expireOffers(db: Db): Promise<number> {
  return withTx(db, async (tx) => {
    const expired = await rows<{ id: string; from: string; to: string; toName: string }>(tx, sql`
      with e as (
        update trade_offers set status = 'expired', resolved_at = now()
        where id in (select id from trade_offers where status = 'pending' and expires_at <= now()
                     order by id for update skip locked limit 1000)
        returning id, from_player_id, to_player_id)
      select e.id::text as id, e.from_player_id::text as "from", e.to_player_id::text as "to", t.username as "toName"
      from e join players t on t.id = e.to_player_id`);
    await appendEvents(tx, { actor: "system:expiry" }, expired.map((o) => ({
      stream: `offer:${o.id}`, type: "offer_expired", payload: { offerId: o.id, notify: o.from },
    })));
    await writeAlerts(tx, expired.map((o) => offerAlert("expired", { playerId: o.from, offerId: o.id, other: o.toName })));
    return expired.length;
  });
}
