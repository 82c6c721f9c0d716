/** The economy's projections of the event feed, in the order the cron runs and the rebuild replays them. */
import type { Consumer } from "../consumers/run";
import { flowsConsumer } from "./consumer";
import { positionsConsumer } from "./positions";
import { tradesConsumer } from "./trades";

export const ECONOMY_CONSUMERS: Consumer[] = [flowsConsumer, tradesConsumer, positionsConsumer];
