/**
 * A fresh, migrated, isolated database for one test file, on the server named by TEST_DB:
 *   TEST_DB=pglite   (default) an in-memory PGlite cloned from a migrated template
 *   TEST_DB=postgres a new database on TEST_DATABASE_URL's server (default 127.0.0.1:5432/test),
 *                    dropped afterwards. Unreachable server = the test fails, never skips.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { migrate } from "../../db/migrate";
import { openPglite, openPostgres, type Opened } from "../../db/open";

export type TestDbTarget = "pglite" | "postgres";
export const testDbTarget = (): TestDbTarget => (process.env.TEST_DB === "postgres" ? "postgres" : "pglite");
export const adminUrl = () => process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDb extends Opened {
  target: TestDbTarget;
  /** Connection string (postgres target only) for code that opens its own connections. */
  url?: string;
}

let template: Promise<PGlite> | undefined;

async function pgliteTemplate(): Promise<PGlite> {
  template ??= (async () => {
    const opened = await openPglite();
    await migrate(opened);
    return opened.pglite;
  })();
  return template;
}

export async function openTestDb(options: { poolSize?: number } = {}): Promise<TestDb> {
  if (testDbTarget() === "pglite") {
    const clone = await (await pgliteTemplate()).clone();
    return { ...(await openPglite(undefined, clone as PGlite)), target: "pglite" };
  }
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect().catch((error: Error) => {
    throw new Error(`TEST_DB=postgres but ${adminUrl()} is unreachable (${error.message}). Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`);
  });
  const name = `bazaar_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const opened = await openPostgres(url.toString(), options.poolSize ?? 60);
  await migrate(opened);
  return {
    ...opened,
    target: "postgres",
    url: url.toString(),
    async close() {
      await opened.close();
      const a = new pg.Client({ connectionString: adminUrl() });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
