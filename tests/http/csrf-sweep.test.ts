/**
 * The CSRF sweep (issue 20): every page with an action (edge/policy/route-access.ts names them all,
 * and edge/policy/routes.test.ts fails when one is missing there) is posted through the built
 * worker by a signed-in player's browser without the form's token, with a wrong one, and from
 * another site. Each answer is 403, and no row is added, removed or revoked.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rows } from "../../db/db";
import { PAGE_ACCESS } from "../../edge/policy/route-access";
import { Browser, expectNoChange, openDb, uniqueName } from "./client";

/** "offers.$id_.counter.tsx" -> "/offers/:id/counter" with the params filled in. */
function pathOf(file: string, params: Record<string, string>): string {
  const route = file.replace(/\.(tsx|ts)$/, "").replace(/\[\.(\w+)\]/g, ".$1");
  if (route === "_index") return "/";
  const parts = route.split(".").map((p) => p.replace(/_$/, "")).filter((p) => p !== "_index");
  return `/${parts.map((p) => (p.startsWith("$") ? params[p.slice(1)] ?? "x" : p)).join("/")}`;
}

/**
 * Steps of a flow that start only with its signed cookie: without it their loader sends the browser
 * back to the flow's start (a 302 after the action's refusal; Remix runs the page's loaders after a
 * document POST). Their actions check the token first; tests/http/second-factor.test.ts and
 * social-sign-in.test.ts post them inside the flow. Nothing changes here either (expectNoChange).
 */
const FLOW_STEPS: Record<string, string> = { "signin_.code.tsx": "302 302 403", "signup_.social.tsx": "302 302 403" };

describe("CSRF sweep over every form", () => {
  it("refuses a post without the token, with a wrong token, or from another site: 403, nothing changed", async () => {
    const [market] = await rows<{ slug: string }>((await openDb()).db, sql`select slug from markets order by slug limit 1`);
    const params = { id: crypto.randomUUID(), slug: market?.slug ?? "iron-ore", provider: "local" };
    const b = new Browser();
    await b.signUp(uniqueName("sweep"));
    const withActions = Object.entries(PAGE_ACCESS).filter(([, access]) => access.action !== undefined).map(([file]) => file);
    expect(withActions.length).toBeGreaterThanOrEqual(20);
    const answers: string[] = [];
    await expectNoChange(async () => {
      for (const file of withActions) {
        const path = pathOf(file, params);
        const fields = { intent: "sweep", reason: "csrf sweep", username: uniqueName("x"), password: "long enough 1", code: "123456" };
        const missing = await b.post(path, fields);
        const wrong = await b.post(path, { ...fields, csrf: "not-the-token" });
        const foreign = await b.post(path, { ...fields, csrf: "x" }, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
        answers.push(`${file} ${path}: ${missing.res.status} ${wrong.res.status} ${foreign.res.status}`);
      }
    });
    expect(answers).toEqual(withActions.map((file) => `${file} ${pathOf(file, params)}: ${FLOW_STEPS[file] ?? "403 403 403"}`));
  });
});
