/**
 * Operators' command line for game servers (issue 17; no operator UI yet):
 *   npm run server:create -- --name raid-server --scopes mint:currency,mint:items,burn --mint-currency-per-hour 10000000 --mint-items-per-hour 50000
 *   npm run server:key -- --name raid-server            a second live key (rotation), secret shown once
 *   npm run server:revoke -- --name raid-server --key gsk_...
 *   npm run server:update -- --name raid-server [--scopes ...] [--mint-currency-per-hour N] [--mint-items-per-hour N] [--disable | --enable]
 *   npm run server:list
 * The database is DATABASE_URL's, else the embedded PGlite in .data/pglite (stop `npm start` first,
 * or point DATABASE_URL at its PGlite port: postgres://postgres@127.0.0.1:5433/postgres). Secrets are
 * sealed with SERVER_KEY_SECRET, else SESSION_SECRET, else the development secret in .data/secrets.json:
 * the same one the worker uses, or the worker cannot open them.
 */
import { parseArgs } from "node:util";
import { devSecrets } from "../scripts/stack";
import { addKey, createServer, listServers, revokeKey, SCOPES, isScope, updateServer, type MintLimits } from "./game-servers";
import { migrate } from "./migrate";
import { openDefault } from "./open";

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: {
    name: { type: "string" },
    scopes: { type: "string" },
    key: { type: "string" },
    "mint-currency-per-hour": { type: "string" },
    "mint-items-per-hour": { type: "string" },
    disable: { type: "boolean" },
    enable: { type: "boolean" },
  },
});

function die(message: string): never {
  console.error(`\n  ${message}\n`);
  process.exit(2);
}

const master = process.env.SERVER_KEY_SECRET || process.env.SESSION_SECRET || devSecrets().SESSION_SECRET;
const operator = `operator:cli:${process.env.USER ?? "unknown"}`;
const whole = (flag: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,15}$/.test(v)) die(`--${flag} must be a whole number`);
  return Number(v);
};

const opened = await openDefault();
try {
  await migrate(opened);
  switch (command) {
    case "create": {
      if (!values.name) die("--name is required (2-40 lowercase letters, digits or -)");
      const scopes = (values.scopes ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      const bad = scopes.find((s) => !isScope(s));
      if (scopes.length === 0 || bad) die(`--scopes must be a comma-separated list of: ${SCOPES.join(", ")}${bad ? ` (not ${bad})` : ""}`);
      const mintLimits: MintLimits = {};
      const c = whole("mint-currency-per-hour", values["mint-currency-per-hour"]);
      const i = whole("mint-items-per-hour", values["mint-items-per-hour"]);
      if (c !== undefined) mintLimits.currency = c;
      if (i !== undefined) mintLimits.items = i;
      const made = await createServer(opened.db, master, { name: values.name, scopes: scopes.filter(isScope), mintLimits, createdBy: operator });
      if (!made.ok) die(made.message);
      console.log(`game server ${made.server.name} created on ${opened.label}`);
      console.log(`  scopes:      ${made.server.scopes.join(", ")}`);
      console.log(`  mint limits: ${made.server.mintLimits.currency ?? 0} copper/hour, ${made.server.mintLimits.items ?? 0} items/hour`);
      console.log(`  key id:      ${made.keyId}`);
      console.log(`  secret:      ${made.secret}`);
      console.log("  The secret is shown once: store it in the game server's secret store now.");
      break;
    }
    case "update": {
      if (!values.name) die("--name is required");
      const scopes = values.scopes?.split(",").map((s) => s.trim()).filter(Boolean);
      const bad = scopes?.find((s) => !isScope(s));
      if (bad) die(`--scopes must be a comma-separated list of: ${SCOPES.join(", ")} (not ${bad})`);
      const current = (await listServers(opened.db)).find((s) => s.name === values.name);
      if (!current) die(`no game server named ${values.name}`);
      const c = whole("mint-currency-per-hour", values["mint-currency-per-hour"]);
      const i = whole("mint-items-per-hour", values["mint-items-per-hour"]);
      const mintLimits = c === undefined && i === undefined ? undefined : { ...current.mintLimits, ...(c !== undefined ? { currency: c } : {}), ...(i !== undefined ? { items: i } : {}) };
      const status = values.disable ? "disabled" : values.enable ? "active" : undefined;
      const done = await updateServer(opened.db, values.name, { scopes: scopes?.filter(isScope), mintLimits, status }, operator);
      if (!done.ok) die(done.message);
      const s = done.server;
      console.log(`${s.name} (${s.status}) scopes ${s.scopes.join(",")}; limits ${s.mintLimits.currency ?? 0} copper/h, ${s.mintLimits.items ?? 0} items/h`);
      break;
    }
    case "key": {
      if (!values.name) die("--name is required");
      const added = await addKey(opened.db, master, values.name, operator);
      if (!added.ok) die(added.message);
      console.log(`new key for ${values.name}: ${added.keyId}\n  secret: ${added.secret}\n  Both keys work until you revoke the old one (npm run server:revoke).`);
      break;
    }
    case "revoke": {
      if (!values.name || !values.key) die("--name and --key are required");
      const revoked = await revokeKey(opened.db, values.name, values.key, operator);
      if (!revoked.ok) die(revoked.message);
      console.log(`key ${values.key} of ${values.name} revoked`);
      break;
    }
    case "list": {
      const servers = await listServers(opened.db);
      if (servers.length === 0) console.log("no game servers yet (npm run server:create)");
      for (const s of servers) {
        console.log(`${s.name} (${s.status}) scopes ${s.scopes.join(",")}; limits ${s.mintLimits.currency ?? 0} copper/h, ${s.mintLimits.items ?? 0} items/h`);
        for (const k of s.keys) console.log(`  ${k.keyId} created ${k.createdAt}, last used ${k.lastUsedAt ?? "never"}`);
      }
      break;
    }
    default:
      die("usage: tsx db/game-servers-cli.ts create|update|key|revoke|list [--name ...] [--scopes ...] [--key ...]");
  }
} finally {
  await opened.close();
}
