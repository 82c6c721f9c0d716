/**
 * A tiny Postgres wire-protocol client for tests that need control over how messages are split
 * across writes (as the Neon driver does over its WebSocket: one frame per message). Text format
 * only, no auth (PGlite's server trusts everyone).
 */
import net from "node:net";

const message = (type: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};
const cstr = (s: string) => Buffer.from(`${s}\0`);
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

export class WireClient {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(port: number, host = "127.0.0.1"): Promise<WireClient> {
    const socket = net.connect({ port, host });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const client = new WireClient(socket);
    const body = Buffer.concat([int32(196608), cstr("user"), cstr("postgres"), cstr("database"), cstr("postgres"), Buffer.from([0])]);
    socket.write(Buffer.concat([int32(body.length + 4), body]));
    await client.untilReady();
    return client;
  }

  /**
   * Parse, Bind, Describe, Execute and Sync of one unnamed statement, each in its own write with
   * a pause between them; the first column of each row, as text.
   */
  async query(sql: string, params: string[], pauseMs = 2): Promise<{ rows: string[]; errors: string[] }> {
    const pause = () => new Promise((r) => setTimeout(r, pauseMs));
    const parts = [
      message("P", Buffer.concat([cstr(""), cstr(sql), int16(0)])),
      message("B", Buffer.concat([cstr(""), cstr(""), int16(0), int16(params.length), ...params.flatMap((p) => [int32(Buffer.byteLength(p)), Buffer.from(p)]), int16(0)])),
      message("D", Buffer.concat([Buffer.from("P"), cstr("")])),
      message("E", Buffer.concat([cstr(""), int32(0)])),
      message("S", Buffer.alloc(0)),
    ];
    for (const part of parts) {
      this.socket.write(part);
      await pause();
    }
    return this.untilReady();
  }

  close(): void {
    this.socket.destroy();
  }

  /** Reads messages until ReadyForQuery; collects DataRow first columns and error messages. */
  private async untilReady(): Promise<{ rows: string[]; errors: string[] }> {
    const rows: string[] = [];
    const errors: string[] = [];
    for (;;) {
      while (this.buffer.length >= 5 && this.buffer.length >= 1 + this.buffer.readInt32BE(1)) {
        const type = String.fromCharCode(this.buffer[0]!);
        const length = this.buffer.readInt32BE(1);
        const body = this.buffer.subarray(5, 1 + length);
        this.buffer = this.buffer.subarray(1 + length);
        if (type === "D") {
          const size = body.readInt32BE(2);
          rows.push(size < 0 ? "" : body.subarray(6, 6 + size).toString());
        } else if (type === "E") {
          const field = body.toString().split("\0").find((f) => f.startsWith("M"));
          errors.push(field?.slice(1) ?? "error");
        } else if (type === "Z") {
          return { rows, errors };
        }
      }
      if (this.socket.destroyed) throw new Error("connection closed");
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
