/** `npm run replay [-- --keep]`: rebuild read models from events and diff them with live; exit 1 on any difference. */
import { replay } from "./audit/replay";
import { openDefault } from "./open";

const opened = await openDefault();
try {
  const result = await replay(opened.db, { keep: process.argv.includes("--keep") });
  console.log(`database: ${opened.label}`);
  console.log(`rebuilt from events: ${result.counts.balances} balances, ${result.counts.holdings} holdings, ${result.counts.items} unique items (scratch schema ${result.schema})`);
  for (const d of result.differences) console.log(`DIFF ${d}`);
  console.log(result.differences.length === 0 ? "replay equals live" : `replay FAIL: ${result.differences.length} differences`);
  process.exitCode = result.differences.length === 0 ? 0 : 1;
} finally {
  await opened.close();
}
