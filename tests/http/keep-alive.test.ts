/**
 * The edge's refusals leave the caller's kept-alive connection usable: a 401 from the API and a 403
 * to a cross-site form post, each with a body the refusal never read, then a normal request, all on
 * one socket. (The rooms needed party/drain.ts for this; wrangler dev's front keeps the edge's.)
 */
import { expect, it } from "vitest";
import { onOneSocket } from "../support/keep-alive";
import { baseUrl } from "./client";

it("answers refused posts and then a normal request on one kept-alive connection", async () => {
  const body = JSON.stringify({ side: "buy" }).padEnd(20_000, " ");
  const { answers, sockets } = await onOneSocket(`${baseUrl()}/api/v1/alerts/read-all`, [
    { body, headers: { "content-type": "application/json" } },
    { body, headers: { "content-type": "application/json", authorization: "Bearer not-a-token" } },
  ]);
  expect(answers.map((a) => a.status)).toEqual([401, 401]);
  expect(sockets).toBe(1);
  const form = await onOneSocket(`${baseUrl()}/signin`, [
    { body: "name=x&password=y".padEnd(20_000, "z"), headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example", "sec-fetch-site": "cross-site" } },
    { body: "name=x&password=y".padEnd(20_000, "z"), headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example", "sec-fetch-site": "cross-site" } },
    { method: "GET" },
  ]);
  expect(form.answers.map((a) => a.status)).toEqual([403, 403, 200]);
  expect(form.sockets).toBe(1);
});
