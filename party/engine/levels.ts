import { NONE } from "./rows";

/** A price level: its orders are a list of row slots (time priority), head first. */
export class Level {
  head = NONE;
  tail = NONE;
  total = 0;
  count = 0;
  /** The command (epoch) that last touched this level, and its total before that command. */
  epoch = 0;
  startTotal = 0;

  constructor(
    /** Stable index: rows name their level by it. */
    readonly ix: number,
    public price: number,
    public isBuy: boolean,
  ) {}
}

/** Every level record of a book by index, live or pooled for reuse. */
export class LevelTable {
  readonly at: Level[] = [];
  private readonly spare: Level[] = [];
  /** Emptied during the current command: its level event still reads price and side. */
  private readonly closed: Level[] = [];

  take(price: number, isBuy: boolean): Level {
    const l = this.spare.pop();
    if (l === undefined) {
      const fresh = new Level(this.at.length, price, isBuy);
      this.at.push(fresh);
      return fresh;
    }
    l.price = price;
    l.isBuy = isBuy;
    l.epoch = 0;
    l.head = NONE;
    l.tail = NONE;
    l.total = 0;
    l.count = 0;
    return l;
  }

  /** The level is empty and off its side; it is reused after the current command. */
  release(l: Level): void {
    this.closed.push(l);
  }

  /** A copy with a record for every index (rows of a cloned book name the same indexes). */
  copy(): LevelTable {
    const c = new LevelTable();
    for (const l of this.at) {
      const m = new Level(l.ix, l.price, l.isBuy);
      m.head = l.head;
      m.tail = l.tail;
      m.total = l.total;
      m.count = l.count;
      c.at.push(m);
    }
    for (const l of this.spare) c.spare.push(c.at[l.ix] as Level);
    for (const l of this.closed) c.spare.push(c.at[l.ix] as Level);
    return c;
  }

  /** End of a command. */
  recycle(): void {
    const closed = this.closed;
    while (closed.length > 0) this.spare.push(closed.pop() as Level);
  }
}

/**
 * One side's non-empty levels: a Map(price -> level) plus an array sorted worst -> best, so the
 * best level is the last element (push/pop at the top of book). A new or emptied level costs a
 * binary search plus moving the levels between it and the top: it depends on the number of
 * levels, never on the number of orders resting at other levels.
 */
export class BookSide {
  readonly levels: Level[] = [];
  readonly byPrice = new Map<number, Level>();

  constructor(
    readonly isBuy: boolean,
    private readonly table: LevelTable,
  ) {}

  /** The same side over another book's copy of the level table. */
  copy(table: LevelTable): BookSide {
    const c = new BookSide(this.isBuy, table);
    for (const l of this.levels) {
      const m = table.at[l.ix] as Level;
      c.levels.push(m);
      c.byPrice.set(m.price, m);
    }
    return c;
  }

  best(): Level | undefined {
    return this.levels[this.levels.length - 1];
  }

  /** Index of the first level that is better than `price` (where a level at `price` goes). */
  private position(price: number): number {
    const levels = this.levels;
    let lo = 0;
    let hi = levels.length;
    const isBuy = this.isBuy;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = (levels[mid] as Level).price;
      if (isBuy ? p < price : p > price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(price: number): Level {
    const level = this.table.take(price, this.isBuy);
    this.insert(level);
    return level;
  }

  /** Put an (empty or restored) level record in its place. */
  insert(level: Level): void {
    const levels = this.levels;
    const n = levels.length;
    const price = level.price;
    const last = levels[n - 1];
    if (last === undefined || (this.isBuy ? price > last.price : price < last.price)) {
      levels.push(level);
    } else {
      const at = this.position(price);
      levels.push(level);
      for (let i = n; i > at; i--) levels[i] = levels[i - 1] as Level;
      levels[at] = level;
    }
    this.byPrice.set(price, level);
  }

  remove(level: Level): void {
    const levels = this.levels;
    const n = levels.length;
    if (levels[n - 1] !== level) {
      const at = this.position(level.price);
      for (let i = at; i < n - 1; i++) levels[i] = levels[i + 1] as Level;
    }
    levels.pop();
    this.byPrice.delete(level.price);
    this.table.release(level);
  }
}
