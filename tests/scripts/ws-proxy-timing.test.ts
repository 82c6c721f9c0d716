import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RoundTripLog } from "../../scripts/ws-proxy-timing";

describe("the proxy's round-trip log (WS_PROXY_TIMING_FILE)", () => {
  it("counts a request once over its frames, and the requests in flight as each one starts", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "rtl-")), "log");
    const log = new RoundTripLog(file, 60_000);
    const a = log.pipe();
    const b = log.pipe();
    const c = log.pipe();
    a.sent(); a.sent(); a.sent(); // one request in three frames: 1 in flight as it starts
    b.sent(); // 2
    c.sent(); // 3
    c.closed(); // gone with its request unanswered: no longer in flight
    a.answered();
    b.answered();
    for (const p of [a, b, a]) {
      p.sent(); // 1 each: the closed one's request no longer counts
      p.answered();
    }
    log.stop();
    const line = readFileSync(file, "utf8").trim();
    expect(line).toMatch(/round trips=5 /);
    expect(line).toMatch(/frames per request p50=1\.00 p90=3\.00 p99=3\.00/);
    expect(line).toMatch(/in flight as one starts p50=1\.00 p90=3\.00 p99=3\.00$/);
  });
});
