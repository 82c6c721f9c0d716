/** `npm run check:ledger`: prints the conservation table; exit 1 on any FAIL. */
import { checkLedger, formatReport } from "./audit/check";
import { openDefault } from "./open";

const opened = await openDefault();
try {
  const report = await checkLedger(opened.db);
  console.log(`database: ${opened.label}`);
  console.log(formatReport(report));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await opened.close();
}
