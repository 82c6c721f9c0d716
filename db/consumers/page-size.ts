/**
 * How many events a consumer's next page takes, so that one page's transaction stays near a time
 * target. On the embedded database (PGlite: one backend for every connection, ADR 011) a page's
 * transaction holds every page load and every market batch until it commits: the fraud rules took
 * about 1.1 ms an event there, so a page of 500 held the players for half a second, page after
 * page, while the first cron run after `npm start` caught up on the demo world's history. On
 * Postgres a page blocks no one, and pages stay at their maximum.
 *
 * Pure: the time a page took in, the next page's size out. A slow page shrinks the next one in
 * proportion; a page well under the target doubles the next one, up to the maximum.
 */
export const MIN_PAGE = 10;
/** The first page of a run when a target is set: small, then doubled while pages are quick. */
export const FIRST_PAGE = 50;

export function firstPageSize(max: number): number {
  return Math.max(1, Math.min(max, FIRST_PAGE));
}

export function nextPageSize(size: number, max: number, tookMs: number, targetMs: number): number {
  const floor = Math.min(max, MIN_PAGE);
  if (tookMs > targetMs) return Math.max(floor, Math.min(size - 1, Math.floor((size * targetMs) / tookMs)));
  if (tookMs * 2 < targetMs) return Math.min(max, size * 2);
  return Math.min(max, size);
}
