import { describe, expect, it } from "vitest";
import { judgeAudit } from "../../scripts/audit-judge";

const report = (vulnerabilities: Record<string, unknown>) => JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: {} });

describe("npm audit judge", () => {
  it("fails on a high finding with a fix, lists one without a fix, ignores moderate", () => {
    const v = judgeAudit(
      report({
        a: { name: "a", severity: "high", fixAvailable: { name: "a", version: "2.0.1", isSemVerMajor: false }, via: [{ title: "Prototype pollution" }] },
        b: { name: "b", severity: "critical", fixAvailable: false, via: [{ title: "RCE" }] },
        c: { name: "c", severity: "moderate", fixAvailable: true, via: ["a"] },
        d: { name: "d", severity: "high", fixAvailable: true, via: ["a"] },
      }),
    );
    expect(v).toEqual({
      kind: "judged",
      failing: ["a (high): Prototype pollution; fix: a@2.0.1", "d (high): via a; fix: npm audit fix"],
      unfixable: ["b (critical): RCE; no fix yet"],
    });
  });

  it("a clean report passes", () => {
    expect(judgeAudit(report({}))).toEqual({ kind: "judged", failing: [], unfixable: [] });
  });

  it("an endpoint error is unavailable, never a pass", () => {
    const v = judgeAudit(JSON.stringify({ message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk", statusCode: 405 }));
    expect(v).toEqual({ kind: "unavailable", reason: expect.stringContaining("405") });
    expect(judgeAudit("not json").kind).toBe("unavailable");
  });
});
