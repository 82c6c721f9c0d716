/**
 * Whether a market room takes a new order now (ADR 048). A room settles its commands in batches,
 * one at a time; commands that arrive meanwhile queue for the next one. Driven past what it can
 * settle, the queue would grow without end: every order answered later and later (tens of seconds,
 * past the edge's 20 s timeout, when the outcome becomes unknown to the player) and the room's
 * memory growing until the platform stops it. So a room that is already `maxWaitMs` behind (its
 * oldest queued command has waited that long) or holds `maxQueued` commands refuses new places
 * and amends at once, with a retryable answer and nothing changed. Cancels always queue: under
 * load a trader must still be able to take orders off the book.
 */
import type { MarketCommand } from "../settlement/types";

/** Default for ROOM_QUEUE_WAIT_MS: well under the edge's 20 s command timeout. */
export const QUEUE_WAIT_MS = 5_000;
/** Default for ROOM_QUEUE_MAX: a bound on the queue's memory whatever the clock says. */
export const QUEUE_MAX = 50_000;

/** Places and amends add to the book and may be refused under load; cancels and expiry never. */
export const mayBeRefused = (command: MarketCommand): boolean => command.type === "place" || command.type === "amend";

export class Admission {
  constructor(
    readonly maxWaitMs = QUEUE_WAIT_MS,
    readonly maxQueued = QUEUE_MAX,
  ) {}

  /**
   * True when `command` must be refused: it adds to the book and the queue is full, or its oldest
   * command (queued at `oldestSince`, on the same clock as `now`) has waited `maxWaitMs` or more.
   */
  refuses(command: MarketCommand, queued: number, oldestSince: number | undefined, now: number): boolean {
    if (!mayBeRefused(command)) return false;
    if (queued >= this.maxQueued) return true;
    return oldestSince !== undefined && now - oldestSince >= this.maxWaitMs;
  }
}
