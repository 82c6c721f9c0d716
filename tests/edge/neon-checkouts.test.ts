/**
 * db/neon.ts guardCheckouts: a client whose connection died is given back to the pool (marked
 * broken) by the failing query itself, so drizzle's transaction(), which sends BEGIN outside its
 * try/finally, cannot leak a pool slot; and release() is safe to call twice.
 */
import { describe, expect, it } from "vitest";
import { guardCheckouts, type StatementWatch } from "../../db/neon";

function fakePool(failWith: { queryable: boolean }) {
  const releases: unknown[] = [];
  let doubleRelease = false;
  const pool = {
    connect: (() => {
      let released = false;
      const client = {
        _queryable: true,
        query: () => {
          client._queryable = failWith.queryable;
          return Promise.reject(new Error(failWith.queryable ? "syntax error" : "Connection terminated unexpectedly"));
        },
        release: (error?: unknown) => {
          if (released) doubleRelease = true;
          released = true;
          releases.push(error);
        },
      };
      return Promise.resolve(client);
    }) as never,
  };
  guardCheckouts(pool);
  return { pool: pool as unknown as { connect(): Promise<{ query(s: string): Promise<unknown>; release(e?: unknown): void }> }, releases, doubled: () => doubleRelease };
}

describe("guardCheckouts", () => {
  it("a query that fails because the connection is gone releases the client with the error, once", async () => {
    const { pool, releases, doubled } = fakePool({ queryable: false });
    const client = await pool.connect();
    await expect(client.query("begin")).rejects.toThrow(/terminated/);
    await new Promise((r) => setTimeout(r, 0));
    expect(releases).toHaveLength(1);
    expect(String(releases[0])).toMatch(/terminated/);
    client.release(); // drizzle's finally, when it gets there
    expect(releases).toHaveLength(1);
    expect(doubled()).toBe(false);
  });

  it("a SQL error leaves the client checked out (the connection is fine) for the caller's rollback", async () => {
    const { pool, releases } = fakePool({ queryable: true });
    const client = await pool.connect();
    await expect(client.query("selec")).rejects.toThrow(/syntax/);
    await new Promise((r) => setTimeout(r, 0));
    expect(releases).toHaveLength(0);
    client.release();
    expect(releases).toEqual([undefined]);
  });
});

describe("statement watch (SQL spans, ADR 040)", () => {
  it("hears each statement of a checked-out client with its text, times and error, only while set", async () => {
    const heard: Array<{ text: string; ok: boolean; start: number; end: number }> = [];
    const watch: StatementWatch = {};
    const pool = {
      connect: (() =>
        Promise.resolve({
          query: (q: string | { text: string }) => (String(typeof q === "string" ? q : q.text).startsWith("bad") ? Promise.reject(new Error("syntax error")) : Promise.resolve({ rows: [] })),
          release: () => undefined,
        })) as never,
    };
    guardCheckouts(pool, watch);
    const client = await (pool as unknown as { connect(): Promise<{ query(q: unknown): Promise<unknown> }> }).connect();
    await client.query("select 1"); // not watched yet
    watch.onStatement = (text, start, end, error) => heard.push({ text, ok: error === undefined, start, end });
    await client.query("begin");
    await client.query({ text: "select * from orders where id = $1", values: ["x"] });
    await client.query("bad statement").catch(() => undefined);
    watch.onStatement = undefined;
    await client.query("commit");
    await new Promise((r) => setTimeout(r, 0));
    expect(heard.map((h) => [h.text, h.ok])).toEqual([
      ["begin", true],
      ["select * from orders where id = $1", true],
      ["bad statement", false],
    ]);
    for (const h of heard) expect(h.end).toBeGreaterThanOrEqual(h.start);
  });
});

describe("a client checked out again and again (the pool reuses it)", () => {
  it("goes through one query wrapper, not one per checkout; a dead connection still releases the current checkout", async () => {
    let calls = 0;
    const releases: unknown[] = [];
    const client = {
      _queryable: true,
      release: (() => undefined) as (e?: unknown) => void,
      query: (text: string) => {
        calls++;
        if (text === "die") {
          client._queryable = false;
          return Promise.reject(new Error("Connection terminated unexpectedly"));
        }
        return Promise.resolve({ rows: [] });
      },
    };
    // Like pg-pool: the same client every time, with a fresh release per checkout.
    const pool = {
      connect: (() => {
        let once = false;
        client.release = (e?: unknown) => {
          if (once) throw new Error("released twice");
          once = true;
          releases.push(e);
        };
        return Promise.resolve(client);
      }) as never,
    };
    const heard: string[] = [];
    guardCheckouts(pool, { onStatement: (text) => heard.push(text) });
    const checkout = () => (pool as unknown as { connect(): Promise<{ query(q: string): Promise<unknown>; release(e?: unknown): void }> }).connect();
    for (let i = 0; i < 200; i++) {
      const c = await checkout();
      c.release();
    }
    const c = await checkout();
    await c.query("select 1");
    expect(calls).toBe(1);
    // One wrapper: the statement is heard once (with a wrapper per checkout it was heard 201 times).
    expect(heard).toEqual(["select 1"]);
    await expect(c.query("die")).rejects.toThrow(/terminated/);
    await new Promise((r) => setTimeout(r, 0));
    expect(releases).toHaveLength(201);
    expect(String(releases[200])).toMatch(/terminated/);
    c.release(); // drizzle's finally: already given back, not twice
    expect(releases).toHaveLength(201);
  });
});
