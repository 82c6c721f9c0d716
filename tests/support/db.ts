/**
 * A fresh, migrated, isolated database for one test file, on the server named by TEST_DB:
 *   TEST_DB=pglite   (default) an in-memory PGlite loaded from a migrated template (a data directory
 *                    kept in .data/test-templates/, one per set of migrations)
 *   TEST_DB=postgres a new database on TEST_DATABASE_URL's server (default 127.0.0.1:5432/test),
 *                    dropped afterwards. Unreachable server = the test fails, never skips.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { migrate, migrationsFolder } from "../../db/migrate";
import { openPglite, openPostgres, type Opened } from "../../db/open";
import { repoRoot } from "../../scripts/paths";

const templateDir = path.join(repoRoot, ".data", "test-templates");
const versionOf = (pkg: string) => (JSON.parse(readFileSync(path.join(repoRoot, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
const PGLITE_VERSION = versionOf("@electric-sql/pglite");
const DRIZZLE_VERSION = versionOf("drizzle-orm");

export type TestDbTarget = "pglite" | "postgres";
export const testDbTarget = (): TestDbTarget => (process.env.TEST_DB === "postgres" ? "postgres" : "pglite");
export const adminUrl = () => process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDb extends Opened {
  target: TestDbTarget;
  /** Connection string (postgres target only) for code that opens its own connections. */
  url?: string;
}

let template: Promise<Blob> | undefined;

/**
 * The migrated database as a PGlite data directory (tar), made once per set of migrations and
 * PGlite version and kept in .data/test-templates/: every test file (its own process) loads it
 * instead of creating a database, migrating it and cloning it (two instances) each time.
 */
async function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const hash = createHash("sha256").update(`pglite ${PGLITE_VERSION} drizzle-orm ${DRIZZLE_VERSION}\n`);
    for (const file of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
      const full = path.join(migrationsFolder, file);
      if (statSync(full).isFile()) hash.update(`${file}\n`).update(readFileSync(full));
    }
    const file = path.join(templateDir, `pglite-${hash.digest("hex").slice(0, 16)}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const opened = await openPglite();
    await migrate(opened);
    const dump = await opened.pglite.dumpDataDir("none");
    await opened.close();
    // Another test process may write the same template at once: write aside, then rename (atomic).
    mkdirSync(templateDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
    return dump;
  })();
  return template;
}

export async function openTestDb(options: { poolSize?: number } = {}): Promise<TestDb> {
  if (testDbTarget() === "pglite") {
    const pglite = await PGlite.create({ loadDataDir: await pgliteTemplate() });
    return { ...(await openPglite(undefined, pglite)), target: "pglite" };
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
