/**
 * Passkeys (issue 20, ADR 036) through the built worker (so @simplewebauthn/server runs in workerd),
 * with a software authenticator: the API adds one and signs in with it for a token; a replayed
 * answer and another origin are refused and change nothing; the web pages sign in password-less
 * and remove a passkey only after a step-up.
 */
import { describe, expect, it } from "vitest";
import { SoftAuthenticator } from "../support/soft-authenticator";
import { api, baseUrl, Browser, textOf, uniqueName } from "./client";

const PASSWORD = "correct-horse-9";
const here = (challenge: string) => ({ challenge, origin: baseUrl(), rpId: new URL(baseUrl()).hostname });

async function playerWithToken() {
  const b = new Browser();
  const name = uniqueName("Pk");
  expect((await b.signUp(name, PASSWORD)).res.status).toBe(302);
  const t = await api("/tokens", { method: "POST", json: { username: name, password: PASSWORD, label: "cli" } });
  expect(t.status).toBe(201);
  return { b, name, token: t.body.token as string };
}

async function addWithApi(token: string, device: SoftAuthenticator, name = "Laptop") {
  const o = await api("/passkeys/registration-options", { method: "POST", token });
  expect(o.status).toBe(200);
  expect(o.body.options.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
  const registration = device.register(here(o.body.options.challenge));
  const added = await api("/passkeys", { method: "POST", token, json: { name, response: registration } });
  expect(added.status).toBe(201);
  return { registration, passkey: added.body.passkey as { id: string; name: string } };
}

describe("passkeys", () => {
  it("API: add a passkey, replay refused; sign in with it for a token; another origin refused", async () => {
    const { name, token } = await playerWithToken();
    const device = new SoftAuthenticator();
    const { registration, passkey } = await addWithApi(token, device);
    expect(passkey.name).toBe("Laptop");
    const replay = await api("/passkeys", { method: "POST", token, json: { name: "Again", response: registration } });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe("challenge_used");
    expect((await api("/passkeys", { token })).body.passkeys.map((p: { name: string }) => p.name)).toEqual(["Laptop"]);

    const o = await api("/passkeys/authentication-options", { method: "POST" });
    expect(o.status).toBe(200);
    const answer = device.authenticate(here(o.body.options.challenge));
    const signedIn = await api("/passkeys/authentication", { method: "POST", json: { response: answer, label: "passkey cli" } });
    expect(signedIn.status).toBe(201);
    expect((await api("/me", { token: signedIn.body.token })).body.username).toBe(name);
    const again = await api("/passkeys/authentication", { method: "POST", json: { response: answer, label: "passkey cli" } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("challenge_used");

    const o2 = await api("/passkeys/authentication-options", { method: "POST" });
    const phished = await api("/passkeys/authentication", { method: "POST", json: { response: device.authenticate({ ...here(o2.body.options.challenge), origin: "https://bazaar-login.example" }), label: "x" } });
    expect(phished.status).toBe(401);
    expect(phished.body.error.code).toBe("wrong_origin");
    expect(phished.body.error.message).toContain(baseUrl());
    expect((await api("/passkeys/authentication", { method: "POST", json: { response: { id: "x" }, label: "x" } })).status).toBe(400);
  });

  it("web: sign in with a passkey alone; removing one needs a step-up (a passkey), nothing changes without it", async () => {
    const { name, token } = await playerWithToken();
    const device = new SoftAuthenticator();
    const { passkey } = await addWithApi(token, device, "Phone");

    const b = new Browser();
    const csrf = await b.csrf("/signin");
    const refused = await b.post("/signin/passkey", { csrf, purpose: "second-factor" });
    expect(refused.res.status).toBe(401); // no password yet: no second-factor challenge
    const o = await b.post("/signin/passkey", { csrf, purpose: "sign-in" });
    expect(o.res.status).toBe(200);
    const { options } = JSON.parse(o.html) as { options: { challenge: string } };
    const signIn = await b.post("/signin", { csrf, intent: "passkey", answer: JSON.stringify(device.authenticate(here(options.challenge))) });
    expect(signIn.res.status).toBe(302);
    expect(signIn.res.headers.getSetCookie().join()).toContain("bazaar_session=");
    const security = await b.get("/security");
    expect(security.res.status).toBe(200);
    expect(textOf(security.html)).toContain("Phone");
    expect(security.html).toContain(name);

    const sessionCsrf = await b.csrf("/security");
    const noProof = await b.post("/security", { csrf: sessionCsrf, intent: "remove-passkey", passkeyId: passkey.id });
    expect(noProof.res.status).toBe(400);
    expect(textOf(noProof.html)).toContain("Removing a passkey needs");
    const stepUp = await b.post("/security/passkeys", { csrf: sessionCsrf, intent: "step-up" });
    expect(stepUp.res.status).toBe(200);
    const challenge = (JSON.parse(stepUp.html) as { options: { challenge: string } }).options.challenge;
    const removed = await b.post("/security", { csrf: sessionCsrf, intent: "remove-passkey", passkeyId: passkey.id, answer: JSON.stringify(device.authenticate(here(challenge))) });
    expect(removed.res.status).toBe(200);
    expect(textOf(removed.html)).toContain("Passkey removed");
    expect((await api("/passkeys", { token })).body.passkeys).toEqual([]);
  });
});
