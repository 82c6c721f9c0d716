import { OrderBook } from "./book";
import { ReferenceBook } from "./reference";
import { RandomStream } from "./random-stream";
import type { Book, BookConfig, Command, CommandResult, OrderId } from "./types";
import type { StreamOptions } from "./random-stream";

/**
 * Differential run: one seeded command stream through the fast book and the reference book.
 * Every result is compared; the state hash is compared every `hashEvery` commands and at the end.
 */

export interface DiffOptions {
  seed: number;
  config: BookConfig;
  commands: number;
  targetSize?: number;
  hashEvery?: number;
  ids?: StreamOptions["ids"];
  huge?: boolean;
}

export interface DiffMismatch {
  index: number;
  command: Command<OrderId>;
  what: "result" | "hash";
  fast: unknown;
  reference: unknown;
}

export interface DiffReport {
  commands: number;
  mismatch: DiffMismatch | null;
  finalHash: string;
  finalSize: number;
  /** How many commands ended with each result code (the reference book's). */
  codes: Record<number, number>;
}

export function resultKey(r: CommandResult<OrderId>): string {
  return JSON.stringify([r.code, r.filled, r.remaining, r.resting, r.events]);
}

function sameResult(a: CommandResult<OrderId>, b: CommandResult<OrderId>): boolean {
  if (resultKey(a) === resultKey(b)) return true;
  // Same content with keys in another order still counts as the same.
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, normalize((v as Record<string, unknown>)[k])]));
  }
  return v;
}

export function runDifferential(o: DiffOptions): DiffReport {
  const fast: Book<OrderId> = new OrderBook<OrderId>(o.config);
  const ref: Book<OrderId> = new ReferenceBook<OrderId>(o.config);
  const stream = new RandomStream(o.seed, { config: o.config, targetSize: o.targetSize, ids: o.ids, huge: o.huge });
  const hashEvery = o.hashEvery ?? 1;
  const codes: Record<number, number> = {};
  for (let i = 0; i < o.commands; i++) {
    const command = stream.next(ref);
    const a = fast.process(command);
    const b = ref.process(command);
    codes[b.code] = (codes[b.code] ?? 0) + 1;
    if (!sameResult(a, b)) {
      return { commands: i + 1, mismatch: { index: i, command, what: "result", fast: a, reference: b }, finalHash: "", finalSize: 0, codes };
    }
    if ((i + 1) % hashEvery === 0 || i === o.commands - 1) {
      const ha = fast.stateHash();
      const hb = ref.stateHash();
      if (ha !== hb) {
        return {
          commands: i + 1,
          mismatch: { index: i, command, what: "hash", fast: fast.snapshot(), reference: ref.snapshot() },
          finalHash: "",
          finalSize: 0,
          codes,
        };
      }
    }
  }
  return { commands: o.commands, mismatch: null, finalHash: fast.stateHash(), finalSize: fast.size(), codes };
}
