/**
 * A market session: the room's logic without the room. It owns the engine book, the committed open
 * orders and the published depth, and group-commits commands: while one batch is in its Postgres
 * transaction new commands queue, and the next batch takes all of them. Only after COMMIT are
 * answers given and changes published. A failed commit discards the working book and reloads the
 * committed state from Postgres. No PartyKit import: party/market.ts adapts it to a room.
 */
import { pgErrorCode, type Db } from "../../db/db";
import { findByClientOrderIds, loadCounters, loadMarket, loadOpenOrders, loadRecentCandles, toSnapshot } from "../../db/market/load";
import { lockWallets, writeBatch } from "../../db/market/write";
import { restoreBook, type LevelEvent, type OrderBook } from "../engine";
import { describe, RoomCode } from "../settlement/codes";
import { invalid, planBatch, PoisonedCommand } from "../settlement/plan";
import { commandProblem } from "../settlement/screen";
import type { Answer, BatchPlan, FillRow, MarketCommand, MarketConfig, OrderRow } from "../settlement/types";
import { PublishedDepth } from "./depth";
import { BatchProfile, clockMs, stopwatch } from "./profile";
import { RollingStats } from "./stats";

export interface Published {
  seq: number;
  levels: LevelEvent[];
  fills: FillRow[];
  at: number;
  /** Orders whose state changed, for their owners' "my orders" views. */
  orders: OrderRow[];
}

interface Pending {
  command: MarketCommand;
  resolve: (answer: Answer) => void;
  /** performance.now() when it was submitted (the profile's "queued"). */
  since: number;
}

const RETRYABLE = new Set(["40001", "40P01", "23505"]);

export class MarketSession {
  readonly depth = new PublishedDepth();
  readonly stats = new RollingStats();
  /** Where committed batches' time went (bench:market reads it through the room). */
  readonly profile = new BatchProfile();
  private book!: OrderBook;
  private open = new Map<string, OrderRow>();
  private nextFillSeq = 1;
  private nextPriority = 1;
  private queue: Pending[] = [];
  private running = false;
  /** The working book may differ from what is committed (a commit failed and reload did too). */
  private dirty = false;
  batches = 0;

  private constructor(
    private readonly db: () => Db,
    public config: MarketConfig,
    private readonly onPublish: (p: Published) => void,
    private readonly maxBatch: number,
    private readonly clock: () => number,
  ) {}

  /**
   * `clock` is the batch clock (epoch ms): the room's is the wall clock; the demo world's history
   * (npc/history.ts) steps it through the past week so its fills and candles land in the past.
   */
  static async open(
    db: () => Db,
    slug: string,
    onPublish: (p: Published) => void = () => {},
    maxBatch = 2_000,
    clock: () => number = Date.now,
  ): Promise<MarketSession | undefined> {
    const config = await loadMarket(db(), slug);
    if (!config) return undefined;
    const session = new MarketSession(db, config, onPublish, maxBatch, clock);
    await session.reload();
    const recent = await loadRecentCandles(db(), slug);
    session.stats.load(recent.candles, recent.lastPrice);
    return session;
  }

  /** Rebuild everything from the committed state in Postgres. */
  async reload(): Promise<void> {
    const db = this.db();
    this.config = (await loadMarket(db, this.config.slug)) ?? this.config;
    const open = await loadOpenOrders(db, this.config.slug);
    const counters = await loadCounters(db, this.config.slug);
    this.book = restoreBook(toSnapshot(this.config, open, counters.nextSeq));
    this.open = new Map(open.map((o) => [o.id, o]));
    this.nextFillSeq = counters.nextFillSeq;
    this.nextPriority = counters.nextPriority;
    this.depth.reset(this.book.depth(Number.MAX_SAFE_INTEGER));
  }

  submit(command: MarketCommand): Promise<Answer> {
    return new Promise((resolve) => {
      this.queue.push({ command, resolve, since: clockMs() });
      void this.drain();
    });
  }

  /** Several commands queued at once, so that they share a batch (the demo world's history steps). */
  submitMany(commands: MarketCommand[]): Promise<Answer[]> {
    const since = clockMs();
    const answers = commands.map((command) => new Promise<Answer>((resolve) => this.queue.push({ command, resolve, since })));
    void this.drain();
    return Promise.all(answers);
  }

  get openOrders(): ReadonlyMap<string, OrderRow> {
    return this.open;
  }

  private playersTouchedBy(commands: MarketCommand[], now: number): string[] {
    return touchedPlayers(commands, this.open.values(), now);
  }

