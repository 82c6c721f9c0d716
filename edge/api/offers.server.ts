/**
 * /api/v1 direct trade offers, blocks, and other players' visible inventories: thin adapters over
 * db/offers. Domain failures keep their status and code (400, 403, 404, 409, 410 expired,
 * 425 too early, 428 confirmation required).
 */
import type { z } from "zod";
import * as offers from "../../db/offers";
import type { Failure } from "../../db/result";
import type { AppLoadContext } from "../context.server";
import { offerPolicy } from "../offers/policy.server";
import { requireStepUpApi } from "../auth/step-up.server";
import { needsStepUp } from "../policy/policy";
import { findActivePlayer, visibleInventory } from "../offers/players.server";
import { Username } from "../validation";
import { ApiError, invalid } from "./http.server";
import * as s from "./offers-schemas";
import { nudgePushSender } from "../push/drain.server";
import { route, type ApiRoute } from "./router.server";

const P = "/api/v1";

function failed(f: Failure): never {
  throw new ApiError(f.status, f.code, f.message);
}

/** A path parameter checked after authentication (see offers-schemas.ts). */
function param<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error, "path");
  return parsed.data;
}

async function requireOffer(context: AppLoadContext, offerId: string, playerId: string) {
  const offer = await offers.getOffer(context.db, { offerId, playerId });
  if (!offer) throw new ApiError(404, "offer_not_found", `offer ${offerId} not found`);
  return offer;
}

const OFFER_ERRORS = [403, 404, 409, 413, 415];

