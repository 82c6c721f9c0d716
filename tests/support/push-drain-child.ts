/**
 * A push sender in a process of its own, for the crash test (tests/db/push.test.ts): drains once
 * with the given settings; the test kills it with SIGKILL in the middle.
 * Env: DATABASE_URL, VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, LEASE_SECONDS, BATCH, LANES.
 */
import { openPostgres } from "../../db/open";
import { drainPush } from "../../edge/push/sender.server";

const opened = await openPostgres(process.env.DATABASE_URL!, 2);
process.stdout.write("ready\n");
const report = await drainPush(opened.db, {
  vapid: { publicKey: process.env.VAPID_PUBLIC_KEY!, privateKey: process.env.VAPID_PRIVATE_KEY!, subject: "mailto:ops@bazaar.example" },
  allowLoopback: true,
  leaseSeconds: Number(process.env.LEASE_SECONDS ?? 60),
  batchSize: Number(process.env.BATCH ?? 20),
  lanes: Number(process.env.LANES ?? 4),
  budgetMs: 120_000,
});
process.stdout.write(`${JSON.stringify(report)}\n`);
await opened.close();
