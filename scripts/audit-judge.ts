/**
 * Reads `npm audit --json` (npm 7+ report format) and decides: a finding at high or critical
 * severity that has a fix available fails; one without a fix is listed but does not fail (nothing
 * to upgrade to yet). An answer that is not a report (the advisory endpoint refused or unreachable)
 * is "unavailable", never a pass.
 */
export type Severity = "info" | "low" | "moderate" | "high" | "critical";

interface Vulnerability {
  name: string;
  severity: Severity;
  fixAvailable: boolean | { name: string; version: string; isSemVerMajor?: boolean };
  via: Array<string | { title?: string; url?: string }>;
}

export type Verdict =
  | { kind: "unavailable"; reason: string }
  | { kind: "judged"; failing: string[]; unfixable: string[] };

const AT_LEAST_HIGH = new Set<Severity>(["high", "critical"]);

export function judgeAudit(text: string): Verdict {
  let report: { vulnerabilities?: Record<string, Vulnerability>; message?: string; error?: unknown };
  try {
    report = JSON.parse(text) as typeof report;
  } catch {
    return { kind: "unavailable", reason: `npm audit did not answer JSON: ${text.slice(0, 200)}` };
  }
  if (!report.vulnerabilities) return { kind: "unavailable", reason: report.message ?? "npm audit returned no report" };
  const failing: string[] = [];
  const unfixable: string[] = [];
  for (const v of Object.values(report.vulnerabilities)) {
    if (!AT_LEAST_HIGH.has(v.severity)) continue;
    const titles = v.via.map((x) => (typeof x === "string" ? `via ${x}` : (x.title ?? x.url ?? "?"))).join("; ");
    if (v.fixAvailable === false) unfixable.push(`${v.name} (${v.severity}): ${titles}; no fix yet`);
    else {
      const fix = v.fixAvailable === true ? "npm audit fix" : `${v.fixAvailable.name}@${v.fixAvailable.version}${v.fixAvailable.isSemVerMajor ? " (major)" : ""}`;
      failing.push(`${v.name} (${v.severity}): ${titles}; fix: ${fix}`);
    }
  }
  return { kind: "judged", failing, unfixable };
}
