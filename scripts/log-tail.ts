import { Writable } from "node:stream";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/**
 * Writes through to `target` and keeps the last `keep` lines (colors stripped): a stack that fails to
 * start says what its children printed last, in the error itself, not only in a log file CI may drop.
 */
export class LogTail extends Writable {
  private readonly kept: string[] = [];
  private partial = "";

  constructor(private readonly target: Writable, private readonly keep: number) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = chunk.toString("utf8"); // strings arrive as Buffers (decodeStrings)
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.remember(line);
    this.target.write(chunk, done);
  }

  /** The last lines written, oldest first (with an unfinished last line). */
  lines(): string[] {
    return this.partial ? [...this.kept, this.partial.replace(ANSI, "")].slice(-this.keep) : [...this.kept];
  }

  private remember(line: string) {
    this.kept.push(line.replace(ANSI, "").replace(/\r/g, ""));
    if (this.kept.length > this.keep) this.kept.shift();
  }
}
