/**
 * rowsPrepared (db/db.ts): the market batch's write runs as a named prepared statement. On every
 * driver it returns what rows() returns; on Postgres the statement is prepared once per connection
 * and reused (pg_prepared_statements names it), and a different text is a different statement.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, rowsPrepared, statementName, withTx } from "../../db/db";
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
});
