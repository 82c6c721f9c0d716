/**
 * Accepting an offer: one transaction. Lock the offer, then both players' accounts and the unique
 * items in the global order, check both sides still have everything (available only: market
 * reservations and escrow do not count), and swap through the ledger. If something is gone the
 * offer becomes "failed", with a reason naming what, and nothing moves.
 */
import { sql } from "drizzle-orm";
import { offerValue } from "./value";
import { settleDebts } from "../debts/settle";
import { rows, withTx, type Db } from "../db";
import { alertOffer } from "../alerts/offers";
import { appendEvents, applyItemChanges, CURRENCY, lockAccounts, lockItems, record, type ItemChange, type Posting } from "../ledger";
import { fail, type Result } from "../result";
import { findMissing } from "./missing";
import { loadOffer } from "./read";
import type { Offer, OfferLine, OfferLineInput, OfferPolicy } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function acceptOffer(
  db: Db,
  /** steppedUp (ADR 035): false when the accepting session would need a fresh code first; an offer above the
   * confirmation threshold is then refused with step_up_required (nothing changed). Left out: not checked. */
  q: { offerId: string; playerId: string; confirmed?: boolean; steppedUp?: boolean },
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
    if (value >= policy.confirmAboveCopper && q.steppedUp === false) {
      return fail(403, "step_up_required", `this offer is worth about ${value} copper: confirm it's you with a current code from your authenticator app first`);
    }

    const give = offer.lines.filter((l) => l.direction === "give").map(toInput);
    const ask = offer.lines.filter((l) => l.direction === "ask").map(toInput);
    await lockAccounts(tx, [o.from, o.to]);
    // A frozen player (a game server's freeze, db/game-servers/freeze.ts) trades with no one; read under the wallet locks.
    const frozen = await rows<{ id: string }>(tx, sql`
      select player_id::text as id from balances where player_id = any(${`{${o.from},${o.to}}`}::uuid[]) and frozen`);
    if (frozen.length > 0) {
      return fail(409, "player_frozen", frozen.some((f) => f.id === o.from) ? "the sender's account is frozen: this offer cannot be accepted while it is" : "your account is frozen: you cannot trade while it is");
    }
    // A debt left by a rollback (ADR 024) blocks the debtor's side of value going out.
    const debtors = await rows<{ id: string }>(tx, sql`
      select distinct player_id::text as id from debts where player_id = any(${`{${o.from},${o.to}}`}::uuid[]) and settled_at is null`);
    const givers = new Set(offer.lines.map((l) => (l.direction === "give" ? o.from : o.to)));
    if (debtors.some((d) => givers.has(d.id))) {
      return fail(409, "in_debt", debtors.some((d) => d.id === o.to && givers.has(o.to)) ? "you owe items or currency after a rollback: you cannot give anything until the debt is settled" : "the sender owes items or currency after a rollback: this offer cannot be accepted until the debt is settled");
    }
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
    // What a debtor received goes to their debt first, in this transaction (ADR 038).
    await settleDebts(tx, ctx, [o.from, o.to], offer.lines.map((l) => (l.kind === "currency" ? CURRENCY : l.kind === "unique" ? items.get(l.itemId!)!.type : l.itemTypeId!)));
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
  const event = ({ accepted: "accepted", declined: "declined", canceled: "withdrawn", expired: "expired", failed: undefined } as const)[status];
  if (event && typeof payload.notify === "string") await alertOffer(tx, offerId, event, payload.notify);
}
