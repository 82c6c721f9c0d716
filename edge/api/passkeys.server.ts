/**
 * /api/v1/passkeys (ADR 036): the WebAuthn ceremonies for API clients (a player's own tools that
 * drive a browser's WebAuthn or an authenticator library). Adding a passkey needs a bearer token;
 * signing in with one gives a token, like POST /api/v1/tokens with a password and a code.
 * Removing a passkey needs a step-up and is done on /security.
 */
import { z } from "zod";
import { listPasskeys } from "../../db/security/passkeys";
import { recordSessionDevice } from "../../db/security/sessions";
import { addPasskey, AuthenticationAnswer, authenticationOptions, checkPasskey, PasskeyName, RegistrationAnswer, registrationOptions, relyingParty, type PasskeyFailure } from "../auth/passkeys.server";
import { openSession } from "../auth/sessions.server";
import { describeDevice, describePlace } from "../security/device";
import { ApiError } from "./http.server";
import { route, type ApiRoute } from "./router.server";
import { CreatedToken } from "./schemas";

const P = "/api/v1/passkeys";

export const PasskeyInfo = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
});
const PasskeyList = z.object({ passkeys: z.array(PasskeyInfo) });
const PasskeyAnswer = z.object({ passkey: PasskeyInfo });
const Options = z.object({
  options: z.record(z.string(), z.unknown()).meta({ description: "PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON: pass as optionsJSON to @simplewebauthn/browser's startRegistration / startAuthentication. Its challenge works once, for 5 minutes" }),
});
const AddPasskey = z.strictObject({
  name: PasskeyName,
  response: RegistrationAnswer.meta({ description: "what startRegistration() returned (RegistrationResponseJSON)" }),
});
const PasskeySignIn = z.strictObject({
  response: AuthenticationAnswer.meta({ description: "what startAuthentication() returned (AuthenticationResponseJSON)" }),
  label: z.string().trim().min(1, "label must not be empty").max(64, "label must be at most 64 characters"),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const info = (p: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null }) => ({ id: p.id, name: p.name, createdAt: p.createdAt.toISOString(), lastUsedAt: iso(p.lastUsedAt) });

function failed(f: PasskeyFailure): never {
  throw new ApiError(f.status, f.code, f.message);
}

export const passkeyRoutes: ApiRoute[] = [
  route({
    method: "GET", path: P, operationId: "listPasskeys", summary: "My passkeys (never their keys)",
    auth: "bearer", status: 200, response: PasskeyList,
    async handler({ context, session }) {
      return { passkeys: (await listPasskeys(context.db, session.player.id)).map(info) };
    },
  }),
  route({
    method: "POST", path: `${P}/registration-options`, operationId: "passkeyRegistrationOptions",
    summary: "Options to create a passkey for my account (discoverable, user verification required)",
    auth: "bearer", status: 200, response: Options, errors: [409],
    async handler({ request, context, session }) {
      const options = await registrationOptions(context.db, relyingParty(request), session.player);
      return "ok" in options ? failed(options) : { options };
    },
  }),
  route({
    method: "POST", path: P, operationId: "addPasskey",
    summary: "Add a passkey: the answer to the registration options, and a name; refused for another origin or RP ID, or a challenge used before",
    auth: "bearer", body: AddPasskey, status: 201, response: PasskeyAnswer, errors: [401, 409, 413, 415],
    async handler({ request, context, session, body }) {
      const added = await addPasskey(context.db, relyingParty(request), session.player.id, body.name, body.response);
      return added.ok ? { passkey: info(added.passkey) } : failed(added);
    },
  }),
  route({
    method: "POST", path: `${P}/authentication-options`, operationId: "passkeyAuthenticationOptions",
    summary: "Options to sign in with any passkey (discoverable credentials: no username)",
    auth: "none", status: 200, response: Options, errors: [429],
    async handler({ request, context }) {
      const options = await authenticationOptions(context.db, relyingParty(request), "sign-in", null);
      return "ok" in options ? failed(options) : { options };
    },
  }),
  route({
    method: "POST", path: `${P}/authentication`, operationId: "createTokenWithPasskey",
    summary: "Sign in with a passkey: the answer to the authentication options for a bearer token (valid 90 days). A passkey is both factors: no code is asked",
    auth: "none", body: PasskeySignIn, status: 201, response: CreatedToken, errors: [401, 403, 413, 415, 429],
    async handler({ request, context, body }) {
      const check = await checkPasskey(context.db, relyingParty(request), "sign-in", null, body.response);
      if (!check.ok) failed(check);
      const issued = await openSession(context.db, check.playerId, "api", body.label);
      await recordSessionDevice(context.db, { sessionId: issued.id, playerId: check.playerId, device: describeDevice(request.headers.get("User-Agent")), place: describePlace(request), deviceKey: null, apiToken: true });
      return { id: issued.id, label: body.label, expiresAt: issued.expiresAt.toISOString(), token: issued.token };
    },
  }),
];
