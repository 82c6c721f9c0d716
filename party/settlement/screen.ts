/**
 * The room's first check of a command, before anything touches the database or the book: what the
 * engine does not judge but the batch's SQL would choke on (a player id that is not a uuid, a
 * client order id with characters a jsonb or text column refuses), and a command whose fields
 * cannot even be read. Such a command is refused alone, its field named, and never joins a batch.
 *
 * The rest of "every field, before the book" is the engine's stateless validation (party/engine/
 * validate.ts: enums, safe positive integers on tick and lot, notional), which runs before a book
 * changes, and the planner's clock check of expiresAt. The upper bounds of party/bounds.ts are
 * enforced where commands enter the room (party/protocol.ts) and at the edge.
 */
import type { MarketCommand } from "./types";

const TYPES: ReadonlySet<unknown> = new Set(["place", "cancel", "amend", "cancelAll", "expire"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The protocol's client order id (party/protocol.ts). */
const CLIENT_ORDER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** What is wrong with the command, in words naming the field; undefined when it may be planned. */
export function commandProblem(c: MarketCommand): string | undefined {
  try {
    return problemOf(c);
  } catch (error) {
    // A field that throws when read (a getter, a proxy): never let it near the batch.
    return `the command could not be read (${String(error).slice(0, 100)})`;
  }
}

function problemOf(c: MarketCommand): string | undefined {
  if (typeof c !== "object" || c === null) return "the command must be an object";
  // Reading every field once here: a value that throws when read throws now, not mid-plan.
  const fields = { ...c } as Record<string, unknown>;
  if (!TYPES.has(fields.type)) return `unknown command type ${JSON.stringify(String(fields.type)).slice(0, 40)}; one of ${[...TYPES].join(", ")}`;
  if (fields.type === "expire") return Number.isSafeInteger(fields.now) ? undefined : "now must be a whole number of epoch milliseconds";
  if (typeof fields.playerId !== "string" || !UUID.test(fields.playerId)) return "playerId must be a uuid";
  if (fields.type === "place" && (typeof fields.clientOrderId !== "string" || !CLIENT_ORDER_ID.test(fields.clientOrderId))) {
    return "clientOrderId must be 1-64 letters, digits or _.:-";
  }
  return undefined;
}
