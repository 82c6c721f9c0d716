/**
 * Where a tick's delay goes, from the sampled watchers alone (no field of the protocol needed): an
 * update (by its seq) reaches the sampled sockets over one fan-out round, so the first of them to
 * get it marks about when the round began. Each (trade, watcher) delay, arrival minus the trade's
 * `at`, then splits into
 *   before: first arrival minus `at`: the batch's plan and write, publish, and the feed's coalescing;
 *   within: arrival minus first arrival: the socket's place in the round and the client's own delay.
 */
export class TickRounds {
  private readonly bySeq = new Map<number, { ats: number[]; arrivals: number[] }>();

  /** A sampled watcher got update `seq`, carrying trades made at `ats`, at `now` (epoch ms). */
  record(seq: number, ats: number[], now: number): void {
    if (ats.length === 0) return;
    const round = this.bySeq.get(seq);
    if (round) round.arrivals.push(now);
    else this.bySeq.set(seq, { ats, arrivals: [now] });
  }

  /** Each (trade, watcher) delay split in two, as above. */
  split(): { before: number[]; within: number[] } {
    const before: number[] = [];
    const within: number[] = [];
    for (const { ats, arrivals } of this.bySeq.values()) {
      const first = Math.min(...arrivals);
      for (const at of ats) {
        for (const arrival of arrivals) {
          before.push(first - at);
          within.push(arrival - first);
        }
      }
    }
    return { before, within };
  }
}
