/**
 * A bound on wrangler dev's debug log. wrangler appends every message it logs, debug ones included
 * (its inspector proxy's events, several per request; ADR 052), to one file per start under
 * WRANGLER_LOG_PATH, and never trims it: 2.6 MB a minute under ten players, gigabytes in a day.
 * The stack calls capLogDir on that directory every minute. wrangler opens its file by name on every
 * append, so a file moved aside is simply started afresh on the next line.
 */
import { readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";

export interface Capped {
  /** The live file moved aside (to `<name>.previous.log`), when it alone was over half the bound. */
  rotated?: string;
  /** Files removed, oldest first. */
  removed: string[];
  /** Bytes in the directory's .log files afterwards. */
  bytes: number;
}

/**
 * Keeps the .log files of `dir` within `maxBytes` in all: the newest (the live file) is moved aside
 * once it holds more than half the bound (replacing the one moved aside before it), then the oldest
 * files go until the rest fits. So a long session keeps its last half-bound or more of lines.
 * Returns undefined when nothing had to be done.
 */
export function capLogDir(dir: string, maxBytes: number): Capped | undefined {
  const files = logFiles(dir);
  const newest = files[files.length - 1];
  if (!newest) return undefined;
  const tooBig = newest.size > maxBytes / 2 && !newest.name.endsWith(PREVIOUS);
  if (!tooBig && sum(files) <= maxBytes) return undefined;
  const done: Capped = { removed: [], bytes: 0 };
  if (tooBig) {
    const aside = newest.name.slice(0, -".log".length) + PREVIOUS;
    renameSync(path.join(dir, newest.name), path.join(dir, aside));
    done.rotated = aside;
  }
  const rest = logFiles(dir);
  let bytes = sum(rest);
  // Oldest first; the newest file stays whatever its size (moved aside above when too big).
  for (const f of rest.slice(0, -1)) {
    if (bytes <= maxBytes) break;
    rmSync(path.join(dir, f.name), { force: true });
    done.removed.push(f.name);
    bytes -= f.size;
  }
  done.bytes = bytes;
  return done;
}

const PREVIOUS = ".previous.log";

function logFiles(dir: string): Array<{ name: string; size: number; mtimeMs: number }> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(".log"))
    .flatMap((name) => {
      try {
        const s = statSync(path.join(dir, name));
        return s.isFile() ? [{ name, size: s.size, mtimeMs: s.mtimeMs }] : [];
      } catch {
        return []; // removed meanwhile
      }
    })
    .sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
}

const sum = (files: Array<{ size: number }>) => files.reduce((n, f) => n + f.size, 0);
