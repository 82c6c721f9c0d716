/**
 * The TCP sockets a set of processes listens on, read from /proc (Linux): each process's socket
 * inodes (/proc/<pid>/fd), matched against the LISTEN rows of /proc/net/tcp and tcp6. Used to
 * check that every part of a stack binds loopback only.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface Listener {
  pid: number;
  command: string;
  address: string;
  port: number;
}

/** Every process in the given process groups (the stack's children lead one group each), with its command line and program name. */
export function groupMembers(pgids: number[]): Array<{ pid: number; args: string; command: string }> {
  const out = execFileSync("ps", ["-o", "pid=,pgid=,args=", "-e"], { encoding: "utf8" });
  return out
    .split("\n")
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && pgids.includes(Number(m[2])))
    .map((m) => ({ pid: Number(m[1]), args: m[3]!, command: m[3]!.split(" ")[0]!.split("/").pop()! }));
}

/** "0100007F:1F90" (little-endian IPv4) or a 32-hex IPv6 address, to text and port. */
function decode(hex: string): { address: string; port: number } {
  const [addr, port] = hex.split(":") as [string, string];
  if (addr.length === 8) return { address: [3, 2, 1, 0].map((i) => parseInt(addr.slice(i * 2, i * 2 + 2), 16)).join("."), port: parseInt(port, 16) };
  // IPv6: four little-endian 32-bit words.
  const words = addr.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(""));
  const groups = words.join("").match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ""));
  return { address: groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::"), port: parseInt(port, 16) };
}

/** The rows of /proc/net/tcp and tcp6: local and remote "HEX:PORT" addresses, the state (0A listen, 01 established) and the socket's inode. */
export function tcpRows(): Array<{ local: string; remote: string; state: string; inode: string }> {
  const rows: Array<{ local: string; remote: string; state: string; inode: string }> = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 10) rows.push({ local: f[1]!, remote: f[2]!, state: f[3]!, inode: f[9]! });
    }
  }
  return rows;
}

function listeningInodes(): Map<string, { address: string; port: number }> {
  return new Map(tcpRows().filter((r) => r.state === "0A").map((r) => [r.inode, decode(r.local)]));
}

export function listenersOf(processes: Array<{ pid: number; command: string }>): Listener[] {
  const listening = listeningInodes();
  const found: Listener[] = [];
  for (const { pid, command } of processes) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // exited meanwhile
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const at = inode ? listening.get(inode) : undefined;
      if (at) found.push({ pid, command, ...at });
    }
  }
  return found;
}

export const isLoopback = (address: string) => address.startsWith("127.") || address === "::1";

type SocketRow = { state: string; local: string; peer: string };

const ssArgs = (port: number) => ["-Htna", "exclude", "time-wait", `( sport = :${port} or dport = :${port} )`];

function parseSs(lines: string[]): SocketRow[] {
  return lines
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 5)
    .map((f) => ({ state: f[0]!, local: f[3]!, peer: f[4]! }));
}

/**
 * The TCP sockets with one end on a port (either side), except those in TIME-WAIT, from the kernel's
 * socket dump filtered in the kernel (`ss`, netlink). Unlike a read of /proc/net/tcp, which lists
 * every socket (thousands in TIME-WAIT under connection churn) in page-sized chunks, so that a
 * connection closing and another opening during one read are both counted, the filtered dump is
 * small and quick: a count taken from it under churn does not drift above the truth.
 * Runs `ss` once, synchronously: starting a process from a large test process takes tens of ms on
 * some hosts, so repeated samples go through {@link watchSockets}.
 */
export function socketsOnPort(port: number): SocketRow[] {
  return parseSs(execFileSync("ss", ssArgs(port), { encoding: "utf8" }).split("\n"));
}

/**
 * {@link socketsOnPort} every `everyMs`, from one small shell loop started once (at most
 * `maxSeconds`, and stopped by PID with stop()): the test's own event loop is never blocked by a
 * process start per sample, and each dump reaches `onDump` as it comes.
 */
export function watchSockets(port: number, onDump: (rows: SocketRow[]) => void, everyMs = 100, maxSeconds = 900): { stop(): void } {
  const quoted = ssArgs(port).map((a) => `'${a}'`).join(" ");
  const child = spawn("timeout", [String(maxSeconds), "sh", "-c", `while :; do ss ${quoted}; echo --; sleep ${everyMs / 1000}; done`], { stdio: ["ignore", "pipe", "ignore"] });
  // Lines until a "--" make one dump; a chunk may end inside a line.
  let lines: string[] = [];
  let partial = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const line of parts) {
      if (line !== "--") lines.push(line);
      else {
        onDump(parseSs(lines));
        lines = [];
      }
    }
  });
  return {
    stop() {
      if (child.pid !== undefined && child.exitCode === null) child.kill("SIGTERM");
    },
  };
}
