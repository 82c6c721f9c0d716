/**
 * Answers the room gives without a batch, under the step's load: every `everyMs`, an anonymous
 * socket sends a command the room cannot read (a "place" with nothing in it), which it refuses with
 * INVALID_COMMAND straight from its message handler. Their round trip is the transport (the bench,
 * the kernel, workerd's socket and event loop) and the client, without queueing, planning or
 * Postgres: set beside the ack, it says how much of an order's wait is outside the batch.
 */
import { RoomCode } from "../../party/settlement/codes";
import { Trader } from "./trader";

export class EchoProbe {
  private readonly ms: number[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private unexpected = 0;

  private constructor(private readonly socket: Trader) {}

  static async connect(host: string, slug: string): Promise<EchoProbe> {
    return new EchoProbe(await Trader.connect(host, slug));
  }

  start(everyMs = 10): void {
    this.ms.length = 0;
    this.timer = setInterval(() => {
      const sent = performance.now();
      void this.socket.send({ type: "place" }).then((a) => {
        if (a.code === RoomCode.INVALID_COMMAND) this.ms.push(performance.now() - sent);
        else this.unexpected++;
      });
    }, everyMs);
  }

  /** The round trips of the step (ms); throws if the room answered anything but INVALID_COMMAND. */
  stop(): number[] {
    clearInterval(this.timer);
    if (this.unexpected > 0) throw new Error(`echo probe: ${this.unexpected} answers were not INVALID_COMMAND`);
    return [...this.ms];
  }

  close(): void {
    this.socket.close();
  }
}
