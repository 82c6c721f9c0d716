/**
 * Two-factor sign-in (issue 20, ADR 028), in the browser under the CSP:
 *
 *   two-factor   a player sets it up on a phone (the QR code and the key), confirms with a code,
 *                sees the ten recovery codes once; signing in on a tablet then asks for the code
 *                after the password and lets the player in with it. Screenshots at 360x740 and
 *                768x1024 (the QR page, the recovery codes, the code page).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { Secret, TOTP } from "otpauth";
import { newPlayer, SHOTS, signUp, test } from "./harness";

const PHONE_SMALL = { width: 360, height: 740 };
const TABLET_SMALL = { width: 768, height: 1024 };
const codeFor = (secret: string, offsetSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });

export async function secondFactorSuite() {
  await test("two-factor", async () => {
    const name = `tfa_${Date.now().toString(36).slice(-5)}`;
    const phone = await newPlayer(PHONE_SMALL);
    const tablet = await newPlayer(TABLET_SMALL);
    try {
      await signUp(phone.page, name);
      await phone.page.goto("/security");
      await Promise.all([phone.page.waitForLoadState("networkidle"), phone.page.getByRole("button", { name: "Set up two-factor sign-in" }).click()]);
      await phone.page.locator(".qr svg").waitFor();
      await phone.page.screenshot({ path: path.join(SHOTS, "phone-two-factor-setup.png"), fullPage: true });
      const secret = (await phone.page.locator("code.secret").innerText()).replace(/\s/g, "");
      await phone.page.getByRole("textbox", { name: "Code", exact: true }).fill(codeFor(secret));
      await phone.page.getByRole("button", { name: "Turn on" }).click();
      await phone.page.getByText("Save your recovery codes").waitFor();
      assert.equal(await phone.page.locator("ul.recovery-codes li").count(), 10, "ten recovery codes shown");
      await phone.page.evaluate(() => window.scrollTo(0, 0)); // the sticky header stays at the top of the shot
      await phone.page.screenshot({ path: path.join(SHOTS, "phone-two-factor-recovery-codes.png"), fullPage: true });

      await tablet.page.goto("/signin");
      await tablet.page.getByLabel("Username").fill(name);
      await tablet.page.getByLabel("Password").fill("correct-horse-9");
      await Promise.all([tablet.page.waitForURL("**/signin/code**"), tablet.page.getByRole("button", { name: "Sign in", exact: true }).click()]);
      await tablet.page.getByText("Your password was right").waitFor();
      await tablet.page.screenshot({ path: path.join(SHOTS, "tablet-two-factor-code.png"), fullPage: true });
      await tablet.page.getByRole("textbox", { name: "Code", exact: true }).fill(codeFor(secret, 1));
      await Promise.all([tablet.page.waitForURL((u) => !u.pathname.startsWith("/signin")), tablet.page.getByRole("button", { name: "Sign in", exact: true }).click()]);
      await tablet.page.goto("/security");
      await tablet.page.getByText("10 of 10 recovery codes left").waitFor();
      await tablet.page.screenshot({ path: path.join(SHOTS, "tablet-two-factor-on.png"), fullPage: true });
      assert.deepEqual([...phone.errors, ...tablet.errors], [], "no console errors (CSP violations included)");
    } finally {
      await phone.context.close();
      await tablet.context.close();
    }
  });
}
