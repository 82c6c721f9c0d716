/** Password guessing is slowed: after 10 failed sign-ins a name is refused for a while (429), on the API and the form. */
import { expect, it } from "vitest";
import { api, Browser, uniqueName } from "./client";

it("refuses sign-in after 10 failures for that name, even with the right password; other names are unaffected", async () => {
  const name = uniqueName("Guess");
  const other = uniqueName("Other");
  for (const n of [name, other]) expect((await new Browser().signUp(n, "right-password-1")).res.status).toBe(302);
  for (let i = 0; i < 10; i++) {
    const r = await api("/tokens", { method: "POST", json: { username: name, password: `wrong-${i}-xxxx`, label: "x" } });
    expect(r.status).toBe(401);
  }
  const blocked = await api("/tokens", { method: "POST", json: { username: name.toUpperCase(), password: "right-password-1", label: "x" } });
  expect(blocked.status).toBe(429);
  expect(blocked.body.error).toMatchObject({ code: "too_many_attempts" });
  expect(blocked.body.error.message).toMatch(/try again in \d+ minutes/);
  const page = await new Browser().signIn(name, "right-password-1");
  expect(page.res.status).toBe(429);
  expect((await api("/tokens", { method: "POST", json: { username: other, password: "right-password-1", label: "x" } })).status).toBe(201);
});
