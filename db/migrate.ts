/** Applies db/migrations (idempotent: drizzle records what ran). `npm run db:migrate`. */
import { fileURLToPath } from "node:url";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { Opened } from "./open";
import { openDefault } from "./open";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

export async function migrate(opened: Opened): Promise<void> {
  // Both migrators read the same folder; the driver decides which one applies.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = opened.db as any;
  if (opened.label.startsWith("pglite:")) await migratePglite(db, { migrationsFolder });
  else await migratePg(db, { migrationsFolder });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opened = await openDefault();
  await migrate(opened);
  console.log(`migrated ${opened.label}`);
  await opened.close();
}
