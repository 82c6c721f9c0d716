/** scripts/stack.ts building blocks: quoting, build freshness, the process-group runner. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { groupAlive } from "../../scripts/proc";
import { buildNeeded, runGroup, shq, stopCommands } from "../../scripts/stack";

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
