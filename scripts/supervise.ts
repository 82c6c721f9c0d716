/**
 * Keeps the stack's children running once it is up (scripts/stack.ts): a child that exits is
 * started again after a backoff (0.5 s doubling to 10 s; back to 0.5 s after a minute of health),
 * and a child that is alive but does not answer its probe three times in a row (partykit dev or
 * wrangler dev whose workerd was killed, a hung server) has its process group killed, which
 * restarts it (a child still starting gets a grace period until it first answers). Every step is one log line: "[stack] party exited (code 137); restarting in 0.5 s
 * (restart 1)", "[stack] party is back after 3.2 s".
 */
import type { Command } from "concurrently";

export interface Supervised {
  /** Restarts so far, by child name. */
  restarts(): Record<string, number>;
  /** Children currently down (exited or not answering), by name, with the time they went down. */
  down(): Record<string, number>;
  /** Stop supervising (before stopping the children). */
  stop(): void;
}

export interface SuperviseOptions {
  say: (line: string) => void;
  /** One probe per child name; true when the child answers. Children without one are restarted on exit only. */
  probes: Record<string, () => Promise<boolean>>;
  /** Kills a process group (SIGKILL). */
  kill: (pid: number) => void;
  /** How long a (re)started child may take before its probe counts (ms). */
  graceMs?: Record<string, number>;
  intervalMs?: number;
  /** Runs just before a child is started again, with the PID that exited (e.g. to clear its stale lock). */
  beforeRestart?: (name: string, exitedPid: number | undefined) => void;
}

interface State {
  command: Command;
  restarts: number;
  backoffMs: number;
  startedAt: number;
  failures: number;
  /** Answered a probe since its last (re)start: from then on, no grace. */
  answered: boolean;
  downSince?: number;
  upSince?: number;
  waiting?: NodeJS.Timeout;
}

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
const HEALTHY_RESETS_MS = 60_000;
const FAILED_PROBES = 3;

export function supervise(commands: Command[], options: SuperviseOptions): Supervised {
  let stopped = false;
  const states = commands.map((command): State => ({ command, restarts: 0, backoffMs: FIRST_BACKOFF_MS, startedAt: Date.now(), failures: 0, answered: true, upSince: Date.now() }));
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

  const restart = (s: State, why: string) => {
    if (stopped || s.waiting) return;
    s.downSince ??= Date.now();
    s.upSince = undefined;
    const wait = s.backoffMs;
    s.backoffMs = Math.min(s.backoffMs * 2, MAX_BACKOFF_MS);
    options.say(`${s.command.name} ${why}; restarting in ${seconds(wait)} (restart ${s.restarts + 1})`);
    const exitedPid = s.command.pid;
    s.waiting = setTimeout(() => {
      s.waiting = undefined;
      if (stopped) return;
      try {
        options.beforeRestart?.(s.command.name, exitedPid);
      } catch (error) {
        options.say(`${s.command.name}: before restarting: ${(error as Error).message}`);
      }
      s.restarts++;
      s.failures = 0;
      s.answered = false;
      s.startedAt = Date.now();
      s.command.start();
    }, wait);
  };

  const subscriptions = states.map((s) =>
    s.command.close.subscribe((event) => {
      if (!stopped) restart(s, `exited (${typeof event.exitCode === "number" ? `code ${event.exitCode}` : event.exitCode})`);
    }),
  );

  let probing = false;
  const tick = async () => {
    if (probing || stopped) return;
    probing = true;
    try {
      await Promise.all(
        states.map(async (s) => {
          const probe = options.probes[s.command.name];
          if (!probe || s.waiting || s.command.state !== "started") return;
          const ok = await probe().catch(() => false);
          if (stopped || s.waiting) return;
          const now = Date.now();
          if (ok) {
            s.failures = 0;
            s.answered = true;
            if (s.downSince !== undefined) {
              options.say(`${s.command.name} is back after ${seconds(now - s.downSince)}`);
              s.downSince = undefined;
            }
            s.upSince ??= now;
            if (now - s.upSince > HEALTHY_RESETS_MS) s.backoffMs = FIRST_BACKOFF_MS;
            return;
          }
          // A child that is still starting gets its grace; one that answered since is judged at once.
          if (!s.answered && now - s.startedAt < (options.graceMs?.[s.command.name] ?? 30_000)) return;
          s.upSince = undefined;
          s.downSince ??= now;
          if (++s.failures >= FAILED_PROBES && typeof s.command.pid === "number") {
            options.say(`${s.command.name} does not answer (${s.failures} probes in a row); killing it`);
            s.failures = 0;
            options.kill(s.command.pid); // its exit restarts it
          }
        }),
      );
    } finally {
      probing = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 1_000);
  timer.unref();

  return {
    restarts: () => Object.fromEntries(states.map((s) => [s.command.name, s.restarts])),
    down: () => Object.fromEntries(states.filter((s) => s.downSince !== undefined).map((s) => [s.command.name, s.downSince!])),
    stop() {
      stopped = true;
      clearInterval(timer);
      for (const s of states) if (s.waiting) clearTimeout(s.waiting);
      for (const sub of subscriptions) sub.unsubscribe();
    },
  };
}
