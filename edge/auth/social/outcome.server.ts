/**
 * What a provider's answer does (ADR 037), once the flow has checked it: link the identity to the
 * player who asked (from Security), sign in the player it is linked to, or, for an identity never
 * seen, start a sign-up, unless another account already uses its e-mail: that is refused with the
 * way out (sign in there, link from Security), never merged.
 */
import type { Db } from "../../../db/db";
import { frozenMessage } from "../../../db/game-servers/freeze";
import { emailCollision, emailUsedByAnother, findLinkedPlayer, linkIdentity, type ProviderIdentity } from "../../../db/security/identities";
import type { FlowState, SocialFailure } from "./flow.server";
import type { OidcProvider } from "./providers.server";

export type SocialOutcome =
  | { ok: true; kind: "linked"; already: boolean }
  | { ok: true; kind: "signed_in"; playerId: string }
  | { ok: true; kind: "sign_up" }
  | SocialFailure;

export async function settleIdentity(db: Db, provider: OidcProvider, flow: FlowState, identity: ProviderIdentity, signedInPlayerId: string | undefined): Promise<SocialOutcome> {
  if (flow.i === "link") {
    if (!flow.pl || signedInPlayerId !== flow.pl) {
      return { ok: false, status: 401, code: "not_signed_in", message: `You are no longer signed in as the player who started linking ${provider.name}. Sign in, then link it again from Security.` };
    }
    const linked = await linkIdentity(db, flow.pl, identity, provider.name);
    return linked.ok ? { ok: true, kind: "linked", already: linked.already } : linked;
  }
  const player = await findLinkedPlayer(db, identity.issuer, identity.subject);
  if (player) {
    if (player.frozenAt) return { ok: false, status: 403, code: "account_frozen", message: frozenMessage(player.frozenReason) };
    if (player.status !== "active") return { ok: false, status: 403, code: "account_suspended", message: `this account is ${player.status}` };
    return { ok: true, kind: "signed_in", playerId: player.playerId };
  }
  if (await emailUsedByAnother(db, identity.email)) return emailCollision(provider.name);
  return { ok: true, kind: "sign_up" };
}
