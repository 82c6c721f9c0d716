/** `npm run economy:rebuild`: empties the economy's projections and replays them from the events. */
import { fileURLToPath } from "node:url";
import { rebuild } from "../consumers/run";
import { openDefault } from "../open";
import { ECONOMY_CONSUMERS } from "./consumers";

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opened = await openDefault();
  try {
    for (const consumer of ECONOMY_CONSUMERS) {
      const events = await rebuild(opened.db, consumer);
      console.log(`${consumer.name} rebuilt from ${events} events`);
    }
  } finally {
    await opened.close();
  }
}
