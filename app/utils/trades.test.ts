/** CSV formatting and the trade history's filters (pure). */
import { describe, expect, it } from "vitest";
import { csvField, goldDecimal, toCsv } from "./csv";
import { fillTotal, filterInstants, filterSearch, readTradeFilters, tradesCsv, tradesFilename } from "./trades";

/** A small RFC 4180 reader: what a spreadsheet would read back. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") record.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") record.push(field), records.push(record), (field = ""), (record = []), i++;
    else field += c;
  }
  expect(field).toBe("");
  return records;
}

describe("csv", () => {
  it("quotes only what needs it and doubles quotes", () => {
    expect(csvField("Iron Ore")).toBe("Iron Ore");
    expect(csvField(12)).toBe("12");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('Dragon "Red" Scale')).toBe('"Dragon ""Red"" Scale"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField("")).toBe("");
  });

  it("never lets text run as a spreadsheet formula, numbers stay numbers", () => {
    expect(csvField("=HYPERLINK(\"x\")")).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("@sum")).toBe("'@sum");
    expect(csvField("-x")).toBe("'-x");
    expect(csvField("-12.50")).toBe("-12.50");
    expect(csvField(-3)).toBe("-3");
  });

  it("writes CRLF records that read back to the same fields", () => {
    const rows = [["a,b", 'q"q', "line\nbreak"], ["", 0, "=1+1"]];
    const text = toCsv(["x", "y", "z"], rows);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(parseCsv(text)).toEqual([["x", "y", "z"], ["a,b", 'q"q', "line\nbreak"], ["", "0", "'=1+1"]]);
  });

  it("writes gold with two decimals and no separators, from integer copper only", () => {
    expect(goldDecimal(0)).toBe("0.00");
    expect(goldDecimal(5)).toBe("0.05");
    expect(goldDecimal(118)).toBe("1.18");
    expect(goldDecimal(123_456_789)).toBe("1234567.89");
    expect(goldDecimal(-250)).toBe("-2.50");
    expect(goldDecimal(1_000_000_000 * 1_000_000)).toBe("10000000000000.00");
    expect(() => goldDecimal(1.5)).toThrow(RangeError);
  });
});

describe("trade history", () => {
  const fills = [
    { market: "iron-ore", seq: 7, price: 11_911, quantity: 30, side: "buy" as const, role: "taker" as const, fee: 893, orderId: "o-1", at: "2026-04-02T10:00:00Z" },
    { market: "odd-name", seq: 2, price: 5, quantity: 3, side: "sell" as const, role: "maker" as const, fee: 0, orderId: "o-2", at: "2026-04-01T09:30:00Z" },
  ];

  it("totals: a buy paid notional plus fee, a sell got notional minus fee", () => {
    expect(fillTotal(fills[0]!)).toBe(11_911 * 30 + 893);
    expect(fillTotal({ side: "sell", price: 1_000, quantity: 4, fee: 4 })).toBe(3_996);
  });

  it("writes one row per fill with gold and copper columns and item names quoted as needed", () => {
    const text = tradesCsv(fills, { "iron-ore": { name: "Iron Ore" }, "odd-name": { name: 'Ore, "fine"' } });
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(["time_utc", "market", "item", "side", "role", "quantity", "price_gold", "price_copper", "fee_gold", "fee_copper", "total_gold", "total_copper", "order_id", "fill_seq"]);
    expect(rows).toEqual([
      ["2026-04-02T10:00:00Z", "iron-ore", "Iron Ore", "buy", "taker", "30", "119.11", "11911", "8.93", "893", "3582.23", "358223", "o-1", "7"],
      ["2026-04-01T09:30:00Z", "odd-name", 'Ore, "fine"', "sell", "maker", "3", "0.05", "5", "0.00", "0", "0.15", "15", "o-2", "2"],
    ]);
  });

  it("reads filters from the URL, dropping what is malformed or unknown", () => {
    const markets = new Set(["iron-ore"]);
    const read = (q: string) => readTradeFilters(new URLSearchParams(q), markets);
    expect(read("")).toEqual({ tz: 0 });
    expect(read("market=iron-ore&side=sell&from=2026-04-01&to=2026-04-30&tz=-120&before=42")).toEqual({
      market: "iron-ore", side: "sell", from: "2026-04-01", to: "2026-04-30", tz: -120, before: 42,
    });
    expect(read("market=nope&side=both&from=2026-02-30&to=yesterday&tz=99999&before=-1")).toEqual({ tz: 0 });
    expect(read("tz=1.5&before=0")).toEqual({ tz: 0 });
  });

  it("turns days into instants in the player's time zone, the last day included", () => {
    expect(filterInstants({ tz: 0, from: "2026-04-01", to: "2026-04-30" })).toEqual({
      from: new Date("2026-04-01T00:00:00Z"), to: new Date("2026-05-01T00:00:00Z"),
    });
    // UTC+2 (getTimezoneOffset -120): local midnight is 22:00 UTC the day before.
    expect(filterInstants({ tz: -120, from: "2026-04-01" })).toEqual({ from: new Date("2026-03-31T22:00:00Z") });
    expect(filterInstants({ tz: 300, to: "2026-04-01" })).toEqual({ to: new Date("2026-04-02T05:00:00Z") });
    expect(filterInstants({ tz: 0 })).toEqual({});
  });

  it("links keep the filters, never the cursor; file names say what was exported", () => {
    const f = { market: "iron-ore", side: "buy" as const, from: "2026-04-01", tz: -60, before: 9 };
    expect(filterSearch(f)).toBe("?market=iron-ore&side=buy&from=2026-04-01&tz=-60");
    expect(filterSearch(f, { before: "5" })).toBe("?market=iron-ore&side=buy&from=2026-04-01&tz=-60&before=5");
    expect(filterSearch({ tz: -60 })).toBe("");
    const today = new Date("2026-05-01T12:00:00Z");
    expect(tradesFilename({ tz: 0 }, today)).toBe("bazaar-trades-2026-05-01.csv");
    expect(tradesFilename(f, today)).toBe("bazaar-trades-iron-ore-buy-from-2026-04-01.csv");
  });
});
