/** W3C traceparent (edge/trace.ts) and the edge's request log line (edge/request-log.ts). */
import { describe, expect, it } from "vitest";
import { newSpanId, newTraceId, parseTraceparent, traceparentOf } from "../../edge/trace";
import { requestLogLine } from "../../edge/request-log";
import { jobIds, jobLogLine } from "../../edge/job-log";

describe("traceparent", () => {
  it("reads a caller's trace, sampled or not", () => {
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", parentId: "00f067aa0ba902b7", sampled: true });
    expect(parseTraceparent(" 00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00 ")?.sampled).toBe(false);
  });
  it("refuses what the spec says to ignore", () => {
    for (const bad of [undefined, null, "", "garbage", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", `00-${"0".repeat(32)}-00f067aa0ba902b7-01`, `00-4bf92f3577b34da6a3ce929d0e0e4736-${"0".repeat(16)}-01`, "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });
  it("makes new ids of the right size and writes the header back", () => {
    const [t, s] = [newTraceId(), newSpanId()];
    expect(t).toMatch(/^[0-9a-f]{32}$/);
    expect(s).toMatch(/^[0-9a-f]{16}$/);
    expect(newTraceId()).not.toBe(t);
    expect(parseTraceparent(traceparentOf(t, s, true))).toEqual({ traceId: t, parentId: s, sampled: true });
  });
});

describe("requestLogLine", () => {
  it("is one JSON line with ids, route, status and time; level by status", () => {
    const at = new Date("2026-12-04T12:00:00Z");
    const line = requestLogLine({ requestId: "r1", traceId: "t1", method: "POST", route: "/api/v1/orders", status: 201, ms: 12 }, at);
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({ ts: "2026-12-04T12:00:00.000Z", level: "info", msg: "request", requestId: "r1", traceId: "t1", method: "POST", route: "/api/v1/orders", status: 201, ms: 12 });
    expect(JSON.parse(requestLogLine({ requestId: "r", method: "GET", route: "/", status: 404, ms: 1 })).level).toBe("warn");
    expect(JSON.parse(requestLogLine({ requestId: "r", method: "GET", route: "/", status: 503, ms: 1 })).level).toBe("error");
  });
});

describe("jobLogLine", () => {
  it("is one JSON line per job run with level, ids, time, outcome and the job's counts", () => {
    const at = new Date("2026-12-05T01:00:00Z");
    const ids = jobIds("* * * * *");
    expect(ids.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    const ok = JSON.parse(jobLogLine("offers", ids, "ok", 12, { result: { expired: 3 } }, at));
    expect(ok).toEqual({ ts: "2026-12-05T01:00:00.000Z", level: "info", msg: "job", job: "offers", outcome: "ok", ms: 12, runId: ids.runId, traceId: ids.traceId, cron: "* * * * *", result: { expired: 3 } });
    const failed = JSON.parse(jobLogLine("push-drain", { runId: "r", traceId: "t", requestId: "q" }, "failed", 5, { error: new Error("database down") }, at));
    expect(failed).toMatchObject({ level: "error", job: "push-drain", outcome: "failed", requestId: "q", traceId: "t" });
    expect(failed.error).toContain("database down");
    expect(jobLogLine("x", ids, "ok", 1)).not.toContain("\n");
  });
});
