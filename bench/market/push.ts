/**
 * bench:market's BENCH_PUSH=1 (issue 16): commit-to-push delay under market load. Every bench
 * player gets one push subscription on a local push service (tests/support/push-service.ts: it
 * verifies each request's VAPID JWT and decrypts its aes128gcm body, as a browser vendor's service
 * and the device would); the room's nudge (PUSH_DRAIN_URL, party/push-nudge.ts) reaches a drain
 * served in this process (edge/push/sender.server.ts drainPush on a node-postgres pool, the same
 * code the Worker's /__push/drain runs, in Node instead of workerd).
 *
 * Delay = the push service's receipt of a message minus its alert's created_at (the payload's ts:
 * the batch's clock, taken when the batch started, so the batch's own plan, write and COMMIT are in
 * it). Both clocks are this host's. Per step: the alerts created during the step; after the step
 * the bench drains what is left (as the cron trigger would; no batch, no nudge) for at most
 * BENCH_PUSH_TAIL_SECONDS (default 60), and says how many were still owed.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { rows } from "../../db/db";
import { openPostgres, type Opened } from "../../db/open";
import { upsertSubscription } from "../../db/push";
import { drainPush, type DrainReport, type SenderOptions } from "../../edge/push/sender.server";
import { checkToken } from "../../party/tokens";
import { generateVapidKeys } from "../../scripts/vapid";
import { startPushService, type PushService } from "../../tests/support/push-service";

export interface PushStep {
  /** Alerts created in the step that were owed a push (push_state not 'none'). */
  owed: number;
  /** Of those, received by the push service (2xx, checked and decrypted). */
  pushed: number;
  /** Still owed when the tail ran out. */
  left: number;
  /** Room-nudged drains during the step, and drains the bench ran after it. */
  nudged: number;
  tail: number;
  tailSeconds: number;
  p50: number;
  p99: number;
  max: number;
  /** Requests the push service refused (VAPID or decryption failed): must be 0. */
  refused: number;
}

export interface PushBench {
  drainUrl: string;
  stepStart(): void;
  stepEnd(): Promise<PushStep>;
  close(): Promise<void>;
}

const q = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! : Number.NaN);

export async function startPushBench(opts: { databaseUrl: string; players: string[]; roomSecret: string; drainPort?: number; servicePort?: number }): Promise<PushBench> {
  const tailMs = Number(process.env.BENCH_PUSH_TAIL_SECONDS ?? 60) * 1_000;
  const service: PushService = await startPushService(opts.servicePort ?? 0);
  const pool: Opened = await openPostgres(opts.databaseUrl, 4);
  for (const playerId of opts.players) {
    const device = service.device();
    await upsertSubscription(pool.db, { playerId, endpoint: device.endpoint, p256dh: device.keys.p256dh, auth: device.keys.auth, userAgent: "bench" }, 10);
  }
  const keys = generateVapidKeys();
  const options: SenderOptions = { vapid: { publicKey: keys.VAPID_PUBLIC_KEY, privateKey: keys.VAPID_PRIVATE_KEY, subject: "mailto:bench@bazaar.invalid" }, allowLoopback: true };
  let nudged = 0;
  const drains: DrainReport[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (req.method !== "POST" || !(await checkToken(opts.roomSecret, "service", bearer))) {
        res.writeHead(401).end();
        return;
      }
      nudged++;
      try {
        drains.push(await drainPush(pool.db, options));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(drains.at(-1)));
      } catch (error) {
        res.writeHead(500).end(String(error));
      }
    })();
    req.resume();
  });
  await new Promise<void>((ok) => server.listen(opts.drainPort ?? 0, "127.0.0.1", ok));
  const drainUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/__push/drain`;

  let t0 = 0;
  let from = 0;
  let nudgedAtStart = 0;
  const owedSince = async (start: number, end: number) => {
    const [r] = await rows<{ owed: number; left: number }>(pool.db, sql`
      select count(*)::int as owed, count(*) filter (where push_state = 'due')::int as left from alerts
      where created_at >= to_timestamp(${start / 1000}) and created_at <= to_timestamp(${end / 1000}) and push_state <> 'none'`);
    return r!;
  };
  return {
    drainUrl,
    stepStart() {
      t0 = Date.now();
      from = service.received.length;
      nudgedAtStart = nudged;
    },
    async stepEnd() {
      const t1 = Date.now();
      const nudgedInStep = nudged - nudgedAtStart;
      // No batches now, so no nudges: drain what the step left, as the cron trigger would.
      const tailStart = Date.now();
      let tail = 0;
      let counts = await owedSince(t0, t1);
      while (counts.left > 0 && Date.now() - tailStart < tailMs) {
        await drainPush(pool.db, options);
        tail++;
        counts = await owedSince(t0, t1);
      }
      const mine = service.received.slice(from).filter((r) => {
        const ts = (r.message as { ts?: number } | undefined)?.ts;
        return typeof ts === "number" && ts >= t0 && ts <= t1;
      });
      const ok = mine.filter((r) => r.status >= 200 && r.status < 300);
      const delays = ok.map((r) => r.at - (r.message as { ts: number }).ts);
      return {
        owed: counts.owed, pushed: ok.length, left: counts.left, nudged: nudgedInStep, tail, tailSeconds: (Date.now() - tailStart) / 1000,
        p50: q(delays, 0.5), p99: q(delays, 0.99), max: delays.length ? delays.reduce((a, b) => (b > a ? b : a)) : Number.NaN,
        refused: service.received.slice(from).filter((r) => r.error !== undefined).length,
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await service.close();
      await pool.close();
    },
  };
}

/** The per-step table. */
export function pushTable(steps: Array<{ offered: number; subscribers: number; push: PushStep }>): string {
  const head = ["offered/s", "subs", "alerts owed", "pushed", "left", "nudged drains", "tail drains", "tail s", "p50 ms", "p99 ms", "max ms", "refused"];
  const body = steps.map(({ offered, subscribers, push: p }) => [
    offered, subscribers, p.owed, p.pushed, p.left, p.nudged, p.tail, p.tailSeconds.toFixed(1),
    Number.isNaN(p.p50) ? "-" : p.p50.toFixed(0), Number.isNaN(p.p99) ? "-" : p.p99.toFixed(0), Number.isNaN(p.max) ? "-" : p.max.toFixed(0), p.refused,
  ].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padStart(w[i]!)).join(" | ")} |`;
  return [line(head), `|${w.map((x) => "-".repeat(x + 2)).join("|")}|`, ...body.map(line)].join("\n");
}
