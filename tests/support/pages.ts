/**
 * Calling Remix loaders and actions as the server would, in Node (tests/db): web sessions for
 * players with roles (staff get a second factor and a fresh step-up unless told otherwise, ADR
 * 035), requests carrying the session cookie and CSRF token, and answers read as a status whether
 * the route returned or threw.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/db";
import { openSession } from "../../edge/auth/sessions.server";
import { enrolSecondFactor, isStaffRoles, setSteppedUp } from "./second-factor";
import { addPlayer } from "./world";

export const BASE = "http://localhost:5173";

export function pageHelpers(db: () => Db) {
  async function person(roles: string[], opts: { secondFactor?: boolean; steppedUpMinutesAgo?: number | null } = {}) {
    const id = await addPlayer(db());
    await db().execute(sql`update players set roles = ${`{${roles.join(",")}}`}::text[] where id = ${id}`);
    const withFactor = opts.secondFactor ?? isStaffRoles(roles);
    const factor = withFactor ? await enrolSecondFactor(db(), id) : undefined;
    const s = await openSession(db(), id, "web");
    await setSteppedUp(db(), s.id, opts.steppedUpMinutesAgo === undefined ? (withFactor ? 0 : null) : opts.steppedUpMinutesAgo);
    return { id, roles, cookie: `bazaar_session=${s.token}`, csrf: s.csrfToken!, sessionId: s.id, factor, secondFactor: withFactor };
  }
  type Person = Awaited<ReturnType<typeof person>>;

  /** The status, a thrown Response's text and Location, or the returned data. */
  async function answerOf(run: () => Promise<unknown>): Promise<{ status: number; text?: string; location?: string | null; data?: unknown }> {
    try {
      const out = await run();
      if (out instanceof Response) return { status: out.status, location: out.headers.get("Location") };
      const init = (out as { init?: { status?: number } } | null)?.init;
      return { status: init?.status ?? 200, data: (out as { data?: unknown } | null)?.data ?? out };
    } catch (thrown) {
      if (thrown instanceof Response) return { status: thrown.status, text: await thrown.clone().text(), location: thrown.headers.get("Location") };
      const init = (thrown as { init?: { status?: number } }).init;
      if (init?.status) return { status: init.status, data: (thrown as { data?: unknown }).data };
      throw thrown;
    }
  }

  /** The loader's or action's answer as a status: thrown responses (redirects, 403s) included. */
  const statusOf = async (run: () => Promise<unknown>): Promise<number> => (await answerOf(run)).status;

  const get = (path: string, who?: Person) => new Request(`${BASE}${path}`, { headers: who ? { Cookie: who.cookie } : {} });
  const post = (path: string, who: Person | undefined, fields: Record<string, string>) =>
    new Request(`${BASE}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: BASE, ...(who ? { Cookie: who.cookie } : {}) },
      body: new URLSearchParams({ ...(who ? { csrf: who.csrf } : {}), ...fields }),
    });
  return { person, answerOf, statusOf, get, post };
}

export type PagePerson = Awaited<ReturnType<ReturnType<typeof pageHelpers>["person"]>>;
