/**
 * The feed's cursor: the (transaction id, event id) of the last event a reader has seen, as an
 * opaque string. Pure; the reader (read.ts) explains why this pair is safe where the id alone is not.
 */
export interface FeedPosition {
  /** xid8 as decimal text (64-bit: not a JS number). */
  tx: string;
  id: number;
}

export const FEED_START: FeedPosition = { tx: "0", id: 0 };

const PATTERN = /^f1\.(\d{1,20})\.(\d{1,16})$/;

export function encodeCursor(p: FeedPosition): string {
  return `f1.${p.tx}.${p.id}`;
}

/** undefined when the text is not a cursor this feed handed out. */
export function decodeCursor(text: string): FeedPosition | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const tx = BigInt(m[1]!);
  const id = Number(m[2]);
  if (tx >= 2n ** 64n || !Number.isSafeInteger(id)) return undefined;
  return { tx: tx.toString(), id };
}
