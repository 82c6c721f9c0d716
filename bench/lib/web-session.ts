/** Signing in from a bench like a browser without JavaScript (bench:web, bench:live). */
import { DEMO_PASSWORD } from "../../db/seed";

/** The guest CSRF cookie and field, then the form post; returns the `bazaar_session=...` cookie. */
export async function sessionCookie(base: string, username: string): Promise<string> {
  const page = await fetch(`${base}/signin`);
  const guest = page.headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ");
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error("no csrf field on /signin");
  const res = await fetch(`${base}/signin`, {
    method: "POST",
    redirect: "manual",
    body: new URLSearchParams({ csrf, username, password: DEMO_PASSWORD }),
    headers: { Cookie: guest, Origin: base, "Sec-Fetch-Site": "same-origin" },
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("bazaar_session="));
  if (res.status !== 302 || !session) throw new Error(`sign-in failed: ${res.status}`);
  return session.split(";")[0]!;
}
