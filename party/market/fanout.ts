/**
 * Sending one encoded update to every socket of a room without stalling its commit loop (ADR 041).
 * A room is one thread: 10,000 `send`s in one go hold it for a few hundred ms on a 2-core box
 * (workerd's per-socket send, about 10-40 us each on loopback here), and the batches waiting on
 * Postgres answers wait behind them. So an update goes out in slices of `slice` sockets, yielding
 * to the event loop between slices (database answers and players' commands run in between), and
 * rounds never overlap: each socket gets updates in order, and while a round is still going the
 * feed keeps coalescing (the watchers' update rate falls to what the room can send, instead of the
 * room falling behind). The recipients of an update are the sockets open when it was made: a
 * socket that opens later got a snapshot that already includes it.
 */
export interface Recipient {
  send(text: string): void;
}

interface Round {
  text: string;
  to: Recipient[];
  next: number;
}

export class Fanout {
  private readonly rounds: Round[] = [];
  private scheduled = false;

  constructor(
    /** Called when the last queued round is done (the feed may send what it kept back). */
    private readonly onIdle: () => void = () => {},
    /** Called for each send that threw (a socket that closed during its round). */
    private readonly onDrop: () => void = () => {},
    readonly slice = 256,
    private readonly later: (run: () => void) => void = (run) => void setTimeout(run, 0),
  ) {}

  /** A round is still being sent. */
  get busy(): boolean {
    return this.rounds.length > 0;
  }

  /** Queue `text` for every recipient; the first slice goes out now. */
  send(text: string, to: Recipient[]): void {
    if (to.length === 0) return;
    this.rounds.push({ text, to, next: 0 });
    if (!this.scheduled) this.run();
  }

  private run(): void {
    this.scheduled = false;
    const round = this.rounds[0];
    if (!round) return;
    const end = Math.min(round.to.length, round.next + this.slice);
    for (let i = round.next; i < end; i++) {
      try {
        round.to[i]!.send(round.text);
      } catch {
        this.onDrop();
      }
    }
    round.next = end;
    if (end === round.to.length) this.rounds.shift();
    if (this.rounds.length > 0) {
      this.scheduled = true;
      this.later(() => this.run());
    } else this.onIdle();
  }
}
