/** party/drain.ts: a refusal reads what is left of the request's body, up to its bound. */
import { describe, expect, it } from "vitest";
import { afterBodyRead, DRAIN_LIMIT } from "../../party/drain";

const answer = new Response("no", { status: 401 });

describe("afterBodyRead", () => {
  it("reads an unread body before handing back the answer", async () => {
    const request = new Request("http://room/", { method: "POST", body: "x".repeat(50_000) });
    expect(await afterBodyRead(request, answer)).toBe(answer);
    expect(request.bodyUsed).toBe(true);
  });

  it("leaves a body already read, and a request without one, alone", async () => {
    const read = new Request("http://room/", { method: "POST", body: "{}" });
    await read.json();
    expect(await afterBodyRead(read, answer)).toBe(answer);
    const get = new Request("http://room/");
    expect(await afterBodyRead(get, answer)).toBe(answer);
    expect(get.bodyUsed).toBe(false);
  });

  it("does not read a body declared larger than the bound", async () => {
    const request = new Request("http://room/", { method: "POST", body: "y".repeat(16), headers: { "content-length": String(DRAIN_LIMIT + 1) } });
    await afterBodyRead(request, answer);
    expect(request.bodyUsed).toBe(false);
  });

  it("stops after the bound on a body of unknown length", async () => {
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request("http://room/", { method: "POST", body, duplex: "half" } as RequestInit);
    await afterBodyRead(request, answer);
    expect(pulled).toBeGreaterThan(DRAIN_LIMIT);
    expect(pulled).toBeLessThan(DRAIN_LIMIT + 4 * chunk.byteLength);
  });
});