  nextExpiry(): number | undefined {
    return this.book.nextExpiry();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.runBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    // Commands refused alone: one the batch's SQL would choke on or that cannot be read (screen.ts;
    // never sent to the database, not even for the idempotency lookup), or one that threw while
    // being planned (the working book is thrown away and the rest of the batch planned again).
    const alone = new Map<number, Answer>();
    batch.forEach((p, i) => {
      const problem = commandProblem(p.command);
      if (problem !== undefined) alone.set(i, invalid(problem));
    });
    for (let attempt = 1; ; attempt++) {
      const live = batch.map((_, i) => i).filter((i) => !alone.has(i));
      try {
        if (this.dirty) {
          await this.reload();
          this.dirty = false;
        }
        const watch = stopwatch();
        watch.ms.queued = Math.max(0, clockMs() - live.reduce((m, i) => Math.min(m, batch[i]!.since), Number.POSITIVE_INFINITY));
        const answers = live.length > 0 ? await this.commit(live.map((i) => batch[i]!.command), watch) : [];
        live.forEach((i, k) => batch[i]!.resolve(answers[k]!));
        for (const [i, answer] of alone) batch[i]!.resolve(answer);
        if (live.length > 0) {
          watch.lap("publish");
          this.profile.record({ size: live.length, ms: watch.ms });
        }
        return;
      } catch (error) {
        // The working book may hold uncommitted changes: throw it away and reload what is committed.
        this.dirty = true;
        await this.reload().then(() => (this.dirty = false), () => {});
        if (error instanceof PoisonedCommand && live[error.index] !== undefined) {
          const i = live[error.index]!;
          console.error(`market ${this.config.slug}: a ${batch[i]!.command.type} command could not be planned and was refused alone: ${String(error.error).slice(0, 300)}`);
          alone.set(i, invalid(`this command could not be processed (${String(error.error).slice(0, 120)}); nothing was changed`));
          attempt--; // not the database's fault: the others get their full retries
          continue;
        }
        if (attempt < 3 && RETRYABLE.has(pgErrorCode(error) ?? "")) {
          // Jittered, so two rooms that collided do not collide again at once.
          await new Promise((r) => setTimeout(r, 2 ** attempt + Math.random() * 10));
          continue;
        }
        const cause = (error as { cause?: unknown }).cause;
        console.error(
          `market ${this.config.slug}: batch of ${batch.length} not committed after ${attempt} attempt(s), ` +
            `code ${pgErrorCode(error) ?? "none"}: ${String(cause ?? error).slice(0, 300)}`,
        );
        for (const i of live) batch[i]!.resolve({ ok: false, code: RoomCode.RETRY, ...describe(RoomCode.RETRY) });
        for (const [i, answer] of alone) batch[i]!.resolve(answer);
        return;
      }
    }
  }

  private async commit(commands: MarketCommand[], watch = stopwatch()): Promise<Answer[]> {
    const at = new Date(this.clock());
    const answers: Array<Answer | undefined> = [];
    watch.reset();
    const plan = await this.db().transaction(async (txRaw) => {
      watch.lap("begin");
      const tx = txRaw as unknown as Db;
      // Idempotency: a place whose (player, client order id) was seen before gets its first answer.
      const places = commands.flatMap((c) => (c.type === "place" ? [{ playerId: c.playerId, clientOrderId: c.clientOrderId }] : []));
      const earlier = await findByClientOrderIds(tx, places);
      watch.lap("lookup");
      const seen = new Map<string, number>();
      const fresh: MarketCommand[] = [];
      const freshIndex: number[] = [];
      commands.forEach((c, i) => {
        if (c.type === "place") {
          const key = `${c.playerId}|${c.clientOrderId}`;
          const before = earlier.get(key);
          if (before) {
            answers[i] = replayAnswer(before, this.config.slug, c);
            return;
          }
          if (seen.has(key)) return; // answered with the first one's answer below
          seen.set(key, i);
        }
        fresh.push(c);
        freshIndex.push(i);
      });
      const wallets = await lockWallets(tx, this.playersTouchedBy(fresh, at.getTime()), this.config.itemTypeId);
      watch.lap("lock");
      let plan: BatchPlan;
      try {
        plan = planBatch({
          config: this.config, book: this.book, open: this.open, wallets, commands: fresh,
          nextFillSeq: this.nextFillSeq, nextPriority: this.nextPriority, newId: () => crypto.randomUUID(), now: at.getTime(),
        });
      } catch (error) {
        // Name the command by its place in this call's commands (the caller's numbering).
        throw error instanceof PoisonedCommand ? new PoisonedCommand(freshIndex[error.index]!, error.error) : error;
      }
      plan.answers.forEach((a, j) => (answers[freshIndex[j]!] = a));
      watch.lap("plan");
      await writeBatch(tx, this.config.slug, plan, { actor: `room:${this.config.slug}` }, at, () => watch.lap("rows"));
      watch.lap("ledger");
      return plan;
    });
    watch.lap("commit");
    // Committed: now it is real. Update memory, publish, answer.
    for (const o of plan.orders.values()) {
      if (o.status === "open") this.open.set(o.id, o);
      else this.open.delete(o.id);
    }
    this.nextFillSeq = plan.nextFillSeq;
    this.nextPriority = plan.nextPriority;
    this.batches++;
    commands.forEach((c, i) => {
      if (answers[i] === undefined && c.type === "place") {
        const first = answers[[...commands.keys()].find((j) => j < i && sameOrder(commands[j]!, c))!];
        answers[i] = first?.order ? { ...first, replayed: true } : first;
      }
    });
    const levels = this.depth.apply(plan.levels);
    if (plan.fills.length > 0) this.stats.add(at.getTime(), plan.fills);
    if (levels.length > 0 || plan.fills.length > 0 || plan.orders.size > 0) {
      this.onPublish({ seq: this.depth.seq, levels, fills: plan.fills, at: at.getTime(), orders: [...plan.orders.values()] });
    }
    return answers as Answer[];
  }
}

