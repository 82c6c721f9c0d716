/**
 * Accepting an offer: one transaction. Lock the offer, then both players' accounts and the unique
 * items in the global order, check both sides still have everything (available only: market
 * reservations and escrow do not count), and swap through the ledger. If something is gone the
 * offer becomes "failed", with a reason naming what, and nothing moves.
 */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { appendEvents, applyItemChanges, CURRENCY, lockAccounts, lockItems, record, type ItemChange, type Posting } from "../ledger";
import { fail, type Result } from "../result";
import { findMissing } from "./missing";
import { loadOffer } from "./read";
import type { Offer, OfferLine, OfferLineInput, OfferPolicy } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function acceptOffer(
  db: Db,
  q: { offerId: string; playerId: string; confirmed?: boolean },
  policy: OfferPolicy,
): Promise<Result<{ offer: Offer }>> {
  if (!UUID.test(q.offerId)) return fail(404, "offer_not_found", `offer ${q.offerId} not found`);
  return withTx(db, async (tx) => {
    const [o] = await rows<{ from: string; to: string; status: string; expired: boolean; age: number }>(tx, sql`
      select from_player_id::text as "from", to_player_id::text as "to", status, expires_at <= now() as expired,
        extract(epoch from now() - created_at) as age
      from trade_offers where id = ${q.offerId}::uuid and (from_player_id = ${q.playerId} or to_player_id = ${q.playerId})
      for update`);
    if (!o) return fail(404, "offer_not_found", `offer ${q.offerId} not found`);
    if (o.to !== q.playerId) return fail(403, "not_recipient", "only the player an offer was sent to can accept it");
    if (o.status !== "pending") return fail(409, "offer_not_pending", `offer is ${o.status}, it can no longer be accepted`);
    const ctx = { actor: `player:${q.playerId}` };
    if (o.expired) {
      await resolve(tx, q.offerId, "expired", null, ctx, { notify: o.from });
      return fail(410, "offer_expired", "offer has expired");
    }
    if (Number(o.age) < policy.acceptDelaySeconds) {
      return fail(425, "too_early", `an offer can be accepted ${policy.acceptDelaySeconds} seconds after it was sent: look it over first`);
    }
    const offer = (await loadOffer(tx, q.offerId))!;
    const value = await offerValue(tx, offer.lines);
    if (value >= policy.confirmAboveCopper && !q.confirmed) {
      return fail(428, "confirmation_required", `this offer is worth about ${value} copper: confirm to accept it`);
    }

    const give = offer.lines.filter((l) => l.direction === "give").map(toInput);
    const ask = offer.lines.filter((l) => l.direction === "ask").map(toInput);
    await lockAccounts(tx, [o.from, o.to]);
    const uniqueIds = offer.lines.filter((l) => l.kind === "unique").map((l) => l.itemId!);
    const items = uniqueIds.length ? await lockItems(tx, uniqueIds) : new Map();
    const missing = [
      ...(await findMissing(tx, o.from, give)).map((m) => `sender lacks ${m}`),
      ...(await findMissing(tx, o.to, ask)).map((m) => `you lack ${m}`),
    ];
    if (missing.length) {
      const reason = missing.join("; ");
      await resolve(tx, q.offerId, "failed", reason, ctx, { notify: o.from, reason });
      return fail(409, "offer_failed", `offer can no longer be completed: ${reason}`);
    }

    const postings: Posting[] = [];
    const changes: ItemChange[] = [];
    for (const l of offer.lines) {
      const [payer, payee] = l.direction === "give" ? [o.from, o.to] : [o.to, o.from];
      if (l.kind === "unique") {
        const item = items.get(l.itemId!)!;
        changes.push({ id: item.id, type: item.type, owner: payee, state: "held", v: item.version + 1 });
      } else {
        const asset = l.kind === "currency" ? CURRENCY : l.itemTypeId!;
        postings.push({ player: payer, asset, available: -l.quantity, reserved: 0 }, { player: payee, asset, available: l.quantity, reserved: 0 });
      }
    }
    await applyItemChanges(tx, changes);
    await record(tx, ctx, { stream: `offer:${q.offerId}`, type: "offer_settled", postings, items: changes, data: { offerId: q.offerId, from: o.from, to: o.to } });
    await resolve(tx, q.offerId, "accepted", null, ctx, { notify: o.from });
    return { ok: true, offer: (await loadOffer(tx, q.offerId))! };
  });
}

function toInput(l: OfferLine): OfferLineInput {
  if (l.kind === "unique") return { kind: "unique", itemId: l.itemId! };
  if (l.kind === "stack") return { kind: "stack", itemTypeId: l.itemTypeId!, quantity: l.quantity };
  return { kind: "currency", quantity: l.quantity };
}

/** Currency on both sides plus stacks at their market's last trade price (unique items: unpriced). */
async function offerValue(tx: Db, lines: OfferLine[]): Promise<number> {
  let value = 0;
  for (const l of lines) {
    if (l.kind === "currency") value += l.quantity;
    if (l.kind === "stack") {
      const [last] = await rows<{ price: string }>(tx, sql`
        select f.price::text as price from fills f join markets m on m.slug = f.market_slug
        where m.item_type_id = ${l.itemTypeId} order by f.created_at desc, f.seq desc limit 1`);
      value += Number(last?.price ?? 0) * l.quantity;
    }
  }
  return value;
}

export async function resolve(
  tx: Db,
  offerId: string,
  status: "accepted" | "declined" | "canceled" | "expired" | "failed",
  reason: string | null,
  ctx: { actor: string },
  payload: Record<string, unknown>,
): Promise<void> {
  await tx.execute(sql`
    update trade_offers set status = ${status}, failure_reason = ${reason}, resolved_at = now() where id = ${offerId}::uuid`);
  await appendEvents(tx, ctx, [{ stream: `offer:${offerId}`, type: `offer_${status}`, payload: { offerId, ...payload } }]);
}
