/**
 * One trip to a social sign-in provider (ADR 037), with oauth4webapi (runs on Workers: fetch and
 * WebCrypto only): the authorization code flow with PKCE (S256), a state and a nonce. The trip's
 * secrets (verifier, state, nonce, and what it is for) travel in a signed 10-minute HttpOnly
 * cookie, never in the URL; the callback checks the state against it, sends the verifier to the
 * token endpoint, and validates the ID token (issuer, audience, nonce, expiry). Pure of Request
 * and env: the routes and the tests call the same functions.
 */
import { Buffer } from "node:buffer";
import * as oauth from "oauth4webapi";
import type { ProviderIdentity } from "../../../db/security/identities";
import { hmac, sameString } from "../tokens";
import type { OidcProvider } from "./providers.server";

export const FLOW_SECONDS = 10 * 60;
export const SIGN_UP_SECONDS = 15 * 60;
export const SCOPE = "openid email profile";

export type FlowIntent = "signin" | "link";

/** What the flow cookie holds. */
export interface FlowState {
  /** provider id */
  p: string;
  /** PKCE code verifier */
  v: string;
  /** state */
  s: string;
  /** nonce */
  n: string;
  i: FlowIntent;
  /** link: the signed-in player who asked */
  pl?: string;
  /** where to go afterwards (a same-site path) */
  r: string;
  /** expires, epoch seconds */
  e: number;
}

export type SocialFailure = { ok: false; status: number; code: string; message: string };

