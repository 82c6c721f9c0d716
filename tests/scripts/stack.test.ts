/** scripts/stack.ts building blocks: quoting, build freshness, the process-group runner, the start-phase restart, the log tail, the supervisor. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import type { Command } from "concurrently";
import { LogTail } from "../../scripts/log-tail";
import { freePort, groupAlive, waitForHttp } from "../../scripts/proc";
import { answerOrRestartOnce, buildNeeded, clearStaleLock, runGroup, shq, stopCommands } from "../../scripts/stack";
import { supervise, type SuperviseOptions } from "../../scripts/supervise";

const dir = mkdtempSync(path.join(tmpdir(), "bazaar-stack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("shq", () => {
  it("quotes anything so that sh gives it back unchanged", () => {
    for (const s of ["plain", "DATABASE_URL:postgres://u:p@h:5432/db?x=1&y=2", "it's", "$(rm -rf /)", "a b\tc", "`x`", ""]) {
      expect(execFileSync("/bin/sh", ["-c", `printf %s ${shq(s)}`], { encoding: "utf8" })).toBe(s);
    }
  });
});

describe("buildNeeded", () => {
  it("asks for a build when build/server is missing or older than a source", () => {
    const root = path.join(dir, "repo");
    mkdirSync(path.join(root, "app", "routes"), { recursive: true });
    writeFileSync(path.join(root, "app", "routes", "a.tsx"), "x");
    expect(buildNeeded(root)).toMatch(/missing/);
    mkdirSync(path.join(root, "build", "server"), { recursive: true });
    const server = path.join(root, "build", "server", "index.js");
    writeFileSync(server, "built");
    const now = Date.now() / 1000;
    utimesSync(path.join(root, "app", "routes", "a.tsx"), now - 100, now - 100);
    utimesSync(path.join(root, "app", "routes"), now - 100, now - 100);
    utimesSync(path.join(root, "app"), now - 100, now - 100);
    utimesSync(server, now - 50, now - 50);
    expect(buildNeeded(root)).toBeUndefined();
    utimesSync(path.join(root, "app", "routes", "a.tsx"), now, now);
    expect(buildNeeded(root)).toMatch(/app changed/);
  });
});

describe("runGroup + stopCommands", () => {
  it("prefixes output by name, and stop() takes down whole process trees", { timeout: 30_000 }, async () => {
    const output = new PassThrough();
    let log = "";
    output.on("data", (chunk) => (log += String(chunk)));
    // Each command leaves a grandchild behind; killing only the shell would orphan it.
    const { commands } = runGroup(
      [
        { name: "alpha", command: "echo hello-alpha; sleep 300 & sleep 300; wait" },
        { name: "beta", command: "echo hello-beta; trap 'echo beta-term; exit 0' TERM; sleep 300 & wait" },
      ],
      output,
    );
    const deadline = Date.now() + 10_000;
    while (!(log.includes("hello-alpha") && log.includes("hello-beta")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const pids = commands.map((c) => c.pid!);
    expect(pids.every(groupAlive)).toBe(true);
    await stopCommands(commands);
    expect(pids.some(groupAlive)).toBe(false);
    expect(log).toMatch(/\[alpha\] hello-alpha/);
    expect(log).toMatch(/\[beta\] hello-beta/);
    expect(log).toMatch(/\[alpha\] exited/);
  });
});

describe("supervise", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const until = async (what: string, ok: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  };
  /** runGroup + supervise, as startStack does once the stack is up; stop() ends both. */
  const supervised = (specs: Parameters<typeof runGroup>[0], options: Partial<SuperviseOptions> = {}) => {
    const output = new PassThrough();
    const log = { text: "" };
    output.on("data", (chunk) => (log.text += String(chunk)));
    const { commands } = runGroup(specs, output);
    const sup = supervise(commands, {
      say: (line) => (log.text += `[stack] ${line}\n`),
      kill: (pid) => process.kill(-pid, "SIGKILL"),
      probes: {},
      intervalMs: 100,
      ...options,
    });
    return {
      commands,
      sup,
      log,
      async stop() {
        sup.stop();
        await stopCommands(commands);
      },
    };
  };

  it("restarts a child that exits, with a doubling backoff, and logs each step", { timeout: 30_000 }, async () => {
    const run = supervised([{ name: "crasher", command: "echo up; sleep 0.4; exit 3" }], {
      probes: { crasher: async () => run.commands[0]!.state === "started" && groupAlive(run.commands[0]!.pid!) },
      beforeRestart: (name, pid) => (run.log.text += `before ${name} ${pid}\n`),
    });
    try {
      const first = run.commands[0]!.pid!;
      await until("two restarts", () => run.sup.restarts().crasher! >= 2);
      expect(run.log.text).toContain("[stack] crasher exited (code 3); restarting in 0.5 s (restart 1)");
      expect(run.log.text).toContain("[stack] crasher exited (code 3); restarting in 1.0 s (restart 2)");
      expect(run.log.text).toContain(`before crasher ${first}`);
      expect(run.log.text).toMatch(/\[stack\] crasher is back after \d+\.\d s/);
    } finally {
      await run.stop();
    }
    expect(groupAlive(run.commands[0]!.pid!)).toBe(false);
  });

  it("kills a child that is alive but does not answer its probe, and starts it again", { timeout: 30_000 }, async () => {
    let answering = true;
    // Leaves a grandchild behind unless its whole process group is killed.
    const run = supervised([{ name: "hung", command: "echo up; sleep 300 & wait" }], {
      probes: { hung: async () => answering },
      graceMs: { hung: 0 },
    });
    try {
      const first = run.commands[0]!.pid!;
      await sleep(300);
      answering = false;
      await until("the kill", () => run.log.text.includes("hung does not answer (3 probes in a row); killing it"));
      await until("the restart", () => run.sup.restarts().hung === 1 && run.commands[0]!.pid !== first && run.commands[0]!.state === "started");
      // An orphaned grandchild can linger as a zombie until init reaps it (over a second here).
      await until("the old process group to be gone", () => !groupAlive(first));
      expect(run.log.text).toMatch(/\[stack\] hung exited \(SIGKILL\); restarting in 0\.5 s \(restart 1\)/);
      answering = true;
      await until("back", () => /hung is back after/.test(run.log.text));
      expect(run.sup.down()).toEqual({});
    } finally {
      await run.stop();
    }
    expect(groupAlive(run.commands[0]!.pid!)).toBe(false);
  });

  it("stop() during a backoff wait: the child is not started again", { timeout: 30_000 }, async () => {
    const run = supervised([{ name: "quitter", command: "exit 1" }]);
    try {
      await until("the first restart to be scheduled", () => run.log.text.includes("quitter exited (code 1); restarting in 0.5 s (restart 1)"));
      const pid = run.commands[0]!.pid;
      run.sup.stop();
      await sleep(1_200);
      expect(run.sup.restarts().quitter).toBe(0);
      expect(run.commands[0]!.pid).toBe(pid);
      expect(run.commands[0]!.state).toBe("exited");
    } finally {
      await run.stop();
    }
  });

  it("clears a PGlite lock only when it names the process that was seen to exit", () => {
    const lock = path.join(dir, "pglite.lock");
    writeFileSync(lock, "4242");
    expect(clearStaleLock(lock, 4343)).toBe(false);
    expect(existsSync(lock)).toBe(true);
    expect(clearStaleLock(lock, 4242)).toBe(true);
    expect(existsSync(lock)).toBe(false);
    expect(clearStaleLock(lock, 4242)).toBe(false);
  });
});

