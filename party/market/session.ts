/**
 * A market session: the room's logic without the room. It owns the engine book, the committed open
 * orders and the published depth, and group-commits commands: while one batch is in its Postgres
 * transaction new commands queue, and the next batch takes all of them. Only after COMMIT are
 * answers given and changes published. A failed commit discards the working book and reloads the
 * committed state from Postgres. No PartyKit import: party/market.ts adapts it to a room.
 */
import { pgErrorCode, type Db } from "../../db/db";
import { loadCounters, loadMarket, loadOpenOrders, loadRecentCandles, toSnapshot } from "../../db/market/load";
import { readAndLock, writeBatch, type WalletRows } from "../../db/market/write";
import { CURRENCY } from "../../db/ledger/types";
import { AmountRanges } from "../settlement/ranges";
import type { LimitsView } from "../settlement/limits";
import { WalletMemory } from "./wallet-memory";
import { settleDebts } from "../../db/debts/settle";
import { readLimitUsage, type FoundLimits } from "../../db/market/limit-reads";
import { LimitMemory } from "./limit-memory";
import { loadActivePriceAlerts } from "../../db/alerts/price-alerts";
import { restoreBook, type LevelEvent, type OrderBook } from "../engine";
import { describe, RoomCode } from "../settlement/codes";
import { invalid, planBatch, PoisonedCommand } from "../settlement/plan";
import { commandProblem } from "../settlement/screen";
import type { Answer, BatchPlan, FillRow, MarketCommand, MarketConfig, OrderRow, Wallets } from "../settlement/types";
import { PublishedDepth } from "./depth";
import { batchAlerts } from "./batch-alerts";
import { PriceAlertIndex } from "./price-alerts";
import { RoomMetrics } from "./metrics";
import { BatchProfile, clockMs, stopwatch } from "./profile";
import { Admission } from "./admission";
import { RollingStats } from "./stats";
import type { StatementWatch } from "../../db/neon";
import { SpanKind, type Span, type Tracer } from "../telemetry/tracer";
import { newTraceId, parseTraceparent, sampledFlag } from "../telemetry/traceparent";
import { newId } from "../../db/ids";

export interface Published {
  seq: number;
  levels: LevelEvent[];
  fills: FillRow[];
  at: number;
  /** Orders whose state changed, for their owners' "my orders" views. */
  orders: OrderRow[];
  /** Alerts the batch wrote (the outbox, ADR 013): the room nudges the push sender (ADR 014). */
  alerts: number;
}

interface Pending {
  command: MarketCommand;
  resolve: (answer: Answer) => void;
  /** performance.now() when it was submitted (the profile's "queued"). */
  since: number;
  /** The caller's traceparent as it came (no copy), for the batch's log line. */
  traceparent: string | undefined;
  /** The command's span, only when its trace is sampled (ADR 040): nothing allocated otherwise. */
  span: Span | undefined;
}

/** The room's tracing (ADR 040): its tracer and the pool's statement hook for SQL spans. */
export interface SessionTracing {
  tracer: Tracer;
  statements?: StatementWatch;
}

/** What a batch did, for its one JSON log line (the room prints it; ADR 040). */
export interface BatchLog {
  ts: string;
  level: "info" | "error";
  msg: "batch";
  market: string;
  outcome: "committed" | "failed" | "refused";
  size: number;
  attempts: number;
  ms: number;
  phases?: Record<string, number>;
  code?: string;
  error?: string;
  /** The batch span's trace (a sampled batch), else the first command's trace id, if any came with one. */
  traceId?: string;
  /** How many of the batch's commands came with a trace id. */
  traced: number;
}

const RETRYABLE = new Set(["40001", "40P01", "23505"]);
/** The one answer of a room too far behind (ADR 048): made once, as refusals come fastest under overload. */
const BUSY: Answer = Object.freeze({ ok: false, code: RoomCode.MARKET_BUSY, ...describe(RoomCode.MARKET_BUSY) });

