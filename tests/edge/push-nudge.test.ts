/** The room's nudge to the push sender (party/push-nudge.ts): coalesced, never more than one in flight. */
import { describe, expect, it } from "vitest";
import { PushNudge } from "../../party/push-nudge";
import { checkToken } from "../../party/tokens";

const SECRET = "s".repeat(40);

function slowFetch() {
  const calls: Array<{ url: string; auth: string | null; release: () => void }> = [];
  const fetch = ((url: string, init: RequestInit) =>
    new Promise<Response>((resolve) => {
      calls.push({ url, auth: new Headers(init.headers).get("Authorization"), release: () => resolve(new Response("{}", { status: 200 })) });
    })) as unknown as typeof globalThis.fetch;
  return { calls, fetch };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
/** Waits (up to 5 s: a loaded machine) until `n` requests were made, then a little longer to see no more come. */
async function requests(calls: unknown[], n: number) {
  const deadline = Date.now() + 5_000;
  while (calls.length < n && Date.now() < deadline) await tick(5);
  await tick(50);
  return calls.length;
}

describe("the room's push nudge", () => {
  it("is off without a URL or secret", () => {
    expect(new PushNudge({ secret: SECRET }).poke()).toBeUndefined();
    expect(new PushNudge({ url: "http://x/__push/drain" }).poke()).toBeUndefined();
  });

  it("posts with a service token the edge accepts", async () => {
    const f = slowFetch();
    const nudge = new PushNudge({ url: "http://edge/__push/drain", secret: SECRET, fetch: f.fetch });
    const done = nudge.poke();
    expect(await requests(f.calls, 1)).toBe(1);
    expect(f.calls[0]!.url).toBe("http://edge/__push/drain");
    const token = f.calls[0]!.auth!.replace(/^Bearer /, "");
    expect(await checkToken(SECRET, "service", token)).toBe("room");
    f.calls[0]!.release();
    await done;
  });

  it("coalesces: many commits during one drain make exactly one more request", async () => {
    const f = slowFetch();
    const nudge = new PushNudge({ url: "http://edge/__push/drain", secret: SECRET, fetch: f.fetch });
    const first = nudge.poke();
    for (let i = 0; i < 50; i++) nudge.poke();
    expect(await requests(f.calls, 1)).toBe(1);
    f.calls[0]!.release();
    expect(await requests(f.calls, 2)).toBe(2);
    f.calls[1]!.release();
    await first;
    expect(nudge.sent).toBe(2);
    // Idle again: the next commit starts a new request.
    const next = nudge.poke();
    expect(await requests(f.calls, 3)).toBe(3);
    f.calls[2]!.release();
    await next;
  });

  it("a failing edge is logged, never thrown into the room", async () => {
    const lines: unknown[] = [];
    const nudge = new PushNudge({ url: "http://edge/__push/drain", secret: SECRET, fetch: (async () => { throw new Error("down"); }) as unknown as typeof fetch, log: (l) => lines.push(l) });
    await expect(nudge.poke()).resolves.toBeUndefined();
    expect(lines).toEqual([{ msg: "push nudge failed", error: "Error: down" }]);
  });
});
