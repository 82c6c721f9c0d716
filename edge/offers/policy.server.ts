/** The offer policy the worker runs with: the domain's defaults, tuned by env (edge/env.server.ts). */
import { defaultOfferPolicy, type OfferPolicy } from "../../db/offers";
import type { Env } from "../env.server";

export function offerPolicy(env: Pick<Env, "OFFER_MIN_ACCOUNT_AGE_SECONDS" | "OFFER_ACCEPT_DELAY_SECONDS" | "OFFER_CONFIRM_ABOVE_COPPER">): OfferPolicy {
  return {
    ...defaultOfferPolicy,
    minAccountAgeSeconds: env.OFFER_MIN_ACCOUNT_AGE_SECONDS ?? defaultOfferPolicy.minAccountAgeSeconds,
    acceptDelaySeconds: env.OFFER_ACCEPT_DELAY_SECONDS ?? defaultOfferPolicy.acceptDelaySeconds,
    confirmAboveCopper: env.OFFER_CONFIRM_ABOVE_COPPER ?? defaultOfferPolicy.confirmAboveCopper,
  };
}