/**
 * Everyone a batch may post to, so all their rows are locked up front in the global order (no
 * cross-market deadlocks): the commands' players (a cancel releases its player's reservation),
 * the owners of orders that expire by `now` (every batch first expires what is due, and so does
 * an expire command), and the owners of resting orders that the batch's most aggressive prices
 * could reach.
 */
export function touchedPlayers(
  commands: MarketCommand[],
  open: Iterable<{ playerId: string; side: string; price: number | null; expiresAt: number | null }>,
  now = Number.NEGATIVE_INFINITY,
): string[] {
  const players = new Set<string>();
  let maxBuy = -1;
  let minSell = Number.POSITIVE_INFINITY;
  let expireAt = now;
  for (const c of commands) {
    if (c.type === "cancel" || c.type === "cancelAll") {
      players.add(c.playerId);
    } else if (c.type === "expire") {
      expireAt = Math.max(expireAt, c.now);
    } else if (c.type === "place") {
      players.add(c.playerId);
      const price = c.orderType === "market" ? (c.side === "buy" ? Number.POSITIVE_INFINITY : 0) : (c.price ?? 0);
      if (c.side === "buy") maxBuy = Math.max(maxBuy, price);
      else minSell = Math.min(minSell, price);
    } else if (c.type === "amend") {
      players.add(c.playerId);
      // An amended price may cross either way; be generous.
      maxBuy = Math.max(maxBuy, c.price ?? Number.POSITIVE_INFINITY);
      minSell = Math.min(minSell, c.price ?? 0);
    }
  }
  for (const o of open) {
    if ((o.side === "sell" && o.price !== null && o.price <= maxBuy) || (o.side === "buy" && o.price !== null && o.price >= minSell)) {
      players.add(o.playerId);
    } else if (o.expiresAt !== null && o.expiresAt <= expireAt) {
      players.add(o.playerId);
    }
  }
  return [...players];
}

function sameOrder(a: MarketCommand, b: MarketCommand): boolean {
  return a.type === "place" && b.type === "place" && a.playerId === b.playerId && a.clientOrderId === b.clientOrderId;
}

/** The first answer to a retried place, unless the id was used for a different order (refused). */
function replayAnswer(order: OrderRow & { market: string }, slug: string, retry: Extract<MarketCommand, { type: "place" }>): Answer {
  const duplicate = (message: string): Answer => ({ ok: false, code: 115, reason: "DUPLICATE_CLIENT_ORDER_ID", message });
  if (order.market !== slug) return duplicate(`client order id already used for an order in market ${order.market}`);
  // Price and quantity may have been amended since; side and type never change.
  if (order.side !== retry.side || order.kind !== retry.orderType) {
    return duplicate(`client order id ${order.clientOrderId} was already used for a ${order.kind} ${order.side} order`);
  }
  const ok = order.status !== "rejected";
  return { ok, code: order.code, ...describe(order.code), order, replayed: true };
}
