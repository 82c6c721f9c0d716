/**
 * The browser side of social sign-in (ADR 037): the callback's answer to the provider's redirect.
 * The flow cookie is used once (cleared on every answer); a sign-in goes through the same door as a
 * password (two-factor code if on, the session with its device record and new-device alert).
 */
import { data, redirect } from "@remix-run/cloudflare";
import type { AppLoadContext } from "../../context.server";
import { clearCookie, readCookie, serializeCookie, socialFlowCookie, socialSignUpCookie } from "../cookies.server";
import { signedInRedirect } from "../credentials-form.server";
import { getWebSession } from "../web.server";
import { finishFlow, openFlow, sealSignUp, SIGN_UP_SECONDS, suggestName } from "./flow.server";
import { settleIdentity } from "./outcome.server";
import { findProvider } from "./providers.server";

/** Flow and sign-up cookies carry a sealed JSON: longer than a token. */
export const SEALED_MAX = 3000;

export const callbackUrl = (request: Request, provider: string) => `${new URL(request.url).origin}/signin/social/${provider}/callback`;

export interface CallbackProblem {
  error: string;
  code: string;
  provider: string;
}

export async function socialCallback(request: Request, context: AppLoadContext, providerId: string) {
  const clearFlow = clearCookie(socialFlowCookie(request));
  const fail = (status: number, code: string, error: string, provider = providerId) =>
    data<CallbackProblem>({ error, code, provider }, { status, headers: { "Set-Cookie": clearFlow } });
  const provider = findProvider(context.env.oidcProviders, providerId);
  if (!provider) return fail(404, "unknown_provider", `There is no sign-in provider "${providerId.slice(0, 40)}" here.`);
  const flow = openFlow(context.env.SESSION_SECRET, readCookie(request, socialFlowCookie(request), SEALED_MAX));
  if (!flow) return fail(400, "no_flow", `This ${provider.name} sign-in was not started in this browser, or took longer than 10 minutes. Start again.`, provider.name);
  const finished = await finishFlow(provider, flow, new URL(request.url), callbackUrl(request, provider.id));
  if (!finished.ok) return fail(finished.status, finished.code, finished.message, provider.name);
  const session = await getWebSession(request, context);
  const outcome = await settleIdentity(context.db, provider, flow, finished.identity, session?.player.id);
  if (!outcome.ok) return fail(outcome.status, outcome.code, outcome.message, provider.name);
  if (outcome.kind === "linked") {
    return redirect(`/security?${new URLSearchParams({ linked: provider.id })}`, { headers: { "Set-Cookie": clearFlow } });
  }
  if (outcome.kind === "signed_in") return signedInRedirect(request, context, outcome.playerId, flow.r, [clearFlow], provider.id);
  // Never seen: pick a player name first (the identity waits in a signed 15-minute cookie).
  const pending = sealSignUp(context.env.SESSION_SECRET, finished.identity, suggestName(finished.name, finished.identity.email), flow.r);
  const headers = new Headers();
  headers.append("Set-Cookie", clearFlow);
  headers.append("Set-Cookie", serializeCookie(socialSignUpCookie(request), pending, SIGN_UP_SECONDS));
  return redirect("/signup/social", { headers });
}
