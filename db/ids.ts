/**
 * Ids of the rows a market batch inserts by the thousand (orders, events): UUIDv7 (RFC 9562),
 * time-ordered, so each insert lands at the right edge of its unique index instead of on a random
 * leaf (ADR 050). Same type and text form as any uuid; the first 48 bits are the creation time in
 * ms, which the rows carry in the clear anyway.
 */
import { v7 } from "uuid";

export const newId = (): string => v7();
