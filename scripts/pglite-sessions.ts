/**
 * Many wire-protocol clients on PGlite's ONE backend, without their statements interleaving.
 *
 * pglite-socket frames each client's bytes into whole protocol messages and hands every message to
 * a queue. Its own queue keeps a client's turn only while PGlite reports an open transaction, so
 * outside a transaction one client's Parse/Bind/Execute/Sync could be split by another's and the
 * shared unnamed statement or portal replaced ("bind message supplies 1 parameters, but prepared
 * statement "" requires 3", "portal does not exist"). It also stops processing for good after one
 * failed message.
 *
 * This queue gives the backend to one client for a whole exchange: from its first message until a
 * message that ends an exchange (Sync, simple Query, FunctionCall, Terminate, the startup message)
 * has been answered AND the backend is no longer in a transaction. Other clients' messages wait in
 * arrival order. A client that goes away while it holds the backend gets a Sync (ends a half-done
 * extended exchange) and a ROLLBACK (ends its transaction) before anyone else runs.
 * See docs/decisions/011-embedded-database-connections.md.
 */
import type { PGlite } from "@electric-sql/pglite";

interface Item {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
}

/** Protocol message types after which the backend answers ReadyForQuery. */
const ENDS_EXCHANGE = new Set(["S", "Q", "F", "X"].map((c) => c.charCodeAt(0)));
const TERMINATE = 0x58;
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
/** A simple Query message: "Q", int32 length, the SQL, NUL. */
function query(sql: string): Uint8Array {
  const text = new TextEncoder().encode(`${sql}\0`);
  const message = new Uint8Array(5 + text.length);
  message[0] = 0x51;
  new DataView(message.buffer).setInt32(1, 4 + text.length);
  message.set(text, 5);
  return message;
}
const ROLLBACK = query("ROLLBACK");

/** The startup message has no type byte: it starts with its int32 length (first byte 0). */
const endsExchange = (message: Uint8Array) => message.length > 0 && (message[0] === 0 || ENDS_EXCHANGE.has(message[0]!));

export class SessionQueue {
  private queue: Item[] = [];
  /** The client whose exchange or transaction is in progress on the backend. */
  private owner: number | null = null;
  private running = false;
  /** Serializes the loop and the clean-up of a departed owner. */
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: PGlite,
    /** Called after a client's Terminate: hang up on it, as Postgres does. */
    private readonly onTerminate: (handlerId: number) => void = () => {},
    private readonly log: (line: string) => void = () => {},
  ) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      this.kick();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  /** Who holds the backend (for tests and stats). */
  get holder(): number | null {
    return this.owner;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((item) => {
      if (item.handlerId !== handlerId) return true;
      item.reject(new Error("client disconnected"));
      return false;
    });
  }

  /** The client is gone: if it held the backend, end what it left open and hand the backend on. */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    this.work = this.work.then(async () => {
      if (this.owner !== handlerId) return;
      try {
        await this.db.runExclusive(async () => {
          // Raw protocol inside runExclusive (db.exec would wait for the lock we hold).
          await this.db.execProtocolRaw(SYNC);
          if (this.db.isInTransaction()) await this.db.execProtocolRaw(ROLLBACK);
        });
        this.log(`client #${handlerId} left mid-exchange: synced and rolled back`);
      } catch (error) {
        this.log(`client #${handlerId} clean-up failed: ${(error as Error).message}`);
      }
      this.owner = null;
    });
    const done = this.work;
    void done.then(() => this.kick());
    return done;
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.work = this.work.then(() => this.loop()).finally(() => {
      this.running = false;
      // Something may have arrived for a waiting owner after the loop found nothing to do.
      if (this.next(false) !== -1) this.kick();
    });
  }

  /** Index of the next item to run: the owner's first message, or anyone's when no one owns. */
  private next(take: boolean): number {
    const i = this.owner === null ? (this.queue.length > 0 ? 0 : -1) : this.queue.findIndex((item) => item.handlerId === this.owner);
    if (take && i >= 0) this.owner = this.queue[i]!.handlerId;
    return i;
  }

  private async loop(): Promise<void> {
    for (;;) {
      const i = this.next(true);
      if (i < 0) return;
      const [item] = this.queue.splice(i, 1) as [Item];
      let bytes = 0;
      try {
        await this.db.runExclusive(() =>
          this.db.execProtocolRawStream(item.message, {
            onRawData: (data: Uint8Array) => {
              bytes += data.length;
              item.onData(data);
            },
          }),
        );
        item.resolve(bytes);
      } catch (error) {
        // One bad message fails that client alone; the queue goes on.
        item.reject(error as Error);
      }
      if (endsExchange(item.message) && !this.db.isInTransaction()) this.owner = null;
      if (item.message[0] === TERMINATE) this.onTerminate(item.handlerId);
    }
  }
}
