import { describe, expect, it } from "vitest";
import { judge, LIMITS, summaryLine, type Measured } from "../../scripts/bundles/limits";

const edge: Measured = { name: "edge", file: "worker.js", rawBytes: 2_400_000, gzipBytes: 540 * 1024, startupMs: 180, smoke: { ok: true, detail: "503 naming DATABASE_URL" } };

describe("bundle limits", () => {
  it("passes bundles under every limit and reports each against both plans", () => {
    const v = judge([edge], "free");
    expect(v.failures).toEqual([]);
    expect(v.lines[0]).toContain("gzip 540.0 KiB (17.6% of free 3 MB, 5.3% of paid 10 MB), startup 180 ms CPU of 1000 ms, workerd smoke ok");
    expect(summaryLine([edge], "free", v.failures)).toBe("bundles plan=free edge_gzip_kb=540 edge_startup_ms=180 ok");
  });

  it("fails a bundle over the plan's compressed size, the startup CPU or its smoke", () => {
    const big = { ...edge, gzipBytes: LIMITS.gzipBytes.free + 1 };
    expect(judge([big], "paid").failures).toEqual([]);
    expect(judge([big], "free").failures).toEqual([expect.stringContaining("over the free plan's 3072.0 KiB")]);
    expect(judge([{ ...edge, startupMs: 1_200 }], "paid").failures).toEqual(["edge: startup 1200 ms CPU is over 1000 ms"]);
    expect(judge([{ ...edge, smoke: { ok: false, detail: "no answer" } }], "paid").failures).toEqual(["edge: workerd smoke failed: no answer"]);
    expect(summaryLine([edge], "paid", ["x"])).toMatch(/FAILED=1$/);
  });
});
