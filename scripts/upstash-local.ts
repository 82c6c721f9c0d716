/**
 * A local server speaking Upstash's Redis REST protocol in front of a real redis-server, so that
 * the @upstash/redis code path (and @upstash/ratelimit's scripts) can be tested offline.
 *
 *   POST /            body ["SET","k","v"]            -> {"result": ...} | 400 {"error": "..."}
 *   POST /pipeline    body [["INCR","k"],["GET","k"]] -> [{"result": ...} | {"error": "..."}, ...]
 *   POST /multi-exec  same, run in MULTI/EXEC          -> [{"result": ...}, ...]
 *   Authorization: Bearer <token> (401 otherwise).
 *   Upstash-Encoding: base64 -> every string in a result, except the status "OK", is base64.
 *
 * Real Redis rejects the Upstash-only `allow-key-locking` script flag that @upstash/ratelimit puts
 * in every script's shebang: it is stripped before EVAL / SCRIPT LOAD, and the SHA1 of the
 * client's original text is mapped onto the SHA1 Redis knows, so EVALSHA keeps working.
 *
 * CLI: tsx scripts/upstash-local.ts [--port 8079] [--token dev] [--redis redis://127.0.0.1:6379]
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { connectResp, RespError, SimpleString, type RespClient, type RespValue } from "./resp";
import { watchParent } from "./proc";

export interface UpstashLocalOptions {
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** redis://host:port, default redis://127.0.0.1:6379 */
  redisUrl?: string;
  host?: string;
}

export interface UpstashLocal {
  port: number;
  /** http://127.0.0.1:<port>, for UPSTASH_REDIS_REST_URL */
  url: string;
  token: string;
  close(): Promise<void>;
}

type Arg = string | number;

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

/** Drops Upstash-only flags from a `#!lua flags=...` first line (and the line if none remain). */
export function stripUpstashFlags(script: string): string {
  const m = /^#!lua([^\n]*)(\n|$)/.exec(script);
  if (!m) return script;
  const flagsMatch = /flags=(\S*)/.exec(m[1]!);
  if (!flagsMatch) return script;
  const flags = flagsMatch[1]!.split(",").filter((f) => f && f !== "allow-key-locking");
  const rest = script.slice(m[0].length);
  if (flags.length === 0) return `\n${rest}`; // keep line numbers
  return `#!lua${m[1]!.replace(flagsMatch[0], `flags=${flags.join(",")}`)}\n${rest}`;
}

function encode(value: RespValue, base64: boolean): unknown {
  if (value instanceof SimpleString) {
    return !base64 || value.value === "OK" ? value.value : Buffer.from(value.value).toString("base64");
  }
  if (typeof value === "string") return base64 ? Buffer.from(value).toString("base64") : value;
  if (Array.isArray(value)) return value.map((v) => encode(v, base64));
  if (value instanceof RespError) return null;
  return value;
}

function reply(value: RespValue, base64: boolean): { result: unknown } | { error: string } {
  return value instanceof RespError ? { error: value.message } : { result: encode(value, base64) };
}

export async function startUpstashLocal(options: UpstashLocalOptions): Promise<UpstashLocal> {
  const redisUrl = options.redisUrl ?? "redis://127.0.0.1:6379";
  let redis: RespClient = await connectResp(redisUrl);
  /** sha1(client's script) -> sha1(script Redis got) */
  const shaMap = new Map<string, string>();

  async function client(): Promise<RespClient> {
    // Reconnect if the connection dropped (e.g. redis-server restarted).
    if (redis.closed) redis = await connectResp(redisUrl);
    return redis;
  }

  function rewrite(command: Arg[]): (string | number)[] {
    const name = String(command[0] ?? "").toUpperCase();
    const args = command.slice(1);
    if (name === "EVAL" || name === "EVAL_RO") {
      const script = String(args[0] ?? "");
      const stripped = stripUpstashFlags(script);
      if (stripped !== script) shaMap.set(sha1(script), sha1(stripped));
      return [name, stripped, ...args.slice(1)];
    }
    if (name === "EVALSHA" || name === "EVALSHA_RO") {
      const sha = String(args[0] ?? "").toLowerCase();
      return [name, shaMap.get(sha) ?? sha, ...args.slice(1)];
    }
    if (name === "SCRIPT" && String(args[0] ?? "").toUpperCase() === "LOAD") {
      const script = String(args[1] ?? "");
      const stripped = stripUpstashFlags(script);
      if (stripped !== script) shaMap.set(sha1(script), sha1(stripped));
      return [name, "LOAD", stripped];
    }
    if (name === "SCRIPT" && String(args[0] ?? "").toUpperCase() === "EXISTS") {
      return [name, "EXISTS", ...args.slice(1).map((s) => shaMap.get(String(s).toLowerCase()) ?? String(s))];
    }
    return [name, ...args];
  }

  /** SCRIPT LOAD answers with the SHA the client computed, not the rewritten one. */
  function unrewrite(command: Arg[], value: RespValue): RespValue {
    const name = String(command[0] ?? "").toUpperCase();
    if (name === "SCRIPT" && String(command[1] ?? "").toUpperCase() === "LOAD" && typeof value === "string") {
      return sha1(String(command[2] ?? ""));
    }
    return value;
  }

  const isCommand = (c: unknown): c is Arg[] =>
    Array.isArray(c) && c.length > 0 && c.every((a) => typeof a === "string" || typeof a === "number");

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${options.token}`) return send(401, { error: "Unauthorized" });
    if (req.method !== "POST") return send(405, { error: "only POST with a JSON body is supported" });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(400, { error: "ERR body is not JSON" });
    }
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\/+$/, "");
    const r = await client();

    if (path === "") {
      if (!isCommand(body)) return send(400, { error: "ERR expected a JSON array command" });
      const value = unrewrite(body, await r.send(rewrite(body)));
      const out = reply(value, base64);
      return send("error" in out ? 400 : 200, out);
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      if (!Array.isArray(body) || !body.every(isCommand)) return send(400, { error: "ERR expected a JSON array of commands" });
      const commands = body as Arg[][];
      if (path === "/pipeline") {
        const values = await r.sendMany(commands.map(rewrite));
        return send(200, values.map((v, i) => reply(unrewrite(commands[i]!, v), base64)));
      }
      const values = await r.sendMany([["MULTI"], ...commands.map(rewrite), ["EXEC"]]);
      const exec = values[values.length - 1]!;
      if (exec instanceof RespError || exec === null) {
        const queued = values.slice(1, -1).find((v) => v instanceof RespError) as RespError | undefined;
        return send(400, { error: queued?.message ?? (exec instanceof RespError ? exec.message : "EXECABORT transaction discarded") });
      }
      const results = exec as RespValue[];
      return send(200, results.map((v, i) => reply(unrewrite(commands[i]!, v), base64)));
    }
    return send(404, { error: `ERR unknown endpoint ${path}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `ERR upstash-local: ${error.message}` }));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    token: options.token,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.close();
    },
  };
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await startUpstashLocal({
    port: Number(argValue("--port") ?? process.env.UPSTASH_LOCAL_PORT ?? 8079),
    token: argValue("--token") ?? process.env.UPSTASH_REDIS_REST_TOKEN ?? "dev",
    redisUrl: argValue("--redis") ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  });
  console.log(`Upstash REST on ${server.url} (token ${server.token}) -> ${argValue("--redis") ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379"}`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  watchParent(stop);
}
