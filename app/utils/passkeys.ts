/**
 * The browser side of a passkey ceremony (ADR 036), with @simplewebauthn/browser: ask our server
 * for the options (a resource route answering JSON), let the browser and the authenticator do
 * their part, and hand back the answer as JSON text for the page's form to post. Runs from event
 * handlers inside the nonced Remix bundle, so the CSP needs nothing more (fetch goes to 'self').
 */
import { browserSupportsWebAuthn, startAuthentication, startRegistration, WebAuthnError } from "@simplewebauthn/browser";

type OptionsAnswer = { options?: unknown; message?: string };

async function fetchOptions(url: string, fields: Record<string, string>): Promise<any> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body: new URLSearchParams(fields), credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    throw new Error("Bazaar could not be reached: check your connection and try again.");
  }
  const body = (await res.json().catch(() => ({}))) as OptionsAnswer;
  if (!res.ok || !body.options) throw new Error(body.message ?? `The passkey could not be started (${res.status}): reload the page and try again.`);
  return body.options;
}

/** Words for what the browser refused (the player cancelled, the device has one already...). */
export function describePasskeyError(error: unknown): string {
  if (error instanceof WebAuthnError) {
    if (error.code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED") return "This device already has a passkey for your account.";
    if (error.code === "ERROR_INVALID_DOMAIN" || error.code === "ERROR_INVALID_RP_ID") return "Passkeys do not work on this address of Bazaar.";
  }
  const name = (error as Error)?.name;
  if (name === "NotAllowedError" || name === "AbortError") return "The passkey was cancelled or took too long: try again.";
  return (error as Error)?.message || "The passkey did not work: try again.";
}

export const passkeysSupported = () => typeof window !== "undefined" && browserSupportsWebAuthn();

function requireSupport() {
  if (!passkeysSupported()) throw new Error("This browser cannot use passkeys.");
}

/** Create a passkey on this device; the answer (JSON text) for the form. */
export async function createPasskey(optionsUrl: string, fields: Record<string, string>): Promise<string> {
  requireSupport();
  const optionsJSON = await fetchOptions(optionsUrl, fields);
  return JSON.stringify(await startRegistration({ optionsJSON }));
}

/** Use a passkey (any on this device when the options name none); the answer (JSON text) for the form. */
export async function answerWithPasskey(optionsUrl: string, fields: Record<string, string>): Promise<string> {
  requireSupport();
  const optionsJSON = await fetchOptions(optionsUrl, fields);
  return JSON.stringify(await startAuthentication({ optionsJSON }));
}