/** "<base64url JSON>.<hmac>", bound to a purpose so one signed value never passes for another. */
export function seal(secret: string, purpose: string, value: object): string {
  const body = Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${body}.${hmac(secret, `${purpose}:${body}`)}`;
}

/** The sealed value if the signature is ours and `e` (epoch seconds) is not past. */
export function unseal<T extends { e: number }>(secret: string, purpose: string, sealed: string | undefined, now = Date.now()): T | undefined {
  if (!sealed) return undefined;
  const dot = sealed.lastIndexOf(".");
  if (dot < 1) return undefined;
  const body = sealed.slice(0, dot);
  if (!sameString(sealed.slice(dot + 1), hmac(secret, `${purpose}:${body}`))) return undefined;
  try {
    const value = JSON.parse(Buffer.from(body, "base64url").toString()) as T;
    return typeof value?.e === "number" && value.e * 1000 >= now ? value : undefined;
  } catch {
    return undefined;
  }
}

const options = (provider: OidcProvider) => (provider.insecure ? { [oauth.allowInsecureRequests]: true } : {});

/** Discovery documents per issuer, for an hour per isolate. */
const discovered = new Map<string, { as: oauth.AuthorizationServer; at: number }>();

export async function discover(provider: OidcProvider): Promise<oauth.AuthorizationServer> {
  const cached = discovered.get(provider.issuer);
  if (cached && Date.now() - cached.at < 3_600_000) return cached.as;
  const issuer = new URL(provider.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc", signal: AbortSignal.timeout(10_000), ...options(provider) });
  const as = await oauth.processDiscoveryResponse(issuer, response);
  discovered.set(provider.issuer, { as, at: Date.now() });
  return as;
}

/** Start a trip: the provider's authorization URL and the sealed flow state for the cookie. */
export async function startFlow(
  secret: string,
  provider: OidcProvider,
  q: { intent: FlowIntent; playerId?: string; redirectTo: string; redirectUri: string },
  now = Date.now(),
): Promise<{ authorizationUrl: URL; cookie: string; state: FlowState }> {
  const as = await discover(provider);
  if (!as.authorization_endpoint) throw new Error(`${provider.id}: the issuer's discovery document has no authorization_endpoint`);
  const state: FlowState = {
    p: provider.id,
    v: oauth.generateRandomCodeVerifier(),
    s: oauth.generateRandomState(),
    n: oauth.generateRandomNonce(),
    i: q.intent,
    ...(q.playerId ? { pl: q.playerId } : {}),
    r: q.redirectTo,
    e: Math.floor(now / 1000) + FLOW_SECONDS,
  };
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("client_id", provider.clientId);
  url.searchParams.set("redirect_uri", q.redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", SCOPE);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(state.v));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state.s);
  url.searchParams.set("nonce", state.n);
  return { authorizationUrl: url, cookie: seal(secret, "oidc-flow", state), state };
}

export const openFlow = (secret: string, cookie: string | undefined, now = Date.now()) => unseal<FlowState>(secret, "oidc-flow", cookie, now);

/**
 * Finish a trip at the callback: check the state, exchange the code with the verifier, validate the
 * ID token (issuer, audience, nonce, expiry). Any mismatch is a refusal naming the problem; the
 * provider's own error (the player said no) is passed on.
 */
export async function finishFlow(provider: OidcProvider, flow: FlowState, callbackUrl: URL, redirectUri: string): Promise<{ ok: true; identity: ProviderIdentity; name: string | null } | SocialFailure> {
  if (flow.p !== provider.id) return refused("provider_mismatch", `This answer is from ${provider.name}, but the sign-in was started with another provider. Start again.`);
  const as = await discover(provider);
  const client: oauth.Client = { client_id: provider.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, callbackUrl, flow.s);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      if (error.error === "access_denied") return { ok: false, status: 400, code: "access_denied", message: `${provider.name} sign-in was cancelled. Nothing changed.` };
      return refused("provider_error", `${provider.name} refused the sign-in (${error.error.slice(0, 60)}). Start again.`);
    }
    return refused("state_mismatch", `The answer from ${provider.name} does not match the sign-in this browser started (its state is wrong). Start again.`);
  }
  let result: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(provider.clientSecret), params, redirectUri, flow.v, { signal: AbortSignal.timeout(10_000), ...options(provider) });
    result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: flow.n, requireIdToken: true });
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) return refused("code_refused", `${provider.name} did not accept the sign-in code (${error.error.slice(0, 60)}). Start again.`);
    if (error instanceof oauth.OperationProcessingError) return refused("id_token_invalid", `${provider.name}'s ID token did not pass the checks (${error.message.slice(0, 120)}). Start again.`);
    throw error;
  }
  const idToken = oauth.getValidatedIdTokenClaims(result)!;
  let claims: Record<string, unknown> = idToken;
  // Many providers (oidc-provider by default) put e-mail and profile only in the userinfo answer.
  if (idToken.email === undefined && as.userinfo_endpoint && result.access_token) {
    try {
      const response = await oauth.userInfoRequest(as, client, result.access_token, { signal: AbortSignal.timeout(10_000), ...options(provider) });
      claims = { ...(await oauth.processUserInfoResponse(as, client, idToken.sub, response)), ...idToken };
    } catch (error) {
      if (!(error instanceof oauth.ResponseBodyError || error instanceof oauth.OperationProcessingError)) throw error;
      return refused("userinfo_refused", `${provider.name} did not give the account's details (${error.message.slice(0, 80)}). Start again.`);
    }
  }
  const email = typeof claims.email === "string" && claims.email.length <= 254 ? claims.email : null;
  const name = typeof claims.preferred_username === "string" ? claims.preferred_username : typeof claims.name === "string" ? claims.name : null;
  return {
    ok: true,
    identity: { provider: provider.id, issuer: idToken.iss, subject: idToken.sub, email, emailVerified: claims.email_verified === true },
    name,
  };
}

const refused = (code: string, message: string): SocialFailure => ({ ok: false, status: 401, code, message });

/** The identity a provider vouched for, while the player picks a name (sealed in a cookie). */
export interface PendingSignUp {
  id: ProviderIdentity;
  /** a suggested player name */
  s: string;
  r: string;
  e: number;
}

export const sealSignUp = (secret: string, identity: ProviderIdentity, suggested: string, redirectTo: string, now = Date.now()) =>
  seal(secret, "oidc-signup", { id: identity, s: suggested, r: redirectTo, e: Math.floor(now / 1000) + SIGN_UP_SECONDS } satisfies PendingSignUp);

export const openSignUp = (secret: string, cookie: string | undefined, now = Date.now()) => unseal<PendingSignUp>(secret, "oidc-signup", cookie, now);

/** A player-name suggestion from the provider's name: letters, digits, _ and -, 3-24 characters. */
export function suggestName(name: string | null, email: string | null): string {
  const base = (name ?? email?.split("@")[0] ?? "").replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 24);
  return base.length >= 3 ? base : "";
}