export class MarketSession {
  readonly depth = new PublishedDepth();
  readonly stats = new RollingStats();
  /** Where committed batches' time went (bench:market reads it through the room). */
  readonly profile = new BatchProfile();
  /** The room's Prometheus counters (ADR 025): allocation-free per command. */
  readonly metrics = new RoomMetrics();
  /** The market's active price alerts, by price (loaded at open; the edge tells the room of changes). */
  readonly priceAlerts = new PriceAlertIndex();
  private book!: OrderBook;
  private open = new Map<string, OrderRow>();
  private nextFillSeq = 1;
  private nextPriority = 1;
  private queue: Pending[] = [];
  private running = false;
  /** When the room refuses new orders because its queue is too far behind (ADR 048; the room sets it from its env). */
  admission = new Admission();
  /** The running batch's stopwatch (the stall log names its phase). */
  private watch: ReturnType<typeof stopwatch> | undefined;
  /**
   * The last batch found trading limits on this item type (ADR 027): read their usage with the
   * locks. False (no limits) costs a batch one primary-key probe; starts true so the first batch reads all.
   */
  private limitsSeen = true;
  /** The limits' usage already read, kept up to date from committed fills (ADR 027 addendum). */
  private readonly limitMemory = new LimitMemory();
  /** The working book may differ from what is committed (a commit failed and reload did too). */
  private dirty = false;
  /** Wallets as the last batches left them (ADR 042): the next batch may be planned on them. */
  private readonly wallets = new WalletMemory();
  /** Batches to plan on a locked read before guessing again (after a miss; doubles per miss). */
  private guessPause = 0;
  /** Batches settled in one statement on remembered amounts, and guesses that missed (bench:market). */
  guessed = 0;
  guessMisses = 0;
  private lastGuessed = false;
  batches = 0;
  /** Set by the room when an OTLP endpoint is configured (ADR 040); undefined costs nothing. */
  tracing: SessionTracing | undefined;
  /** Where each batch's JSON log line goes (the room: console.log); unset, batches are not logged. */
  log: ((line: BatchLog) => void) | undefined;

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
    for (const a of await loadActivePriceAlerts(db(), slug)) session.priceAlerts.add(a);
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
    // A commit whose outcome was unknown may have written fills the room never saw.
    this.limitMemory.forget();
  }

  /** `traceparent`: the caller's (ADR 040); a sampled one gets a command span here. */
  submit(command: MarketCommand, traceparent?: string): Promise<Answer> {
    const since = clockMs();
    if (this.admission.refuses(command, this.queue.length, this.queue[0]?.since, since)) {
      this.metrics.command(command.type, BUSY);
      return Promise.resolve(BUSY);
    }
    return new Promise((resolve) => {
      const span = this.tracing && sampledFlag(traceparent) ? this.commandSpan(command, traceparent!) : undefined;
      this.queue.push({ command, resolve, since, traceparent, span });
      void this.drain();
    });
  }

  private commandSpan(command: MarketCommand, traceparent: string): Span | undefined {
    const parent = parseTraceparent(traceparent);
    if (!parent) return undefined;
    return this.tracing!.tracer.start(`market.command ${command.type}`, SpanKind.server, parent.traceId, parent.parentId, { "bazaar.market": this.config.slug, "bazaar.command": command.type });
  }

  /** Several commands queued at once, so that they share a batch (the demo world's history steps). */
  submitMany(commands: MarketCommand[]): Promise<Answer[]> {
    const since = clockMs();
    const answers = commands.map((command) => new Promise<Answer>((resolve) => this.queue.push({ command, resolve, since, traceparent: undefined, span: undefined })));
    void this.drain();
    return Promise.all(answers);
  }

  /** Commands waiting for the next batch (a gauge read at scrape time). */
  get queued(): number {
    return this.queue.length;
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
        // A batch that never ends stalls the market: say so, and where it is (the phase after the last done).
        const started = Date.now();
        const stuck = setInterval(() => {
          console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "batch stalled", market: this.config.slug, size: batch.length, seconds: Math.round((Date.now() - started) / 1000), lastPhase: this.watch?.done ?? "none", traceId: batchTraceId(batch) }));
        }, 10_000);
        try {
          await this.runBatch(batch);
        } finally {
          clearInterval(stuck);
        }
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
    // Traced (ADR 040): a child of its first sampled command, linked to the others; its SQL
    // statements are its children. Nothing is allocated for a batch that is not traced.
    const span = this.tracing ? this.batchSpan(batch) : undefined;
    const statements = span ? this.tracing!.statements : undefined;
    if (statements) statements.onStatement = (text, start, end, error) => this.sqlSpan(span!, text, start, end, error);
    const started = Date.now();
    let attempts = 0;
    let outcome: BatchLog["outcome"] = "refused";
    let phases: Record<string, number> | undefined;
    let code: string | undefined;
    let failure: string | undefined;
    // Planned on remembered amounts first (ADR 042); after a miss, on a locked read.
    let guess = true;
    try {
      for (let attempt = 1; ; attempt++) {
        attempts = attempt;
        const live = batch.map((_, i) => i).filter((i) => !alone.has(i));
        try {
          if (this.dirty) {
            await this.reload();
            this.dirty = false;
          }
          const watch = (this.watch = stopwatch());
          watch.ms.queued = Math.max(0, clockMs() - live.reduce((m, i) => Math.min(m, batch[i]!.since), Number.POSITIVE_INFINITY));
          const answers = live.length > 0 ? await this.commit(live.map((i) => batch[i]!.command), watch, guess) : [];
          live.forEach((i, k) => settle(batch[i]!, answers[k]!));
          for (const [i, answer] of alone) settle(batch[i]!, answer);
          if (live.length > 0) {
            watch.lap("publish");
            this.profile.record({ size: live.length, ms: watch.ms, guessed: this.lastGuessed });
            const ms = watch.ms;
            this.metrics.batchSize.observe(live.length);
            this.metrics.commitSeconds.observe((ms.begin + ms.read + ms.plan + ms.write + ms.commit) / 1000);
            this.metrics.batchSeconds.observe((ms.queued + ms.begin + ms.read + ms.plan + ms.write + ms.commit + ms.publish) / 1000);
            this.metrics.batches.add("committed");
            outcome = "committed";
            phases = ms;
          }
          this.countAnswers(batch, live, answers, alone);
          return;
        } catch (error) {
          // The working book may hold uncommitted changes: throw it away and reload what is committed.
          this.dirty = true;
          await this.reload().then(() => (this.dirty = false), () => {});
          if (error instanceof GuessMissed) {
            this.metrics.retries.add(`guess:${pgErrorCode(error.error) ?? "none"}`);
            guess = false;
            attempt--; // nothing was wrong: the same commands, planned on a read
            continue;
          }
          if (error instanceof PoisonedCommand && live[error.index] !== undefined) {
            const i = live[error.index]!;
            console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "command could not be planned; refused alone", market: this.config.slug, command: batch[i]!.command.type, error: String(error.error).slice(0, 300), traceId: traceIdOf(batch[i]!.traceparent) }));
            alone.set(i, invalid(`this command could not be processed (${String(error.error).slice(0, 120)}); nothing was changed`));
            attempt--; // not the database's fault: the others get their full retries
            continue;
          }
          if (attempt < 3 && RETRYABLE.has(pgErrorCode(error) ?? "")) {
            this.metrics.retries.add(pgErrorCode(error)!);
            // Jittered, so two rooms that collided do not collide again at once.
            await new Promise((r) => setTimeout(r, 2 ** attempt + Math.random() * 10));
            continue;
          }
          const cause = (error as { cause?: unknown }).cause;
          outcome = "failed";
          code = pgErrorCode(error) ?? "none";
          failure = String(cause ?? error).slice(0, 300);
          const retry: Answer = { ok: false, code: RoomCode.RETRY, ...describe(RoomCode.RETRY) };
          for (const i of live) settle(batch[i]!, retry);
          for (const [i, answer] of alone) settle(batch[i]!, answer);
          this.metrics.batches.add("failed");
          this.countAnswers(batch, live, live.map(() => retry), alone);
          return;
        }
      }
    } finally {
      if (statements) statements.onStatement = undefined;
      if (span) {
        span.set("bazaar.batch.size", batch.length).set("bazaar.batch.attempts", attempts).set("bazaar.batch.outcome", outcome);
        if (failure !== undefined) span.fail(`code ${code}: ${failure}`);
        span.end();
        void this.tracing!.tracer.flush();
      }
      if (this.log || outcome === "failed") {
        const line: BatchLog = {
          ts: new Date().toISOString(),
          level: outcome === "failed" ? "error" : "info",
          msg: "batch",
          market: this.config.slug,
          outcome,
          size: batch.length,
          attempts,
          ms: Date.now() - started,
          ...(phases ? { phases } : {}),
          ...(code !== undefined ? { code, error: failure } : {}),
          traceId: span?.traceId ?? batchTraceId(batch),
          traced: tracedCount(batch),
        };
        // A failed batch is always said (it was before the batch log line existed).
        if (this.log) this.log(line);
        else console.error(JSON.stringify(line));
      }
    }
  }

  private batchSpan(batch: Pending[]): Span | undefined {
    const tracer = this.tracing!.tracer;
    let span: Span | undefined;
    for (let i = 0; i < batch.length; i++) {
      const command = batch[i]!.span;
      if (!command) continue;
      if (!span) span = tracer.start("market.batch", SpanKind.internal, command.traceId, command.spanId, { "bazaar.market": this.config.slug });
      else span.link(command.traceId, command.spanId);
    }
    // No sampled command (players' sockets send no traceparent): the batch may start a trace itself.
    if (!span && tracer.on && Math.random() < tracer.config.ratio) span = tracer.start("market.batch", SpanKind.internal, newTraceId(), undefined, { "bazaar.market": this.config.slug });
    return span;
  }

  private sqlSpan(batch: Span, text: string, start: number, end: number, error: unknown): void {
    const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? "SQL";
    const span = this.tracing!.tracer.start(`SQL ${operation}`, SpanKind.client, batch.traceId, batch.spanId, { "db.system": "postgresql", "db.operation": operation, "db.statement": text.slice(0, 1_000) }, start);
    if (error !== undefined) span.fail(error).set("db.response.status_code", pgErrorCode(error));
    span.end(end);
  }

  /** Commands by kind and result, for the room's metrics: index loops, nothing allocated per command. */
  private countAnswers(batch: Pending[], live: number[], answers: Answer[], alone: Map<number, Answer>): void {
    for (let k = 0; k < live.length; k++) this.metrics.command(batch[live[k]!]!.command.type, answers[k]!);
    for (const [i, answer] of alone) this.metrics.command(batch[i]!.command.type, answer);
  }

  private async commit(commands: MarketCommand[], watch = stopwatch(), guess = false): Promise<Answer[]> {
    const at = new Date(this.clock());
    watch.reset();
    // Planned on what the room remembers, settled in one statement (ADR 042), when it can be: no
    // trading limits on this item type at the last read, every trader's wallet known, no recent miss.
    const remembered = guess && !this.limitsSeen && this.guessPause === 0 ? this.wallets.walletsFor(commands, this.config.itemTypeId) : undefined;
    const done = remembered ? await this.settleGuessed(commands, at, remembered, watch) : await this.settleRead(commands, at, watch);
    const { plan, answers, alerts } = done;
    if (alerts && alerts.priceAlertIds.length > 0) this.priceAlerts.settled(alerts.priceAlertIds, done.fired, at.getTime());
    if (done.limitsRead) this.limitMemory.committed(done.limitsRead, done.askedBuyers, plan.fills, at.getTime());
    else this.limitMemory.forget();
    watch.lap("commit");
    this.lastGuessed = remembered !== undefined;
    if (remembered) this.guessed++;
    else if (this.guessPause > 0) this.guessPause--;
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
      this.onPublish({ seq: this.depth.seq, levels, fills: plan.fills, at: at.getTime(), orders: [...plan.orders.values()], alerts: alerts?.drafts.length ?? 0 });
    }
    return answers as Answer[];
  }

  /** The batch planned on a locked read: BEGIN, read and lock, plan, write, COMMIT (four round trips, ADR 016). */
  private async settleRead(commands: MarketCommand[], at: Date, watch: Stopwatch): Promise<Settled> {
    const out: Omit<Settled, "plan"> = { answers: [], fired: [], askedBuyers: [] };
    const plan = await this.db().transaction(async (txRaw) => {
      watch.lap("begin");
      const tx = txRaw as unknown as Db;
      // Idempotency: a place whose (player, client order id) was seen before gets its first answer.
      // Its player's wallets are locked with the rest (one statement; a retry's lock is harmless).
      const places = commands.flatMap((c) => (c.type === "place" ? [{ playerId: c.playerId, clientOrderId: c.clientOrderId }] : []));
      // The trading limits (ADR 027) ride in the same statement: no extra round trip.
      const traders = commands.flatMap((c) => (c.type === "place" || c.type === "amend" ? [c.playerId] : []));
      const buyers = commands.flatMap((c) => ((c.type === "place" && c.side === "buy") || c.type === "amend" ? [c.playerId] : []));
      // Only the players the room has not met yet: the others' usage is in its memory.
      const ask = this.limitMemory.unknown(traders, buyers);
      const limitReads = { slug: this.config.slug, at, ...ask, usage: this.limitsSeen };
      const locked = this.playersTouchedBy(commands, at.getTime());
      const read = await readAndLock(tx, places, locked, this.config.itemTypeId, limitReads);
      const { earlier, wallets, rows } = read;
      let limitsRead = read.limits;
      out.askedBuyers = ask.buyers;
      // Limits the last batch did not see (an operator just set them), or a new buy window: everyone's
      // usage in one more statement, this once.
      if (limitsRead && (!limitsRead.complete || !this.limitMemory.holdsFor(limitsRead.limits))) {
        this.limitMemory.forget();
        limitsRead = await readLimitUsage(tx, this.config.itemTypeId, { ...limitReads, traders, buyers, usage: true });
        out.askedBuyers = buyers;
      }
      out.limitsRead = limitsRead;
      this.limitsSeen = limitsRead !== undefined;
      const limits = limitsRead && this.limitMemory.view(limitsRead, traders, buyers, out.askedBuyers, at.getTime());
      watch.lap("read");
      // What was read, before the planner changes the maps: the room remembers it (ADR 042).
      const before = amountsOf(wallets, this.config.itemTypeId);
      const owing = wallets.inDebt ?? new Set<string>();
      const decided = this.decide(commands, at, earlier, wallets, limits);
      watch.lap("plan");
      Object.assign(out, { answers: decided.answers, alerts: decided.alerts });
      const written = await writeBatch(tx, this.config.slug, decided.plan, { actor: `room:${this.config.slug}` }, at, rows, this.config.itemTypeId, decided.alerts);
      out.fired = written.firedPriceAlerts;
      // A debtor whose resting order filled pays the debt first out of what came in (ADR 038): only
      // when the locked read found a debtor among the batch's players, so no round trip otherwise.
      if (owing.size > 0) {
        const paid = new Set(decided.plan.entries.flatMap((e) => (e.postings ?? []).filter((p) => p.available > 0 && owing.has(p.player)).map((p) => p.player)));
        if (paid.size > 0) await settleDebts(tx, { actor: `room:${this.config.slug}` }, [...paid], [0, this.config.itemTypeId]);
      }
      watch.lap("write");
      out.learn = () => {
        const postings = written.postings;
        const fresh = new Set(postings.filter((p) => !before.has(`${p.player}|${p.asset}`)).map((p) => `${p.player}|${p.asset}`));
        this.wallets.learn(before, postings, fresh);
        this.wallets.readFlags(locked, new Set([...(wallets.frozen ?? []), ...owing]));
        // A debt was paid here: what the read saw is no longer what the wallets hold.
        if (owing.size > 0) this.wallets.forget();
      };
      return decided.plan;
    });
    out.learn?.();
    return { ...out, plan };
  }

  /**
   * The batch planned on remembered amounts and settled in one statement, with no BEGIN, read or
   * COMMIT of its own (ADR 042). The statement fails with BZ409, changing nothing, when the wallets
   * hold amounts the plan did not stand on; the caller then reloads and plans on a locked read.
   */
  private async settleGuessed(commands: MarketCommand[], at: Date, wallets: Wallets, watch: Stopwatch): Promise<Settled> {
    const ranges = new AmountRanges(wallets, this.config.itemTypeId);
    const decided = this.decide(commands, at, new Map(), wallets, undefined, ranges);
    watch.lap("plan");
    const traders = commands.flatMap((c) => (c.type === "place" || c.type === "amend" ? [c.playerId] : []));
    let written: Awaited<ReturnType<typeof writeBatch>>;
    try {
      written = await writeBatch(this.db(), this.config.slug, decided.plan, { actor: `room:${this.config.slug}` }, at, NO_ROWS, this.config.itemTypeId, decided.alerts, { ranges: ranges.list(), traders, known: this.wallets });
    } catch (error) {
      // Not this statement's fault alone: a retried client order id (unique violation), amounts that
      // moved, a deadlock. The same commands go again on a locked read.
      this.guessMisses++;
      this.profile.miss();
      this.guessPause = Math.min(256, Math.max(8, this.guessPause * 2));
      throw new GuessMissed(error);
    }
    watch.lap("write");
    this.wallets.learn(written.amounts ?? new Map(), written.postings);
    return { plan: decided.plan, answers: decided.answers, alerts: decided.alerts, fired: written.firedPriceAlerts, askedBuyers: [] };
  }

  /**
   * Planning, the same on both paths: retried places answered as before, frozen wallets and debtors
   * refused, the rest planned, and the alerts the batch owes.
   */
  private decide(
    commands: MarketCommand[], at: Date, earlier: ReadonlyMap<string, OrderRow & { market: string }>, wallets: Wallets,
    limits: Omit<LimitsView, "itemName"> | undefined, ranges?: AmountRanges,
  ): { plan: BatchPlan; answers: Array<Answer | undefined>; alerts: ReturnType<typeof batchAlerts> } {
    const answers: Array<Answer | undefined> = [];
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
    // Frozen wallets (db/game-servers/freeze.ts) and open debts (ADR 038), read with the wallet
    // locks: no place or amend, each refused in its own words.
    const barred = wallets.frozen ?? new Set<string>();
    const owing = wallets.inDebt ?? new Set<string>();
    if (barred.size > 0 || owing.size > 0) {
      for (let j = fresh.length - 1; j >= 0; j--) {
        const c = fresh[j]!;
        if (c.type !== "place" && c.type !== "amend") continue;
        const code = barred.has(c.playerId) ? RoomCode.ACCOUNT_FROZEN : owing.has(c.playerId) ? RoomCode.IN_DEBT : undefined;
        if (code !== undefined) {
          answers[freshIndex[j]!] = { ok: false, code, ...describe(code) };
          fresh.splice(j, 1);
          freshIndex.splice(j, 1);
        }
      }
    }
    let plan: BatchPlan;
    try {
      plan = planBatch({
        config: this.config, book: this.book, open: this.open, wallets, commands: fresh, ranges,
        nextFillSeq: this.nextFillSeq, nextPriority: this.nextPriority, newId, now: at.getTime(),
        limits: limits && { ...limits, itemName: this.config.name ?? this.config.slug },
      });
    } catch (error) {
      // Name the command by its place in this call's commands (the caller's numbering).
      throw error instanceof PoisonedCommand ? new PoisonedCommand(freshIndex[error.index]!, error.error) : error;
    }
    plan.answers.forEach((a, j) => (answers[freshIndex[j]!] = a));
    // The alerts this batch owes (fills, orders the market ended, price alerts reached), written by
    // the batch's own statement (ADR 013).
    const alerts = batchAlerts(this.config, plan, this.open, this.priceAlerts, at.getTime());
    return { plan, answers, alerts };
  }
}

