/**
 * The live NPC traders as a process (`npm start` runs it as [npc] when the demo world is on):
 * BAZAAR_URL (the worker), NPC_SECRET (their passwords' secret), NPC_STEP_MS (default 1500).
 * Waits for the API, signs the NPCs in, trades until SIGTERM; logs a line of totals a minute.
 */
import { watchParent } from "../scripts/proc";
import { httpApi } from "./api";
import { LiveTraders } from "./live";

const url = process.env.BAZAAR_URL ?? "http://127.0.0.1:8787";
const secret = process.env.NPC_SECRET;
if (!secret) {
  console.error("NPC_SECRET is required (npm start passes it)");
  process.exit(2);
}
const traders = new LiveTraders({
  api: httpApi(url),
  secret,
  stepMs: Number(process.env.NPC_STEP_MS ?? 1_500),
  log: (line) => console.log(line),
});

for (let attempt = 1; ; attempt++) {
  try {
    await traders.start();
    break;
  } catch (error) {
    if (attempt === 1 || attempt % 10 === 0) console.log(`waiting for ${url} (${(error as Error).message})`);
    await new Promise((r) => setTimeout(r, Math.min(5_000, 500 * attempt)));
  }
}

const report = setInterval(() => {
  const s = traders.stats;
  console.log(`${s.steps} steps, ${s.orders} orders (${s.refused} refused), offers ${s.offersAccepted} accepted / ${s.offersDeclined} declined, ${s.errors} errors`);
}, 60_000);
report.unref();

let stopping = false;
const stop = async (why: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${why}: stopping the NPC traders`);
  await traders.stop();
  process.exit(0);
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(signal));
watchParent(() => void stop("parent gone"));
