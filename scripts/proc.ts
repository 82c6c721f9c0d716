/** Small process and network helpers shared by the stack, the CLIs and the test runner. */
import net from "node:net";

/** Resolves when host:port accepts a TCP connection; rejects after timeoutMs. */
export async function waitForTcp(port: number, host = "127.0.0.1", timeoutMs = 30_000, isAlive?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await canConnect(port, host)) return;
    const dead = isAlive?.();
    if (dead) throw new Error(dead);
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Resolves when an HTTP GET of url gets any response (any status); rejects after timeoutMs. */
export async function waitForHttp(url: string, timeoutMs = 60_000, isAlive?: () => string | undefined): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: "manual" });
      await res.arrayBuffer().catch(() => undefined);
      return res;
    } catch (error) {
      last = (error as Error).message;
    }
    const dead = isAlive?.();
    if (dead) throw new Error(dead);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
    await sleep(150);
  }
}

/**
 * Polls a readiness URL (the worker's /api/v1/readyz) until it answers 200. While it answers 503,
 * its message (what is not ready) is said once per change; fails after `timeoutMs` with the last one.
 */
export async function waitForReady(url: string, timeoutMs: number, isAlive: (() => string | undefined) | undefined, say: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    let why: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
      if (res.status === 200) return say("ready: the worker's readiness check passed (database, migrations, rooms)");
      why = body.error?.message ?? `readyz answered ${res.status}`;
    } catch (error) {
      why = (error as Error).message;
    }
    if (why !== last) say(`not ready yet: ${why}`);
    last = why;
    const dead = isAlive?.();
    if (dead) throw new Error(dead);
    if (Date.now() > deadline) throw new Error(`${url} did not say ready within ${timeoutMs} ms (${last})`);
    await sleep(250);
  }
}

export function canConnect(port: number, host = "127.0.0.1", timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** A port the OS says is free right now (bind to 0, read it, release it). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True while some process of group pgid exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * When started by the stack (own process group, so a terminal's Ctrl-C reaches only the runner),
 * call onGone if the runner (BAZAAR_PARENT_PID) dies without stopping us, so that the data
 * directory and the port are released.
 */
export function watchParent(onGone: () => void): void {
  const parent = Number(process.env.BAZAAR_PARENT_PID ?? 0);
  if (!parent) return;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      clearInterval(timer);
      onGone();
    }
  }, 1000);
  timer.unref();
}
