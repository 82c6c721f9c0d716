/**
 * `npm run check:bundles`: builds every production artifact offline, loads each in workerd, and
 * checks it against the platform's limits (ADR 030). Exit 1 when a limit is crossed or a smoke fails.
 *
 *   edge   `wrangler deploy --dry-run --outdir .data/bundles/edge`: the exact script `wrangler deploy`
 *          uploads. Smoke: that file alone under `wrangler dev --no-bundle`, no variables: it must
 *          answer 503 naming the missing DATABASE_URL (the start check, ADR 031).
 *   rooms  `partykit dev --unstable_outdir .data/bundles/rooms`: partykit's own esbuild pipeline (the
 *          one `partykit deploy` runs: same entry, conditions, inject, node-compat plugin, unminified)
 *          plus the room facade its platform wraps the script in; measured without the inline source
 *          map (deploy uploads none). Smoke: a room of that build answers 503 naming the missing
 *          DATABASE_URL and ROOM_SECRET.
 *   envs   `wrangler deploy --dry-run --env <name>` for each [env.*] of wrangler.toml (staging,
 *          production): the deployed configurations build, without warnings.
 *   startup  CPU to parse and evaluate each script's global scope, in a fresh Node (the same V8),
 *          best of three: an estimate of Workers' startup limit (1 s).
 *
 * Offline: needs nothing but node_modules. Ports: BUNDLES_EDGE_PORT (19022), BUNDLES_PARTY_PORT
 * (19021), bound to 127.0.0.1 (partykit too: patches/partykit+0.0.115.patch). Plan: BUNDLES_PLAN=free|paid (paid: the
 * README's deploy needs the paid plan's CPU for scrypt). --no-build skips `npm run build` when
 * build/ is fresh anyway.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { judge, summaryLine, type Measured, type Plan } from "./bundles/limits";
import { repoRoot } from "./paths";
import { sleep, waitForHttp } from "./proc";
import { buildNeeded, inspectorPort, quietToolEnv } from "./stack";

const plan: Plan = process.env.BUNDLES_PLAN === "free" ? "free" : "paid";
const edgePort = Number(process.env.BUNDLES_EDGE_PORT ?? 19022);
const partyPort = Number(process.env.BUNDLES_PARTY_PORT ?? 19021);
const out = path.join(repoRoot, ".data", "bundles");
const bin = (name: string) => path.join(repoRoot, "node_modules", ".bin", name);
const tool = { ...process.env, ...quietToolEnv() };
for (const dir of [tool.XDG_CONFIG_HOME, tool.XDG_CACHE_HOME, tool.WRANGLER_LOG_PATH]) mkdirSync(dir!, { recursive: true });
const say = (line: string) => console.log(`[bundles] ${line}`);

function run(command: string, args: string[], timeoutMs: number): string {
  const r = spawnSync(command, args, { cwd: repoRoot, env: tool, encoding: "utf8", timeout: timeoutMs });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0) throw new Error(`${path.basename(command)} ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`}):\n${output.slice(-3000)}`);
  return output;
}

/** A server in its own process group, stopped by PID (the group: sh, node, workerd). */
function startServer(command: string, args: string[], log: string): { child: ChildProcess; stop: () => Promise<void>; exited: () => string | undefined } {
  const child = spawn(command, args, { cwd: repoRoot, env: tool, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  let exit: string | undefined;
  child.on("exit", (code, signal) => (exit = `${path.basename(command)} exited (${code ?? signal}) before answering:\n${output.slice(-2000)}`));
  const stop = async () => {
    writeFileSync(log, output);
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        return;
      }
      for (let i = 0; i < 30 && exit === undefined; i++) await sleep(100);
      if (exit !== undefined) return;
    }
  };
  return { child, stop, exited: () => exit };
}

async function smoke(url: string, server: ReturnType<typeof startServer>, expectText: string[], also?: { url: string; status: number; text: string }): Promise<{ ok: boolean; detail: string }> {
  try {
    await waitForHttp(url, 60_000, server.exited);
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    const body = await res.text();
    let ok = res.status === 503 && expectText.every((t) => body.includes(t));
    let detail = `GET ${new URL(url).pathname} -> ${res.status} ${body.trim().slice(0, 200)}`;
    if (also) {
      const more = await fetch(also.url, { signal: AbortSignal.timeout(15_000) });
      const text = await more.text();
      ok &&= more.status === also.status && text.includes(also.text);
      detail += `; GET ${new URL(also.url).pathname} -> ${more.status} ${text.trim().slice(0, 200)}`;
    }
    return { ok, detail };
  } catch (error) {
    return { ok: false, detail: (error as Error).message.slice(0, 500) };
  } finally {
    await server.stop();
  }
}

/** CPU ms to import the module in a fresh Node, best of `runs` (the bundle replaces globalThis.process: read the clock first). */
function startupMs(file: string, runs = 3): number {
  // Workers globals the room facade touches at load that Node 20 lacks (WebSocket's READY_STATE_*).
  const shim = `globalThis.WebSocket ??= class WebSocket { static READY_STATE_CONNECTING = 0; static READY_STATE_OPEN = 1; static READY_STATE_CLOSING = 2; static READY_STATE_CLOSED = 3; serializeAttachment() {} deserializeAttachment() {} };`;
  const probe = `import { writeSync } from "node:fs"; ${shim} const cpu = process.cpuUsage.bind(process); const c0 = cpu();
await import(${JSON.stringify(`file://${file}`)}); const c = cpu(c0); writeSync(1, "startup_us=" + (c.user + c.system) + "\\n"); process.exit(0);`;
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: out, encoding: "utf8", timeout: 30_000 });
    const m = /startup_us=(\d+)/.exec(r.stdout ?? "");
    if (!m) throw new Error(`could not evaluate ${file} in Node: ${(r.stderr ?? "").slice(-1500)}`);
    best = Math.min(best, Number(m[1]) / 1000);
  }
  return best;
}

