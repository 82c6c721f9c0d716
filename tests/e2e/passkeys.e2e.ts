/**
 * Passkeys (issue 20, ADR 036) in the browser under the CSP, with Chromium's virtual authenticator
 * (DevTools protocol: WebAuthn.enable, WebAuthn.addVirtualAuthenticator, CTAP2, internal,
 * resident keys, user verification):
 *
 *   passkeys   a player with two-factor sign-in on adds a named passkey on /security (a resident
 *              credential appears in the authenticator), signs out, signs in with the passkey
 *              alone (no username, no password, no code), signs out, signs in with the password
 *              and uses the passkey instead of the code; the signature counter went up each time.
 *              Screenshots of /security with the passkey and of the sign-in page at 360x740 and
 *              768x1024.
 *
 * WebAuthn refuses an IP address as RP ID, so this context opens the stack as http://localhost
 * (a secure context, like 127.0.0.1) instead of http://127.0.0.1.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Page } from "playwright-core";
import { e2e, SHOTS, signUp, test, watchConsole } from "./harness";

const PHONE_SMALL = { width: 360, height: 740 };
const TABLET_SMALL = { width: 768, height: 1024 };
const codeFor = (secret: string, offsetSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });

async function signOut(page: Page) {
  await page.goto("/settings");
  await Promise.all([page.waitForURL((u) => u.pathname === "/"), page.getByRole("button", { name: "Sign out", exact: true }).click()]);
  await page.goto("/security");
  await page.waitForURL("**/signin?**");
}

async function shoot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  for (const [size, viewport] of [["phone", PHONE_SMALL], ["tablet", TABLET_SMALL]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: path.join(SHOTS, `${size}-${name}.png`), fullPage: true });
  }
  await page.setViewportSize(PHONE_SMALL);
}

export async function passkeysSuite() {
  await test("passkeys", async () => {
    const name = `pk_${Date.now().toString(36).slice(-5)}`;
    const context = await e2e.browser!.newContext({
      viewport: PHONE_SMALL,
      baseURL: e2e.stack!.url.replace("//127.0.0.1", "//localhost"),
      deviceScaleFactor: 2,
      colorScheme: "dark",
      hasTouch: true,
    });
    const errors = watchConsole(context);
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("WebAuthn.enable", { enableUI: false });
      const { authenticatorId } = (await cdp.send("WebAuthn.addVirtualAuthenticator", {
        options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
      })) as { authenticatorId: string };
      const credentials = async () =>
        ((await cdp.send("WebAuthn.getCredentials", { authenticatorId })) as { credentials: Array<{ isResidentCredential: boolean; signCount: number; rpId: string }> }).credentials;

      // Two-factor sign-in on first, so the passkey can stand in for the code later.
      await signUp(page, name);
      await page.goto("/security");
      await Promise.all([page.waitForLoadState("networkidle"), page.getByRole("button", { name: "Set up two-factor sign-in" }).click()]);
      const secret = (await page.locator("code.secret").innerText()).replace(/\s/g, "");
      await page.getByRole("textbox", { name: "Code", exact: true }).fill(codeFor(secret));
      await page.getByRole("button", { name: "Turn on" }).click();
      await page.getByText("Save your recovery codes").waitFor();

      // Add a passkey, named.
      await page.goto("/security");
      await page.waitForLoadState("networkidle");
      await page.getByLabel("Name of the new passkey").fill("Test phone");
      await page.getByRole("button", { name: "Add a passkey" }).click();
      await page.getByText('Passkey "Test phone" added').waitFor();
      await page.locator(".passkey-list li", { hasText: "Test phone" }).waitFor();
      const [made] = await credentials();
      assert.ok(made, "the virtual authenticator holds a credential");
      assert.equal(made.isResidentCredential, true, "a discoverable (resident) credential");
      assert.equal(made.rpId, "localhost");
      await shoot(page, "passkeys-security");

      // Password-less: the passkey alone signs in.
      await signOut(page);
      await page.goto("/signin");
      await page.waitForLoadState("networkidle");
      await shoot(page, "signin-passkey");
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/signin")), page.getByRole("button", { name: "Sign in with a passkey" }).click()]);
      await page.goto("/security");
      await page.locator(".passkey-list li", { hasText: "Test phone" }).getByText("last used").waitFor();
      const afterSignIn = (await credentials())[0]!.signCount;
      assert.ok(afterSignIn >= 1, `the counter went up (${afterSignIn})`);

      // As the second factor: password, then the passkey instead of the code.
      await signOut(page);
      await page.goto("/signin");
      await page.getByLabel("Username").fill(name);
      await page.getByLabel("Password").fill("correct-horse-9");
      await Promise.all([page.waitForURL("**/signin/code**"), page.getByRole("button", { name: "Sign in", exact: true }).click()]);
      await page.waitForLoadState("networkidle");
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/signin")), page.getByRole("button", { name: "Use a passkey instead" }).click()]);
      await page.goto("/security");
      await page.getByRole("heading", { name: "Passkeys" }).waitFor();
      assert.ok((await credentials())[0]!.signCount > afterSignIn, "the counter went up again");
      assert.deepEqual(errors, [], "no console errors (CSP violations included)");
    } finally {
      await context.close();
    }
  });
}
