/** Development aid: the e2e stack, kept up until Ctrl-C (`node --import tsx tests/e2e/serve.ts`). */
import { startBrowserStack } from "./stack";

const s = await startBrowserStack("serve", { web: Number(process.env.E2E_PORT ?? 17871), party: Number(process.env.E2E_PARTY_PORT ?? 17872), wsProxy: Number(process.env.E2E_WS_PROXY_PORT ?? 17873) });
console.log(`up: ${s.url} (log ${s.log})`);
const stop = async () => {
  await s.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