const sizes = (code: string | Buffer) => ({ rawBytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).length });

async function edge(): Promise<Measured> {
  const dir = path.join(out, "edge");
  rmSync(dir, { recursive: true, force: true });
  say("edge: wrangler deploy --dry-run");
  const log = run(bin("wrangler"), ["deploy", "--dry-run", "--outdir", dir], 180_000);
  const upload = /Total Upload: .*/.exec(log)?.[0];
  if (upload) say(`edge: wrangler says ${upload}`);
  const file = path.join(dir, "worker.js");
  const code = readFileSync(file);
  // Smoke: the uploaded script alone in workerd, with no variables at all.
  const smokeDir = path.join(out, "edge-smoke");
  mkdirSync(smokeDir, { recursive: true });
  writeFileSync(
    path.join(smokeDir, "wrangler.toml"),
    `name = "bazaar-bundle-smoke"\nmain = "../edge/worker.js"\nno_bundle = true\ncompatibility_date = "2025-09-01"\ncompatibility_flags = ["nodejs_compat"]\n`,
  );
  say(`edge: smoke in workerd on 127.0.0.1:${edgePort}`);
  const server = startServer(bin("wrangler"), ["dev", "-c", path.join(smokeDir, "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(edgePort), "--inspector-port", String(inspectorPort(edgePort)), "--show-interactive-dev-session=false"], path.join(out, "edge-smoke.log"));
  const result = await smoke(`http://127.0.0.1:${edgePort}/api/v1/healthz`, server, ["DATABASE_URL: missing", "SESSION_SECRET: missing"]);
  return { name: "edge", file: path.relative(repoRoot, file), ...sizes(code), startupMs: startupMs(file), smoke: result };
}

async function rooms(): Promise<Measured> {
  const dir = path.join(out, "rooms");
  rmSync(dir, { recursive: true, force: true });
  say(`rooms: partykit's build, smoke in workerd on port ${partyPort}`);
  const server = startServer(bin("partykit"), ["dev", "--port", String(partyPort), "--no-hotkeys", "--disable-request-cf-fetch", "--unstable_outdir", path.relative(repoRoot, dir)], path.join(out, "rooms-smoke.log"));
  // The market room refuses without its variables; a relay room (ADR 045) needs none and answers.
  const result = await smoke(`http://127.0.0.1:${partyPort}/parties/main/bundle-smoke`, server, ["DATABASE_URL: missing", "ROOM_SECRET: missing"], {
    url: `http://127.0.0.1:${partyPort}/parties/relay/bundle-smoke.0`, status: 200, text: '"market":"bundle-smoke"',
  });
  const built = path.join(dir, "market.js");
  if (!existsSync(built)) throw new Error(`partykit wrote no ${path.relative(repoRoot, built)}: ${result.detail}`);
  const code = readFileSync(built, "utf8").replace(/\n\/\/# sourceMappingURL=data:[^\n]*\n?$/, "\n");
  const file = path.join(dir, "market.deploy.js");
  writeFileSync(file, code);
  // For Node: partykit's module names for the node builtins and its (empty here) assets manifest.
  const forNode = path.join(dir, "market.node.mjs");
  writeFileSync(path.join(dir, "assets-manifest.mjs"), "export default {};\n");
  writeFileSync(forNode, code.replace(/"partykit-exposed-node-([a-z_]+)"/g, '"node:$1"').replace(/"__STATIC_ASSETS_MANIFEST__"/g, '"./assets-manifest.mjs"'));
  return { name: "rooms", file: path.relative(repoRoot, file), ...sizes(code), startupMs: startupMs(forNode), smoke: result };
}

const started = Date.now();
if (!process.argv.includes("--no-build") || buildNeeded()) {
  say(`npm run build (${buildNeeded() ?? "always, unless --no-build"})`);
  run("npm", ["run", "build"], 300_000);
}
const measured = [await edge(), await rooms()];
// The deployed environments' configuration (wrangler.toml [env.*]) must build too: a typo there fails here, not at deploy.
for (const name of [...readFileSync(path.join(repoRoot, "wrangler.toml"), "utf8").matchAll(/^\[env\.([a-z0-9_-]+)\]$/gm)].map((m) => m[1]!)) {
  const log = run(bin("wrangler"), ["deploy", "--dry-run", "--env", name, "--outdir", path.join(out, `env-${name}`)], 180_000);
  if (/\bWARNING\b|\[WARNING\]/i.test(log)) throw new Error(`wrangler.toml [env.${name}] builds with warnings:\n${log.slice(-2000)}`);
  say(`env ${name}: wrangler deploy --dry-run --env ${name} ok (${/Total Upload: .*/.exec(log)?.[0] ?? "built"})`);
}
const verdict = judge(measured, plan);
for (const line of verdict.lines) say(line);
for (const failure of verdict.failures) say(`FAIL ${failure}`);
say(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(summaryLine(measured, plan, verdict.failures));
process.exit(verdict.failures.length === 0 ? 0 : 1);
