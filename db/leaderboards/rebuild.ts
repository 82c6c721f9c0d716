/**
 * `npm run leaderboards:rebuild`: empties the leaderboards' projection, replays it from the events,
 * and, when UPSTASH_REDIS_REST_URL is set, copies it to Redis. (On the in-process store each worker
 * isolate sees the cursor it holds no copy of and copies from Postgres on its next read.)
 */
import { fileURLToPath } from "node:url";
import { boardsConsumer, copyBoards } from "../../edge/leaderboards/boards.server";
import { createRedis } from "../../edge/redis.server";
import { rebuild } from "../consumers/run";
import { openDefault } from "../open";
import { leaderboardConsumer } from "./consumer";

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opened = await openDefault();
  try {
    const upstash = process.env.UPSTASH_REDIS_REST_URL;
    const boards = upstash ? { db: opened.db, redis: createRedis(process.env) } : undefined;
    const events = await rebuild(opened.db, boards ? boardsConsumer(boards) : leaderboardConsumer());
    if (boards) await copyBoards(boards);
    console.log(`leaderboards rebuilt from ${events} events${boards ? ", copied to Redis" : ""}`);
  } finally {
    await opened.close();
  }
}
