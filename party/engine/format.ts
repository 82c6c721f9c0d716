import type { Book, OrderView } from "./types";

/**
 * The book as a table a non-programmer can read: asks on top (highest first), bids below, each
 * row one price level, and the orders at that level in time priority, first in line first,
 * written `orderId:quantity`.
 *
 *   bid          | price | ask
 *                |   102 | s1:5
 *                |   101 | s2:10 s3:4
 *   b1:3 b2:7    |   100 |
 */
export function renderBook(book: Pick<Book, "snapshot">): string {
  const s = book.snapshot();
  const rows: [string, string, string][] = [];
  const group = (orders: OrderView[]): Map<number, string[]> => {
    const levels = new Map<number, string[]>();
    for (const o of orders) {
      const cell = levels.get(o.price) ?? [];
      cell.push(`${o.orderId}:${o.remaining}`);
      levels.set(o.price, cell);
    }
    return levels;
  };
  const asks = [...group(s.asks)].reverse();
  for (const [price, cell] of asks) rows.push(["", String(price), cell.join(" ")]);
  for (const [price, cell] of group(s.bids)) rows.push([cell.join(" "), String(price), ""]);
  const w0 = Math.max(3, ...rows.map((r) => r[0].length));
  const w1 = Math.max(5, ...rows.map((r) => r[1].length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(w0)} | ${b.padStart(w1)} | ${c}`.trimEnd();
  return [line("bid", "price", "ask"), ...rows.map((r) => line(...r))].join("\n");
}

/** Cells of a rendered table, whitespace-insensitive, for comparing with a hand-written table. */
export function tableCells(table: string): string[][] {
  return table
    .trim()
    .split("\n")
    .map((l) => l.split("|").map((c) => c.trim().split(/\s+/).join(" ")));
}