export const offerRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${P}/offers`, operationId: "listOffers",
    summary: "My offers: inbox (pending, to me), sent (pending, from me) or history (resolved), newest first",
    auth: "bearer", query: s.OffersQuery, status: 200, response: s.OfferList,
    async handler({ context, query, session }) {
      return { offers: await offers.listOffers(context.db, { playerId: session.player.id, box: query.box }) };
    },
  }),
  route({
    method: "GET", path: `${P}/offers/:id`, operationId: "getOffer", summary: "One offer I sent or received, with its lines",
    auth: "bearer", params: s.OfferParams, status: 200, response: s.OfferAnswer, errors: [404],
    async handler({ context, params, session }) {
      return { offer: await requireOffer(context, param(s.OfferId, params.id), session.player.id) };
    },
  }),
  route({
    method: "POST", path: `${P}/offers`, operationId: "createOffer",
    summary: "Offer a player a swap: what I give for what I ask. Nothing moves until they accept. Giving away at least the confirmation threshold: 403 step_up_required until a fresh code is sent as code (accounts with two-factor sign-in on)",
    auth: "bearer", body: s.CreateOffer, status: 201, response: s.OfferAnswer, errors: OFFER_ERRORS,
    async handler({ context, body, session }) {
      const { to, code, ...draft } = body;
      const send = (steppedUp: boolean) => offers.createOffer(context.db, { ...draft, fromPlayerId: session.player.id, to: { username: to }, steppedUp }, offerPolicy(context.env));
      let r = await send(!needsStepUp({ ...session.player, steppedUpAt: session.steppedUpAt }, "offer:high-value"));
      if (!r.ok && r.code === "step_up_required") {
        // Giving away at least the confirmation threshold with two-factor sign-in on: a code in the body steps up.
        await requireStepUpApi(context, session, "offer:high-value", code);
        r = await send(true);
      }
      if (r.ok) nudgePushSender(context); // the offer's alerts, out now (ADR 014)
      return r.ok ? { offer: r.offer } : failed(r);
    },
  }),
  route({
    method: "POST", path: `${P}/offers/:id/accept`, operationId: "acceptOffer",
    summary: "Accept an offer sent to me: both sides move in one transaction. 425 if too soon after it was sent; 428 until confirmed when it is worth a lot; then 403 step_up_required until a fresh code is sent as code (accounts with two-factor sign-in on)",
    auth: "bearer", params: s.OfferParams, body: s.AcceptOffer, status: 200, response: s.ResolvedOffer, errors: [403, 404, 409, 410, 413, 415, 425, 428],
    async handler({ context, params, body, session }) {
      const offerId = param(s.OfferId, params.id);
      const q = { offerId, playerId: session.player.id, confirmed: body.confirm === true };
      const steppedUp = !needsStepUp({ ...session.player, steppedUpAt: session.steppedUpAt }, "offer:high-value");
      let r = await offers.acceptOffer(context.db, { ...q, steppedUp }, offerPolicy(context.env));
      if (!r.ok && r.code === "step_up_required") {
        // Above the confirmation threshold with two-factor sign-in on: a code in the body steps up, then once more.
        await requireStepUpApi(context, session, "offer:high-value", body.code);
        r = await offers.acceptOffer(context.db, { ...q, steppedUp: true }, offerPolicy(context.env));
      }
      if (r.ok) nudgePushSender(context); // the offer's alerts, out now (ADR 014)
      return r.ok ? { ok: true, offer: r.offer } : failed(r);
    },
  }),
  route({
    method: "POST", path: `${P}/offers/:id/decline`, operationId: "declineOffer", summary: "Decline an offer sent to me",
    auth: "bearer", params: s.OfferParams, status: 200, response: s.ResolvedOffer, errors: [403, 404, 409],
    async handler({ context, params, session }) {
      const offerId = param(s.OfferId, params.id);
      const r = await offers.declineOffer(context.db, { offerId, playerId: session.player.id });
      if (r.ok) nudgePushSender(context); // the offer's alerts, out now (ADR 014)
      return r.ok ? { ok: true, offer: await requireOffer(context, offerId, session.player.id) } : failed(r);
    },
  }),
  route({
    method: "POST", path: `${P}/offers/:id/cancel`, operationId: "cancelOffer", summary: "Withdraw an offer I sent",
    auth: "bearer", params: s.OfferParams, status: 200, response: s.ResolvedOffer, errors: [403, 404, 409],
    async handler({ context, params, session }) {
      const offerId = param(s.OfferId, params.id);
      const r = await offers.cancelOffer(context.db, { offerId, playerId: session.player.id });
      if (r.ok) nudgePushSender(context); // the offer's alerts, out now (ADR 014)
      return r.ok ? { ok: true, offer: await requireOffer(context, offerId, session.player.id) } : failed(r);
    },
  }),
  route({
    method: "POST", path: `${P}/offers/:id/counter`, operationId: "counterOffer",
    summary: "Answer an offer sent to me with another (written from my side); the original becomes countered",
    auth: "bearer", params: s.OfferParams, body: s.CounterOffer, status: 201, response: s.OfferAnswer, errors: OFFER_ERRORS,
    async handler({ context, params, body, session }) {
      const offerId = param(s.OfferId, params.id);
      const { code, ...draft } = body;
      const send = (steppedUp: boolean) => offers.counterOffer(context.db, { ...draft, offerId, playerId: session.player.id, steppedUp }, offerPolicy(context.env));
      let r = await send(!needsStepUp({ ...session.player, steppedUpAt: session.steppedUpAt }, "offer:high-value"));
      if (!r.ok && r.code === "step_up_required") {
        await requireStepUpApi(context, session, "offer:high-value", code);
        r = await send(true);
      }
      if (r.ok) nudgePushSender(context); // the offer's alerts, out now (ADR 014)
      return r.ok ? { offer: r.offer } : failed(r);
    },
  }),
  route({
    method: "GET", path: `${P}/blocks`, operationId: "listBlocks", summary: "Players I have blocked from sending me offers",
    auth: "bearer", status: 200, response: s.BlockedList,
    async handler({ context, session }) {
      return { blocked: await offers.listBlocked(context.db, session.player.id) };
    },
  }),
  route({
    method: "POST", path: `${P}/blocks`, operationId: "blockPlayer", summary: "Block a player from sending me offers (idempotent)",
    auth: "bearer", body: s.BlockPlayer, status: 200, response: s.BlockAnswer, errors: [404, 413, 415],
    async handler({ context, body, session }) {
      const r = await offers.blockPlayer(context.db, { playerId: session.player.id, username: body.username });
      if (!r.ok) failed(r);
      const player = await findActivePlayer(context.db, body.username);
      return { blocked: { id: r.blockedId, username: player?.username ?? body.username } };
    },
  }),
  route({
    method: "DELETE", path: `${P}/blocks/:playerId`, operationId: "unblockPlayer", summary: "Unblock a player (idempotent)",
    auth: "bearer", params: s.BlockParams, status: 204,
    async handler({ context, params, session }) {
      await offers.unblockPlayer(context.db, { playerId: session.player.id, blockedId: param(s.PlayerId, params.playerId) });
      return null;
    },
  }),
  route({
    method: "GET", path: `${P}/players/:username/inventory`, operationId: "getPlayerInventory",
    summary: "What another player could be asked for in an offer: available stacks and unique items (never their currency)",
    auth: "bearer", params: s.PlayerParams, status: 200, response: s.PlayerInventory, errors: [404],
    async handler({ context, params }) {
      const found = await visibleInventory(context.db, param(Username, params.username));
      if (!found) throw new ApiError(404, "unknown_player", "no active player by that name");
      return { player: { username: found.player.username, bot: found.player.bot }, stacks: found.stacks, uniques: found.uniques };
    },
  }),
];
