/**
 * `npm run deploy:migrate`: the migration step of a deploy (docs/deploy.md, ADR 031). Applies
 * db/migrations to the production database before the new edge and rooms go out; idempotent
 * (drizzle records what ran), so every deploy runs it.
 *
 * Unlike `npm run db:migrate`, it never falls back to the embedded PGlite: with no connection string
 * it stops and says which variable to set. It prefers MIGRATE_DATABASE_URL, Neon's DIRECT connection
 * string (migrations are DDL in transactions: run them past the pooler), then DATABASE_URL.
 * `-- --catalog` then adds the catalog (item types and their markets; no players, never the demo
 * accounts of db:seed), idempotently.
 * Exit 0 when the database has every migration; 1 on failure; 2 when not configured.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rows } from "../db/db";
import { migrate, migrationsFolder } from "../db/migrate";
import { openPostgres } from "../db/open";
import { seedCatalog } from "../db/seed";
import { sql } from "drizzle-orm";

export const migrationCount = () =>
  (JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

/** The database's host and name only: never print the password. */
export const describeUrl = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
};

export async function deployMigrate(url: string, say: (line: string) => void = console.log, options: { catalog?: boolean } = {}): Promise<{ applied: number; total: number; itemTypes?: number }> {
  const opened = await openPostgres(url, 1);
  try {
    const applied = async () => {
      const [table] = await rows<{ t: string | null }>(opened.db, sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`);
      if (!table?.t) return 0;
      const [row] = await rows<{ n: string }>(opened.db, sql`select count(*)::text as n from drizzle.__drizzle_migrations`);
      return Number(row?.n ?? 0);
    };
    const before = await applied();
    await migrate(opened);
    const after = await applied();
    const total = migrationCount();
    if (after < total) throw new Error(`the database records ${after} migrations, the code has ${total}`);
    say(`deploy:migrate: ${describeUrl(url)}: applied ${after - before} migration(s); ${after} of ${total} in place`);
    if (!options.catalog) return { applied: after - before, total };
    const itemTypes = await seedCatalog(opened.db);
    say(`deploy:migrate: catalog: ${itemTypes} item type(s) created`);
    return { applied: after - before, total, itemTypes };
  } finally {
    await opened.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.env.MIGRATE_DATABASE_URL || process.env.DATABASE_URL;
  if (!url) {
    console.error("deploy:migrate: MIGRATE_DATABASE_URL is missing (Neon's direct connection string; or DATABASE_URL). Nothing was changed: it never migrates the embedded PGlite.");
    process.exit(2);
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    console.error(`deploy:migrate: ${process.env.MIGRATE_DATABASE_URL ? "MIGRATE_DATABASE_URL" : "DATABASE_URL"} must be a postgres:// URL`);
    process.exit(2);
  }
  try {
    await deployMigrate(url, console.log, { catalog: process.argv.includes("--catalog") });
  } catch (error) {
    console.error(`deploy:migrate failed on ${describeUrl(url)}: ${(error as Error).message}`);
    process.exit(1);
  }
}
