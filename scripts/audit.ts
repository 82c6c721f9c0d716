/**
 * `npm run audit:prod` (in .ci/run): `npm audit --omit=dev` on the packages the worker and the
 * rooms ship; fails on a high or critical finding that has a fix (scripts/audit-judge.ts).
 * When the registry's advisory endpoint does not answer, that is said and the run fails, unless
 * AUDIT_UNAVAILABLE=warn (a mirror without the audit endpoint; see ADR 022).
 */
import { spawnSync } from "node:child_process";
import { judgeAudit } from "./audit-judge";

const run = spawnSync("npm", ["audit", "--omit=dev", "--json"], { encoding: "utf8", timeout: 120_000 });
const verdict = judgeAudit(run.stdout || run.stderr || "");
if (verdict.kind === "unavailable") {
  const warnOnly = process.env.AUDIT_UNAVAILABLE === "warn";
  console[warnOnly ? "warn" : "error"](`npm audit: the advisory service did not answer (${verdict.reason}); nothing was checked`);
  process.exit(warnOnly ? 0 : 1);
}
for (const line of verdict.unfixable) console.warn(`npm audit: ${line}`);
if (verdict.failing.length) {
  console.error(`npm audit: ${verdict.failing.length} high/critical finding(s) with a fix:\n  ${verdict.failing.join("\n  ")}`);
  process.exit(1);
}
console.log(`npm audit: no high or critical finding with a fix (${verdict.unfixable.length} without a fix listed above)`);
