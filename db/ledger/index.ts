/**
 * The ledger: the one module through which currency and items move. Every function runs inside
 * the caller's transaction (withTx from db/db.ts), appends an event and updates the read models in
 * that same transaction, and throws LedgerError (rolling everything back) when it cannot.
 */
export { burn, mint, release, reserve, transfer } from "./fungible";
export { burnUnique, mintUnique, setEscrow, transferUnique, lockItems, applyItemChanges, requireHeldBy } from "./unique";
export { record, recordMany, net, checkEntries, entryEvents, updatePostings, insertPostings, notUpdated, refuseShortfall, splitByAsset } from "./record";
export { appendEvents, prepareEvents, eventCtes, insertEvents, type NewEvent, type AppendedEvent } from "./events";
export { isStackable } from "./assets";
export { lockAccounts } from "./locks";
export * from "./types";
