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
import { WireClient } from "../support/pg-wire";

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

  it("never interleaves clients: parameterized statements and transactions from 8 connections at once", { timeout: 60_000 }, async () => {
    const server = await startPgliteServer({ port: 0, maxConnections: 16 });
    const clients = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const c = new pg.Client({ connectionString: server.url });
        await c.connect();
        return c;
      }),
    );
    try {
      await clients[0]!.query("create table t_counter (id int primary key, n int not null)");
      await clients[0]!.query("insert into t_counter values (1, 0)");
      const work = clients.map(async (c, k) => {
        for (let i = 0; i < 40; i++) {
          // Different parameter counts per client: interleaved Parse/Bind of two clients fail loudly.
          if (k % 2 === 0) expect((await c.query("select $1::int + $2::int + $3::int as s", [k, i, 1])).rows[0].s).toBe(k + i + 1);
          else expect((await c.query("select $1::text as t", [`c${k}-${i}`])).rows[0].t).toBe(`c${k}-${i}`);
          if (i % 10 === 0) {
            await c.query("begin");
            const { rows } = await c.query("select n from t_counter where id = $1", [1]);
            await c.query("update t_counter set n = $1 where id = $2", [rows[0].n + 1, 1]);
            await c.query("commit");
          }
        }
      });
      await Promise.all(work);
      // 8 clients x 4 read-modify-write transactions, none lost: transactions did not interleave either.
      expect((await clients[0]!.query("select n from t_counter")).rows[0].n).toBe(32);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await server.close();
    }
  });

  it("never interleaves clients whose messages arrive one write at a time (as the Neon driver sends them)", { timeout: 60_000 }, async () => {
    const server = await startPgliteServer({ port: 0, maxConnections: 8 });
    const clients = await Promise.all([0, 1, 2, 3].map(() => WireClient.connect(server.port)));
    try {
      const results = await Promise.all(
        clients.map(async (c, k) => {
          const out: string[] = [];
          for (let i = 0; i < 15; i++) {
            const r = k % 2 === 0 ? await c.query("select ($1::int + $2::int)::text", [String(k), String(i)]) : await c.query("select $1::text", [`c${k}-${i}`]);
            out.push(...r.errors.map((e) => `error: ${e}`), ...r.rows);
          }
          return out;
        }),
      );
      results.forEach((out, k) => expect(out).toEqual(Array.from({ length: 15 }, (_, i) => (k % 2 === 0 ? String(k + i) : `c${k}-${i}`))));
    } finally {
      for (const c of clients) c.close();
      await server.close();
    }
  });

  it("hangs up on a client after its Terminate, as Postgres does", { timeout: 60_000 }, async () => {
    const server = await startPgliteServer({ port: 0 });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      expect(server.connections()).toBe(1);
      await client.end();
      const deadline = Date.now() + 5_000;
      while (server.connections() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(server.connections()).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("a client that vanishes mid-transaction is rolled back and does not block the others", { timeout: 60_000 }, async () => {
    const server = await startPgliteServer({ port: 0, maxConnections: 4 });
    try {
      const a = new pg.Client({ connectionString: server.url });
      await a.connect();
      const b = new pg.Client({ connectionString: server.url });
      await b.connect();
      a.on("error", () => undefined);
      await a.query("create table t_gone (v text)");
      await a.query("begin");
      await a.query("insert into t_gone values ('never committed')");
      // b waits: a holds the backend in its transaction.
      const waiting = b.query("select count(*)::int as n from t_gone");
      // a's socket dies without COMMIT or Terminate.
      (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      expect((await waiting).rows[0].n).toBe(0);
      await b.end();
    } finally {
      await server.close();
    }
  });

  it("bounds connections with a proper error and closes idle ones", { timeout: 60_000 }, async () => {
    const server = await startPgliteServer({ port: 0, maxConnections: 2, idleTimeoutMs: 500 });
    try {
      const held = [new pg.Client({ connectionString: server.url }), new pg.Client({ connectionString: server.url })];
      for (const c of held) {
        c.on("error", () => undefined);
        await c.connect();
      }
      expect(server.connections()).toBe(2);
      const third = new pg.Client({ connectionString: server.url });
      await expect(third.connect()).rejects.toThrow(/too many clients/);
      // Idle connections are closed after idleTimeoutMs; a new one then gets in.
      await new Promise((r) => setTimeout(r, 1_200));
      expect(server.connections()).toBe(0);
      const fresh = new pg.Client({ connectionString: server.url });
      await fresh.connect();
      expect((await fresh.query("select 1 as one")).rows[0].one).toBe(1);
      await fresh.end();
    } finally {
      await server.close();
    }
  });
});