type Stopwatch = ReturnType<typeof stopwatch>;

/** What a settled batch leaves for the room to apply after COMMIT. */
interface Settled {
  plan: BatchPlan;
  answers: Array<Answer | undefined>;
  alerts?: ReturnType<typeof batchAlerts>;
  /** Price alerts that fired (their rows were still active). */
  fired: string[];
  /** The trading limits read, and whose purchases were asked for (ADR 027); none: no limits. */
  limitsRead?: FoundLimits;
  askedBuyers: string[];
  /** Run after COMMIT: what the room learns of its players' wallets. */
  learn?: () => void;
}

/** A batch planned on remembered amounts whose statement did not go through: plan it again on a read. */
export class GuessMissed extends Error {
  constructor(readonly error: unknown) {
    super(`the batch planned on remembered amounts did not settle: ${String(error).slice(0, 200)}`);
  }
}

/** No rows found by a read: the guessed path names the rows it knows in its guard instead. */
const NO_ROWS: WalletRows = { currency: new Set(), items: new Set() };

/** A locked read's amounts by "player|asset". */
function amountsOf(wallets: Wallets, itemTypeId: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [p, n] of wallets.currency) out.set(`${p}|${CURRENCY}`, n);
  for (const [p, n] of wallets.items) out.set(`${p}|${itemTypeId}`, n);
  return out;
}

/** Answer a command, and end its span when it has one. */
function settle(p: Pending, answer: Answer): void {
  p.resolve(answer);
  if (p.span) {
    p.span.set("bazaar.answer", answer.reason ?? (answer.ok ? "OK" : "refused"));
    if (answer.code === RoomCode.RETRY) p.span.fail(answer.message);
    p.span.end();
  }
}

/** The trace id of a traceparent ("00-<trace id>-<span id>-<flags>"), unchecked (the protocol checked it). */
const traceIdOf = (traceparent: string | undefined) => traceparent?.slice(3, 35);

/** The first command's trace id, for a batch's log line: one string per batch, not per command. */
function batchTraceId(batch: Pending[]): string | undefined {
  for (let i = 0; i < batch.length; i++) if (batch[i]!.traceparent !== undefined) return traceIdOf(batch[i]!.traceparent);
  return undefined;
}

function tracedCount(batch: Pending[]): number {
  let n = 0;
  for (let i = 0; i < batch.length; i++) if (batch[i]!.traceparent !== undefined) n++;
  return n;
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
