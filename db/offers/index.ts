export { acceptOffer } from "./accept";
export { counterOffer, createOffer, type NewOffer } from "./create";
export { getOffer, listOffers, type OfferBox } from "./read";
export { cancelOffer, declineOffer, expireOffers } from "./resolve";
export { defaultOfferPolicy, type Offer, type OfferLine, type OfferLineInput, type OfferPolicy, type OfferStatus } from "./types";
export { blockPlayer, unblockPlayer, listBlocked } from "./blocks";
