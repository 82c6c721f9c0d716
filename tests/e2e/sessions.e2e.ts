/**
 * Sessions and tokens (issue 20), in the browser under the CSP:
 *
 *   sessions   a player signs up on a phone, then signs in on a tablet (another browser: a new
 *              device): the phone's bell gets the "New sign-in" alert; /sessions lists both with
 *              the device and marks this one; "Sign out everywhere else" ends the tablet's session
 *              (its next page asks to sign in). Screenshots at 390x844 and 820x1180.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { newPlayer, PHONE, SHOTS, signIn, signUp, test } from "./harness";

const SESSIONS_TABLET = { width: 820, height: 1180 };

export async function sessionsSuite() {
  await test("sessions", async () => {
    const name = `ses_${Date.now().toString(36).slice(-5)}`;
    const phone = await newPlayer(PHONE);
    const tablet = await newPlayer(SESSIONS_TABLET);
    try {
      await signUp(phone.page, name);
      await signIn(tablet.page, name, "correct-horse-9");
      await phone.page.goto("/alerts");
      await phone.page.getByText(/New sign-in: Chrome on Linux/).first().waitFor({ timeout: 10_000 });

      await phone.page.goto("/sessions");
      const items = phone.page.locator("ul.sessions > li");
      assert.equal(await items.count(), 2, "two sessions listed");
      await phone.page.getByText("this device").waitFor();
      await phone.page.screenshot({ path: path.join(SHOTS, "sessions-phone.png"), fullPage: true });
      await tablet.page.goto("/sessions");
      await tablet.page.screenshot({ path: path.join(SHOTS, "sessions-tablet.png"), fullPage: true });

      await Promise.all([phone.page.waitForURL("**/sessions"), phone.page.getByRole("button", { name: /Sign out everywhere else/ }).click()]);
      await phone.page.getByText("No other sessions or tokens.").waitFor();
      assert.equal(await items.count(), 1, "only this session is left");

      await tablet.page.goto("/inventory");
      await tablet.page.waitForURL(/\/signin/);
      assert.deepEqual([...phone.errors, ...tablet.errors], [], "no console errors (CSP violations included)");
    } finally {
      await phone.context.close();
      await tablet.context.close();
    }
  });
}