describe("answerOrRestartOnce (the start phase)", () => {
  /** A child that is silent on its first run and listens on its second: a file marks the first run. */
  const silentOnce = (name: string, port: number) => {
    const marker = path.join(dir, `${name}-started`);
    const server = `require("node:http").createServer((q, s) => s.end("up")).listen(${port}, "127.0.0.1")`;
    return { name, command: `if [ -e ${shq(marker)} ]; then exec ${shq(process.execPath)} -e ${shq(server)}; else touch ${shq(marker)}; exec sleep 60; fi` };
  };

  it("kills a server that is alive but silent after half its time and starts it once more", { timeout: 30_000 }, async () => {
    const port = await freePort();
    const output = new PassThrough();
    const { commands } = runGroup([silentOnce("silent", port)], output);
    const [command] = commands;
    const firstPid = command!.pid!;
    const lines: string[] = [];
    const restarting = new Set<Command>();
    const t0 = Date.now();
    const res = await answerOrRestartOnce(command!, (ms) => waitForHttp(`http://127.0.0.1:${port}/`, ms), 4_000, {
      say: (line) => lines.push(line),
      restarting,
      mayRestart: () => true,
    });
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_000);
    expect(lines.join("\n")).toMatch(/silent is running but .* did not answer within 2000 ms .*; killing it and starting it once more/);
    expect(groupAlive(firstPid)).toBe(false);
    expect(command!.pid).not.toBe(firstPid);
    await stopCommands(commands);
  });

  it("gives up after the second try, and never restarts when told not to", { timeout: 30_000 }, async () => {
    const port = await freePort();
    const { commands } = runGroup([{ name: "mute", command: "exec sleep 60" }], new PassThrough());
    const lines: string[] = [];
    const wait = (ms: number) => waitForHttp(`http://127.0.0.1:${port}/`, ms);
    await expect(answerOrRestartOnce(commands[0]!, wait, 1_000, { say: (l) => lines.push(l), restarting: new Set(), mayRestart: () => false })).rejects.toThrow(/did not answer within 500 ms/);
    expect(lines).toEqual([]);
    await expect(answerOrRestartOnce(commands[0]!, wait, 1_000, { say: (l) => lines.push(l), restarting: new Set(), mayRestart: () => true })).rejects.toThrow(/did not answer within 1000 ms/);
    expect(lines).toHaveLength(1);
    await stopCommands(commands);
  });
});

describe("LogTail", () => {
  it("passes everything through and keeps the last lines, colors and carriage returns stripped", async () => {
    const target = new PassThrough();
    let seen = "";
    target.on("data", (c) => (seen += String(c)));
    const tail = new LogTail(target, 3);
    for (const chunk of ["\u001b[34m[party]\u001b[39m one\n[party] tw", "o\r\n[web] three\n", "[web] four\n[web] unfin"]) {
      await new Promise<void>((r) => tail.write(chunk, () => r()));
    }
    expect(seen).toBe("\u001b[34m[party]\u001b[39m one\n[party] two\r\n[web] three\n[web] four\n[web] unfin");
    expect(tail.lines()).toEqual(["[web] three", "[web] four", "[web] unfin"]);
  });
});
