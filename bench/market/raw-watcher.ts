/**
 * A watcher that only reads (bench:fanout's unsampled watchers): a plain TCP socket that makes the
 * WebSocket handshake itself and then counts the room's frames and bytes without decoding them.
 * Thousands of `ws` clients in one Node thread cost about what the room spends sending to them, and
 * that thread's queue then shows up in every tick it times; a device decodes only its own socket.
 * It reads everything (the room's sends are not held back by a full buffer), parses only frame
 * headers (server frames are unmasked: 2 bytes, then 2 or 8 bytes of length), and never answers.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export class RawWatcher {
  bytes = 0;
  messages = 0;
  /** Sampled watchers time ticks; a raw one never does. */
  readonly timing = undefined;
  /** Bytes left of the frame being read, and a header cut between two reads. */
  private left = 0;
  private head = Buffer.alloc(0);

  private constructor(private readonly socket: Socket) {}

  close(): void {
    this.socket.destroy();
  }

  private count(chunk: Buffer): void {
    this.bytes += chunk.length;
    let data = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
    this.head = Buffer.alloc(0);
    let i = 0;
    while (i < data.length) {
      if (this.left > 0) {
        const take = Math.min(this.left, data.length - i);
        this.left -= take;
        i += take;
        continue;
      }
      if (data.length - i < 2) break;
      const fin = (data[i]! & 0x80) !== 0;
      const short = data[i + 1]! & 0x7f;
      const extra = short === 126 ? 2 : short === 127 ? 8 : 0;
      if (data.length - i < 2 + extra) break;
      const length = short === 126 ? data.readUInt16BE(i + 2) : short === 127 ? Number(data.readBigUInt64BE(i + 2)) : short;
      if (fin) this.messages++;
      i += 2 + extra;
      this.left = length;
    }
    if (i < data.length) this.head = Buffer.from(data.subarray(i));
    data = Buffer.alloc(0);
  }

  static connect(host: string, room: string, party = "main"): Promise<RawWatcher> {
    const [hostname, port] = host.split(":") as [string, string];
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) });
      const key = randomBytes(16).toString("base64");
      let header = "";
      socket.once("error", reject);
      socket.on("connect", () => socket.write(`GET /parties/${party}/${room} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`));
      const onHandshake = (chunk: Buffer) => {
        header += chunk.toString("latin1");
        const end = header.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onHandshake);
        if (!header.startsWith("HTTP/1.1 101")) {
          socket.destroy();
          return reject(new Error(`room refused the socket: ${header.split("\r\n")[0]}`));
        }
        const watcher = new RawWatcher(socket);
        socket.on("error", () => {});
        socket.on("data", (c: Buffer) => watcher.count(c));
        const rest = Buffer.from(header.slice(end + 4), "latin1");
        if (rest.length) watcher.count(rest);
        resolve(watcher);
      };
      socket.on("data", onHandshake);
    });
  }
}
