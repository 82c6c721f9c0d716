/**
 * CSV (RFC 4180): fields separated by commas, records by CRLF; a field holding a comma, a quote,
 * a line break or edge spaces is quoted, its quotes doubled. Text that a spreadsheet would run as
 * a formula (starting with = + - @ or a tab/CR) gets a leading apostrophe; numbers, negative ones
 * included, are written as they are.
 */

export type CsvValue = string | number;

export function csvField(value: CsvValue): string {
  let text = typeof value === "number" ? String(value) : value;
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text) && !/^-\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header line and one line per row, each ending in CRLF. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return [header, ...rows].map((r) => `${r.map(csvField).join(",")}\r\n`).join("");
}

/** Integer copper as plain gold with two decimals for a spreadsheet: 123456 -> "1234.56" (no separators). */
export function goldDecimal(copper: number): string {
  if (!Number.isSafeInteger(copper)) throw new RangeError(`not an integer amount of copper: ${copper}`);
  const abs = Math.abs(copper);
  return `${copper < 0 ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
