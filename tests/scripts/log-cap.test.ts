import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capLogDir } from "../../scripts/logs/cap";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "log-cap-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A log of `kb` KB whose mtime is `age` seconds ago. */
function log(name: string, kb: number, age: number): void {
  const file = path.join(dir, name);
  writeFileSync(file, "x".repeat(kb * 1024));
  const t = Date.now() / 1000 - age;
  utimesSync(file, t, t);
}
const names = () => readdirSync(dir).sort();
const total = () => readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);

describe("capLogDir: wrangler dev's debug logs stay within a bound", () => {
  it("does nothing within the bound", () => {
    log("wrangler-a.log", 10, 30);
    log("wrangler-b.log", 10, 10);
    expect(capLogDir(dir, 64 * 1024)).toBeUndefined();
    expect(names()).toEqual(["wrangler-a.log", "wrangler-b.log"]);
  });

  it("removes earlier starts' files, oldest first, and keeps the live one", () => {
    log("wrangler-1.log", 40, 300);
    log("wrangler-2.log", 40, 200);
    log("wrangler-3.log", 40, 100);
    log("wrangler-4.log", 20, 1);
    const capped = capLogDir(dir, 100 * 1024)!;
    expect(capped.removed).toEqual(["wrangler-1.log"]);
    expect(capped.rotated).toBeUndefined();
    expect(names()).toEqual(["wrangler-2.log", "wrangler-3.log", "wrangler-4.log"]);
    expect(total()).toBeLessThanOrEqual(100 * 1024);
  });

  it("moves a live file over half the bound aside; the writer's next line starts it afresh; the one before goes", () => {
    log("wrangler-live.log", 60, 1);
    expect(capLogDir(dir, 100 * 1024)).toEqual({ rotated: "wrangler-live.previous.log", removed: [], bytes: 60 * 1024 });
    expect(names()).toEqual(["wrangler-live.previous.log"]);
    // wrangler appends by name: the next line makes a new live file.
    appendFileSync(path.join(dir, "wrangler-live.log"), "y".repeat(60 * 1024));
    const t = Date.now() / 1000 + 5;
    utimesSync(path.join(dir, "wrangler-live.log"), t, t);
    expect(capLogDir(dir, 100 * 1024)).toEqual({ rotated: "wrangler-live.previous.log", removed: [], bytes: 60 * 1024 });
    // The newer generation replaced the older one: never more than two, never over the bound for long.
    expect(names()).toEqual(["wrangler-live.previous.log"]);
    expect(total()).toBe(60 * 1024);
  });

  it("leaves other files alone and copes with a missing directory", () => {
    log("wrangler-1.log", 80, 100);
    log("wrangler-2.log", 80, 1);
    writeFileSync(path.join(dir, "notes.txt"), "z".repeat(200 * 1024));
    capLogDir(dir, 100 * 1024);
    expect(names()).toEqual(["notes.txt", "wrangler-2.previous.log"]);
    expect(capLogDir(path.join(dir, "nope"), 1)).toBeUndefined();
  });
});
