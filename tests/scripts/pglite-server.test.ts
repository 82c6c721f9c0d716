/** scripts/pglite-server.ts: a pg client connects over TCP, migrates, queries; data persists. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { migrationsFolder } from "../../db/migrate";
import { startPgliteServer } from "../../scripts/pglite-server";

const dir = mkdtempSync(path.join(tmpdir(), "bazaar-pglite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pglite-server", () => {
  it("serves a directory over the wire protocol: connect, migrate, query, persist", { timeout: 60_000 }, async () => {
    const dataDir = path.join(dir, "db");
    let server = await startPgliteServer({ dataDir, port: 0, maxConnections: 8 });
    try {
      const pool = new pg.Pool({ connectionString: server.url, max: 3 });
      try {
        await migrate(drizzle(pool), { migrationsFolder });
        const { rows } = await pool.query("select version() as v");
        expect(rows[0].v).toMatch(/PGlite/);
        const tables = await pool.query("select count(*)::int as n from information_schema.tables where table_schema = 'public'");
        expect(tables.rows[0].n).toBeGreaterThan(0);
        // More than one connection at a time (they share one backend, one statement at a time).
        const many = await Promise.all([1, 2, 3].map((i) => pool.query("select $1::int as i", [i])));
        expect(many.map((r) => r.rows[0].i)).toEqual([1, 2, 3]);
        await pool.query("create table t_persist (v text)");
        await pool.query("insert into t_persist values ('kept')");
      } finally {
        await pool.end();
      }
    } finally {
      await server.close();
    }
    // Reopen the directory: the data is there.
    server = await startPgliteServer({ dataDir, port: 0 });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      expect((await client.query("select v from t_persist")).rows).toEqual([{ v: "kept" }]);
      await client.end();
    } finally {
      await server.close();
    }
  });

  it("refuses to open a directory another live process holds", { timeout: 60_000 }, async () => {
    const dataDir = path.join(dir, "locked");
    const { writeFileSync, mkdirSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dataDir}.lock`, String(process.ppid)); // a live process that is not us
    await expect(startPgliteServer({ dataDir, port: 0 })).rejects.toThrow(/already open in process/);
    rmSync(`${dataDir}.lock`);
  });

  it("runs prepare before listening", { timeout: 60_000 }, async () => {
    const order: string[] = [];
    const server = await startPgliteServer({
      port: 0,
      prepare: async (opened) => {
        order.push(`prepare ${opened.label}`);
      },
    });
    order.push("listening");
    await server.close();
    await server.close(); // idempotent
    expect(order).toEqual(["prepare pglite:memory", "listening"]);
  });
});
