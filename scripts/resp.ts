/**
 * A minimal RESP2 client over one TCP connection (no npm Redis client is installed, and RESP2 is
 * what the Upstash REST protocol maps onto). Commands are pipelined; replies come back in order.
 * Redis errors resolve as RespError values (not rejections) so that pipelines and EXEC results can
 * carry them per command; connection failures reject.
 */
import net from "node:net";

export class RespError {
  constructor(readonly message: string) {}
}
export type RespValue = string | number | null | RespError | RespValue[] | SimpleString;
/** A "+OK"-style status reply, kept apart from bulk strings (Upstash leaves "OK" un-encoded). */
export class SimpleString {
  constructor(readonly value: string) {}
}

interface Pending {
  resolve(value: RespValue): void;
  reject(error: Error): void;
}

export interface RespClient {
  send(args: readonly (string | number | Buffer)[]): Promise<RespValue>;
  /** Writes all commands in one go (nothing can interleave), resolves with all replies in order. */
  sendMany(commands: readonly (readonly (string | number | Buffer)[])[]): Promise<RespValue[]>;
  close(): Promise<void>;
  /** True once the connection has failed or closed. */
  readonly closed: boolean;
}

export function encodeCommand(args: readonly (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const b = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at offset; returns undefined when the buffer does not hold all of it yet. */
export function parseReply(buf: Buffer, offset: number): { value: RespValue; next: number } | undefined {
  if (offset >= buf.length) return undefined;
  const eol = buf.indexOf("\r\n", offset);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString("utf8", offset + 1, eol);
  const after = eol + 2;
  switch (type) {
    case "+":
      return { value: new SimpleString(line), next: after };
    case "-":
      return { value: new RespError(line), next: after };
    case ":":
      return { value: Number(line), next: after };
    case "$": {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { value: buf.toString("utf8", after, after + len), next: after + len + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`RESP: unexpected reply type ${JSON.stringify(type)}`);
  }
}

/** Connects to redis://[:password@]host:port[/db]. */
export async function connectResp(url = "redis://127.0.0.1:6379", timeoutMs = 3_000): Promise<RespClient> {
  const u = new URL(url);
  const socket = net.connect({ host: u.hostname || "127.0.0.1", port: Number(u.port || 6379) });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`Redis at ${u.host} did not accept a connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`Redis at ${u.host} is unreachable: ${error.message}`));
    });
  });

  const queue: Pending[] = [];
  let buffer = Buffer.alloc(0);
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const p of queue.splice(0)) p.reject(error);
  };
  socket.on("data", (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      let parsed: ReturnType<typeof parseReply>;
      try {
        parsed = parseReply(buffer, offset);
      } catch (error) {
        socket.destroy();
        failAll(error as Error);
        return;
      }
      if (!parsed) break;
      offset = parsed.next;
      queue.shift()?.resolve(parsed.value);
    }
    buffer = offset >= buffer.length ? Buffer.alloc(0) : buffer.subarray(offset);
  });
  socket.on("error", (error) => failAll(error));
  socket.on("close", () => failAll(new Error("Redis connection closed")));

  const client: RespClient = {
    get closed() {
      return failure !== undefined || socket.destroyed;
    },
    send: (args) => client.sendMany([args]).then((r) => r[0]!),
    sendMany(commands) {
      if (failure) return Promise.reject(failure);
      const replies = commands.map(
        () => new Promise<RespValue>((resolve, reject) => queue.push({ resolve, reject })),
      );
      socket.write(Buffer.concat(commands.map(encodeCommand)));
      return Promise.all(replies);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once("close", () => resolve());
        socket.end();
      }),
  };
  const password = decodeURIComponent(u.password);
  if (password) {
    const auth = await client.send(u.username ? ["AUTH", decodeURIComponent(u.username), password] : ["AUTH", password]);
    if (auth instanceof RespError) throw new Error(`Redis AUTH failed: ${auth.message}`);
  }
  const db = u.pathname.replace("/", "");
  if (db) await client.send(["SELECT", db]);
  return client;
}
