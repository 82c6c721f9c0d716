/** Making an offer, and countering one (a new offer linked to the old, which becomes "countered"). */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { alertOffer } from "../alerts/offers";
import { appendEvents } from "../ledger";
import { fail, type Result } from "../result";
import { offerGate } from "../limits/trading-limits";
import { findMissing } from "./missing";
import { loadOffer } from "./read";
import { offerValue } from "./value";
import type { Offer, OfferLineInput, OfferPolicy } from "./types";
import { validateDraft, type OfferDraft } from "./validate";

export interface NewOffer extends OfferDraft {
  fromPlayerId: string;
  /** The recipient, by username (case-insensitive) or id. */
  to: { username: string } | { playerId: string };
  /**
   * steppedUp (ADR 035): false when the sender's session would need a fresh code first; an offer
   * giving away at least the confirmation threshold is then refused with step_up_required, nothing
   * written (a thief with the password alone cannot gift an inventory away). Left out: not checked.
   */
  steppedUp?: boolean;
}

export async function createOffer(db: Db, input: NewOffer, policy: OfferPolicy): Promise<Result<{ offer: Offer }>> {
  return withTx(db, (tx) => insertOffer(tx, input, policy, null));
}

export async function counterOffer(
  db: Db,
  input: OfferDraft & { offerId: string; playerId: string; steppedUp?: boolean },
  policy: OfferPolicy,
): Promise<Result<{ offer: Offer }>> {
  return withTx(db, async (tx) => {
    const [original] = await rows<{ from: string; to: string; status: string }>(tx, sql`
      select from_player_id::text as "from", to_player_id::text as "to", status from trade_offers
      where id = ${input.offerId}::uuid and (from_player_id = ${input.playerId} or to_player_id = ${input.playerId}) for update`);
    if (!original) return fail(404, "offer_not_found", `offer ${input.offerId} not found`);
    if (original.to !== input.playerId) return fail(403, "not_recipient", "only the player an offer was sent to can counter it");
    if (original.status !== "pending") return fail(409, "offer_not_pending", `offer is ${original.status}, it can no longer be countered`);
    const created = await insertOffer(tx, { ...input, fromPlayerId: input.playerId, to: { playerId: original.from } }, policy, input.offerId);
    if (!created.ok) return created;
    await tx.execute(sql`update trade_offers set status = 'countered', resolved_at = now() where id = ${input.offerId}::uuid`);
    await appendEvents(tx, { actor: `player:${input.playerId}` }, [
      { stream: `offer:${input.offerId}`, type: "offer_countered", payload: { offerId: input.offerId, counterOfferId: created.offer.id, by: input.playerId, notify: original.from } },
    ]);
    await alertOffer(tx, input.offerId, "countered", original.from, created.offer.id);
    return created;
  });
}

async function insertOffer(tx: Db, input: NewOffer, policy: OfferPolicy, counterOfId: string | null): Promise<Result<{ offer: Offer }>> {
  const invalid = validateDraft(input, policy);
  if (invalid) return invalid;
  const [sender] = await rows<{ age: number; status: string }>(tx, sql`
    select extract(epoch from now() - created_at)::int as age, status from players where id = ${input.fromPlayerId}`);
  if (!sender || sender.status !== "active") return fail(403, "sender_inactive", "your account cannot send offers");
  if (sender.age < policy.minAccountAgeSeconds) {
    return fail(403, "account_too_new", `accounts younger than ${Math.ceil(policy.minAccountAgeSeconds / 3600)} hours cannot send offers yet`);
  }
  // Trading limits of the item types in the offer (ADR 027): a minimum account age to trade them.
  const gated = await offerGate(tx, input.fromPlayerId, [...input.give, ...input.ask]);
  if (!gated.ok) return gated;
  const [recipient] = "username" in input.to
    ? await rows<{ id: string; status: string }>(tx, sql`select id::text as id, status from players where lower(username) = lower(${input.to.username})`)
    : await rows<{ id: string; status: string }>(tx, sql`select id::text as id, status from players where id = ${input.to.playerId}`);
  if (!recipient || recipient.status !== "active") return fail(404, "unknown_player", "no active player by that name");
  if (recipient.id === input.fromPlayerId) return fail(400, "offer_to_self", "you cannot send an offer to yourself");
  const [blocked] = await rows(tx, sql`
    select 1 from player_blocks where player_id = ${recipient.id} and blocked_id = ${input.fromPlayerId}`);
  if (blocked) return fail(403, "blocked", "this player does not accept offers from you");

  // A debt left by a rollback (db/rollbacks, ADR 024) blocks value going out until it is settled.
  if (input.give.length > 0 && (await rows(tx, sql`select 1 from debts where player_id = ${input.fromPlayerId} and settled_at is null limit 1`)).length) {
    return fail(409, "in_debt", "you owe items or currency after a rollback: you cannot give anything in an offer until the debt is settled");
  }
  const mine = await findMissing(tx, input.fromPlayerId, input.give);
  if (mine.length) return fail(409, "not_owned", `you do not have: ${mine.join("; ")}`);
  const theirs = await findMissing(tx, recipient.id, input.ask);
  if (theirs.length) return fail(409, "not_owned_by_recipient", `the other player does not have: ${theirs.join("; ")}`);
  if (input.steppedUp === false && input.give.length > 0) {
    const giving = await offerValue(tx, input.give);
    if (giving >= policy.confirmAboveCopper) {
      return fail(403, "step_up_required", `this offer gives away about ${giving} copper: confirm it's you with a current code from your authenticator app first`);
    }
  }

  const id = crypto.randomUUID();
  const hours = input.expiresInHours ?? policy.defaultExpiryHours;
  await tx.execute(sql`
    insert into trade_offers (id, from_player_id, to_player_id, message, counter_of_id, expires_at)
    values (${id}, ${input.fromPlayerId}, ${recipient.id}, ${input.message ?? ""}, ${counterOfId}, now() + make_interval(hours => ${hours}))`);
  const lines = [...input.give.map((l) => toRow("give", l)), ...input.ask.map((l) => toRow("ask", l))];
  await tx.execute(sql`
    insert into trade_offer_lines (offer_id, line_no, direction, kind, item_type_id, item_id, quantity)
    select ${id}::uuid, l.line_no, l.direction, l.kind, l.item_type_id, l.item_id, l.quantity
    from jsonb_to_recordset(${JSON.stringify(lines.map((l, i) => ({ ...l, line_no: i + 1 })))}::jsonb)
      as l(line_no int, direction text, kind text, item_type_id int, item_id uuid, quantity bigint)`);
  await appendEvents(tx, { actor: `player:${input.fromPlayerId}` }, [
    { stream: `offer:${id}`, type: "offer_created", payload: { offerId: id, from: input.fromPlayerId, to: recipient.id, counterOfId, lines, notify: recipient.id } },
  ]);
  // A counter-offer's recipient is alerted once, as "countered" (counterOffer), not also as "received".
  if (counterOfId === null) await alertOffer(tx, id, "received", recipient.id);
  return { ok: true, offer: (await loadOffer(tx, id))! };
}

function toRow(direction: "give" | "ask", l: OfferLineInput) {
  return {
    direction,
    kind: l.kind,
    item_type_id: l.kind === "stack" ? l.itemTypeId : null,
    item_id: l.kind === "unique" ? l.itemId : null,
    quantity: l.kind === "unique" ? 1 : l.quantity,
  };
}
