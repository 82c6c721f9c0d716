/**
 * Social sign-in (issue 20, ADR 037) in Debian's chromium under the CSP, against a real local
 * OpenID provider (oidc-provider on OIDC_TEST_PORT), with screenshots at phone (390x844) and tablet
 * (820x1180) size: the sign-in page with the provider's button; on the phone, a new player signs up
 * through the provider (its login and consent pages, then the name picker) and sees the linked
 * account on /security; on the tablet, a password player links the provider from /security.
 * Fails on any console error (a CSP violation included: the form post is redirected to the
 * provider, which form-action must allow). Run: npm run shots:social
 * (E2E_PORT/E2E_PARTY_PORT/E2E_WS_PROXY_PORT, OIDC_TEST_PORT).
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { localOidcVars, startLocalOidc } from "../support/oidc-server";
import { SHOTS } from "./harness";
import { CHROMIUM, CHROMIUM_ARGS, startBrowserStack } from "./stack";

const ports = { web: Number(process.env.E2E_PORT ?? 5199), party: Number(process.env.E2E_PARTY_PORT ?? 5198), wsProxy: Number(process.env.E2E_WS_PROXY_PORT ?? 5197) };
const stack = await startBrowserStack("social-shot", ports, undefined, localOidcVars());
const idp = await startLocalOidc(`${stack.url}/signin/social/local/callback`);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const stamp = Date.now().toString(36).slice(-5);

/** At the provider's development pages: log in as `account`, consent, back to Bazaar. */
async function atProvider(page: Page, account: string) {
  await page.waitForURL((u) => u.origin === idp.provider.issuer);
  await page.fill("input[name=login]", account);
  await page.fill("input[name=password]", "any");
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  if (new URL(page.url()).origin === idp.provider.issuer) await page.click("button[type=submit]");
  await page.waitForURL((u) => u.origin === stack.url);
}

try {
  mkdirSync(SHOTS, { recursive: true });
  for (const [size, viewport] of [["phone", { width: 390, height: 844 }], ["tablet", { width: 820, height: 1180 }]] as const) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme: "dark" });
    const page = await context.newPage();
    const errors: string[] = [];
    // Ours only: the provider's development pages load a web font (no network here) and have no favicon.
    page.on("console", (m) => {
      if (m.type() === "error" && (page.url().startsWith(stack.url) || /Refused|Content Security Policy/i.test(m.text()))) errors.push(`${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${stack.url}/signin`);
    await page.getByRole("button", { name: "Continue with Local ID" }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, `social-signin-${size}.png`), fullPage: true });

    const account = `${size}-${stamp}`;
    idp.accounts.set(account, { email: `${account}@example.test`, name: `${size}_${stamp}` });
    if (size === "phone") {
      await page.getByRole("button", { name: "Continue with Local ID" }).click();
      await atProvider(page, account);
      await page.getByText("Pick your player name").waitFor();
      await page.screenshot({ path: path.join(SHOTS, `social-pick-name-${size}.png`), fullPage: true });
      await Promise.all([page.waitForURL("**/inventory"), page.getByRole("button", { name: "Create my account" }).click()]);
    } else {
      await page.goto(`${stack.url}/signup`);
      await page.getByLabel("Username").fill(`tab_${stamp}`);
      await page.getByLabel("Password").fill("correct-horse-9");
      await Promise.all([page.waitForURL("**/inventory"), page.getByRole("button", { name: "Create my account" }).click()]);
      await page.goto(`${stack.url}/security`);
      await page.getByRole("button", { name: "Link Local ID" }).click();
      await atProvider(page, account);
      await page.getByText("Local ID is linked").waitFor();
    }
    await page.goto(`${stack.url}/security${size === "tablet" ? "?linked=local" : ""}`);
    await page.getByText(`${account}@example.test`).waitFor();
    await page.locator("#linked").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `social-security-${size}.png`), fullPage: true });
    assert.deepEqual(errors, [], `no console errors on the ${size} (CSP violations included)`);
    await context.close();
  }
  console.log(`screenshots in ${SHOTS}`);
} finally {
  await browser.close();
  await idp.close();
  await stack.stop();
}
