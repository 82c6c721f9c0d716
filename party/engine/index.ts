/**
 * The matching engine: pure TypeScript, no I/O. One market = one book; `book.process(command)`
 * returns a code and the events it produced. See docs/decisions/010-engine-representation.md.
 */
export { OrderBook, createBook } from "./book";
export { ReferenceBook } from "./reference";
export { ResultCode, resultCodeName, resultCodeRange, type ResultCodeRange } from "./codes";
export { stateHash } from "./hash";
export type * from "./types";

import { OrderBook } from "./book";
import type { BookSnapshot, OrderId } from "./types";

/** Rebuild a fast book from a snapshot. */
export function restoreBook<Id extends OrderId = string>(snapshot: BookSnapshot<Id>): OrderBook<Id> {
  return OrderBook.fromSnapshot(snapshot);
}
