/**
 * Which market the NPCs step next: stride scheduling. A market of weight w takes a turn every
 * total/w steps (its stride): the one whose next turn is due soonest goes. The markets' first turns
 * are spread by the golden ratio across their strides, so equal strides do not fall due together
 * and bunch up. Over a long run each market gets its share of steps, and the gap between two of its
 * steps stays within about two steps of its stride. Before, a weighted random pick sometimes left a
 * market still: iron ore (weight 5 of 49) went without a step for 40 s about one time in fifteen.
 */
const PHI = (Math.sqrt(5) - 1) / 2;

export class Turns<K> {
  private readonly due: Array<{ key: K; stride: number; at: number }>;

  constructor(weights: ReadonlyMap<K, number>) {
    const total = [...weights.values()].reduce((s, w) => s + Math.max(0, w), 0);
    this.due = [...weights]
      .filter(([, w]) => w > 0)
      .map(([key, w], i) => ({ key, stride: total / w, at: (total / w) * ((i * PHI) % 1) }));
  }

  /** The next market to step, or undefined when none has a weight. */
  next(): K | undefined {
    let soonest = this.due[0];
    for (const d of this.due) if (d.at < soonest!.at) soonest = d;
    if (!soonest) return undefined;
    soonest.at += soonest.stride;
    return soonest.key;
  }
}
