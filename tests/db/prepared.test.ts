/**
 * rowsPrepared (db/db.ts): the market batch's write runs as a prepared statement. On every driver
 * it returns what rows() returns; on Postgres the statement is prepared once per connection and
 * reused (pg_prepared_statements names it), and a different text is a different statement. Prepared
 * inside the backend (bazaar_prepared, migration 0037, ADR 047), as the embedded stack and poolers
 * without named statements do: the same answers, errors with their own SQLSTATE, values quoted
 * whatever they hold, and a name whose text changed prepared again.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgErrorCode, rows, rowsPrepared, statementName, useNamedStatements, withTx } from "../../db/db";
import { openTestDb, type TestDb } from "../support/db";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.close());

describe(`rowsPrepared on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("answers like rows(), with parameters, call after call on one connection", async () => {
    const query = (n: number) => sql`select g as n, ${`x${n}`}::text as tag from generate_series(1, ${n}::int) g order by g`;
    await withTx(t.db, async (tx) => {
      for (const n of [3, 1, 4, 1, 5, 9, 2]) {
        expect(await rowsPrepared(tx, query(n))).toEqual(await rows(tx, query(n)));
      }
      if (t.target === "postgres") {
        const name = statementName("select g as n, $1::text as tag from generate_series(1, $2::int) g order by g");
        const prepared = await rows<{ name: string; calls: string }>(tx, sql`select name from pg_prepared_statements where name = ${name}`);
        expect(prepared.map((p) => p.name)).toEqual([name]);
      }
    });
  });

  it("a statement that fails rolls back like any other and the next call works", async () => {
    await expect(withTx(t.db, async (tx) => rowsPrepared(tx, sql`select 1 / ${0}::int as boom`), 1)).rejects.toThrow();
    expect(await withTx(t.db, async (tx) => rowsPrepared<{ ok: number }>(tx, sql`select ${2}::int + 1 as ok`))).toEqual([{ ok: 3 }]);
  });

  it("names differ by text and are stable", () => {
    expect(statementName("select 1")).toBe(statementName("select 1"));
    expect(statementName("select 1")).not.toBe(statementName("select 2"));
    expect(statementName("select 1")).toMatch(/^bz_[0-9a-f]{8}_8$/);
  });

  it("names are the text's FNV-1a hash, remembered or not (other processes prepared them under that name)", () => {
    expect(statementName("select 1")).toBe("bz_7677c032_8");
    // More texts than are remembered: the first is worked out again, to the same name.
    const first = statementName(["select", "1"].join(" "));
    for (let i = 0; i < 600; i++) statementName(`select ${i} as n`);
    expect(statementName(["select", "1"].join(" "))).toBe(first);
    expect(first).toBe("bz_7677c032_8");
  });
});

describe(`rowsPrepared inside the backend (bazaar_prepared) on ${process.env.TEST_DB ?? "pglite"}`, () => {
  beforeAll(() => useNamedStatements("server"));
  afterAll(() => useNamedStatements("protocol"));
  const held = async (name: string) => (await rows<{ n: number | string }>(t.db, sql`select count(*) as n from pg_prepared_statements where name = ${name}`))[0]!.n;

  it("answers like rows() call after call, and the backend holds the statement under its name", async () => {
    const query = (n: number) => sql`select ${`x${n}`}::text as tag, (select string_agg(g::text, ',') from generate_series(1, ${n}::int) g) as upto`;
    for (const n of [3, 1, 4, 1, 5, 9, 2]) expect(await rowsPrepared(t.db, query(n))).toEqual(await rows(t.db, query(n)));
    const text = "select $1::text as tag, (select string_agg(g::text, ',') from generate_series(1, $2::int) g) as upto";
    expect(Number(await held(statementName(text)))).toBe(1);
  });

  it("passes any text as it is: quotes, backslashes, JSON, other scripts, empty and null", async () => {
    for (const v of [`it's "quoted"`, "back\\slash \\' both", JSON.stringify({ a: "x'y\\z", b: [1, null] }), "Ærø 漢字 🪙", "", null]) {
      const [got] = await rowsPrepared<{ v: string | null; len: string | null }>(t.db, sql`select ${v}::text as v, length(${v}::text)::text as len`);
      expect(got).toEqual({ v, len: v === null ? null : String([...v].length) });
    }
  });

  it("a failing statement keeps its SQLSTATE, rolls back what it did, and the next call works", async () => {
    await expect(rowsPrepared(t.db, sql`select 1 / ${0}::int as boom`)).rejects.toSatisfy((e) => pgErrorCode(e) === "22012");
    await expect(rowsPrepared(t.db, sql`select bazaar_expect(${false}::boolean, 'stale') as ok`)).rejects.toSatisfy((e) => pgErrorCode(e) === "BZ409");
    await rows(t.db, sql`create table if not exists prepared_probe (v text)`);
    const write = (v: string, ok: boolean) => sql`with w as (insert into prepared_probe values (${v}) returning v) select bazaar_expect(${ok}::boolean, 'no') as ok, (select v from w) as v`;
    await expect(withTx(t.db, (tx) => rowsPrepared(tx, write("lost", false)), 1)).rejects.toSatisfy((e) => pgErrorCode(e) === "BZ409");
    expect(await withTx(t.db, (tx) => rowsPrepared<{ v: string }>(tx, write("kept", true)))).toEqual([{ ok: true, v: "kept" }]);
    expect(await rows(t.db, sql`select v from prepared_probe order by v`)).toEqual([{ v: "kept" }]);
  });

  it("a name held for another text is prepared again, so a hash collision cannot run the wrong statement", async () => {
    const call = (body: string, arg: string) => rows<{ row: unknown }>(t.db, sql`select bazaar_prepared('bz_probe', ${body}, ${arg}) as row`);
    const first = await call("select $1::text || '-a' as v", "x");
    const second = await call("select $1::text || '-b' as v", "y");
    const parse = (r: { row: unknown }[]) => r.map((x) => (typeof x.row === "string" ? JSON.parse(x.row) : x.row));
    expect([...parse(first), ...parse(second)]).toEqual([{ v: "x-a" }, { v: "y-b" }]);
    expect(Number(await held("bz_probe"))).toBe(1);
  });
});
