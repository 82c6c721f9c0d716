/** The deploy's migration step on the real Postgres: a fresh database gets every migration, a second run none; no URL, no change. */
import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { deployMigrate, describeUrl, migrationCount } from "../../scripts/deploy-migrate";
import { repoRoot } from "../../scripts/paths";
import { adminUrl } from "../support/db";

const name = `bazaar_t_deploy_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
const url = (() => {
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  return u.toString();
})();

async function admin(query: string) {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

afterAll(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

describe("npm run deploy:migrate", () => {
  it("applies every migration to an empty database, then nothing the second time", async () => {
    await admin(`CREATE DATABASE ${name}`);
    const lines: string[] = [];
    expect(await deployMigrate(url, (l) => lines.push(l))).toEqual({ applied: migrationCount(), total: migrationCount() });
    expect(await deployMigrate(url, (l) => lines.push(l))).toEqual({ applied: 0, total: migrationCount() });
    expect(lines[1]).toBe(`deploy:migrate: ${describeUrl(url)}: applied 0 migration(s); ${migrationCount()} of ${migrationCount()} in place`);
    expect(lines.join(" ")).not.toContain("@");
    const withCatalog = await deployMigrate(url, (l) => lines.push(l), { catalog: true });
    expect(withCatalog.itemTypes).toBeGreaterThan(0);
    expect((await deployMigrate(url, () => {}, { catalog: true })).itemTypes).toBe(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query("select (select count(*) from markets)::int as markets, (select count(*) from players)::int as players");
    await client.end();
    expect(rows[0]).toMatchObject({ players: 0 });
    expect(rows[0].markets).toBeGreaterThan(0);
  }, 60_000);

  it("stops with a message naming the variable when no database is configured", () => {
    const env = { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/tmp" };
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/deploy-migrate.ts"], { cwd: repoRoot, env, encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("MIGRATE_DATABASE_URL is missing");
  }, 30_000);
});
