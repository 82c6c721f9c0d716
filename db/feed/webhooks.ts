/**
 * Webhook deliveries, driven by the event feed (read.ts): each webhook keeps its own feed cursor.
 * A deliverer claims due webhooks (a lease: next_attempt_at moves a minute ahead, committed, so no
 * transaction is held across the network and a deliverer that dies lets the lease expire), reads
 * the feed after the cursor, POSTs the page signed, and moves the cursor only after a 2xx. So every
 * event is delivered at least once; a response lost after the receiver took it means the page comes
 * again, and the receiver dedupes by event id.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { decodeCursor, encodeCursor, FEED_START } from "./cursor";
import { readFeed, type FeedEvent } from "./read";
import { signDelivery, webhookBackoff, webhookSecret } from "./signing";

export interface Webhook {
  id: string;
  owner: string;
  url: string;
  types: string[];
  cursor: string;
  attempts: number;
}

/** From now on (the feed's current end), or from the start of the log. */
export async function createWebhook(db: Db, input: { owner: string; url: string; types?: string[]; from?: "now" | "start" }, deploymentKey: string): Promise<{ webhook: Webhook; secret: string }> {
  let cursor = encodeCursor(FEED_START);
  if (input.from !== "start") {
    const [end] = await rows<{ tx: string | null; id: string | null }>(db, sql`
      select tx::text as tx, id::text as id from events where tx < pg_snapshot_xmin(pg_current_snapshot()) order by events.tx desc, events.id desc limit 1`);
    if (end?.tx) cursor = encodeCursor({ tx: end.tx, id: Number(end.id) });
  }
  const [webhook] = await rows<Webhook>(db, sql`
    insert into webhooks (owner, url, types, cursor) values (${input.owner}, ${input.url}, ${`{${(input.types ?? []).join(",")}}`}::text[], ${cursor})
    returning id::text as id, owner, url, types, cursor, attempts`);
  return { webhook: webhook!, secret: await webhookSecret(deploymentKey, webhook!.id) };
}

export interface DeliveryOptions {
  deploymentKey: string;
  fetch?: typeof fetch;
  /** Events per POST. */
  pageSize?: number;
  /** Pages per webhook per run (a full page is followed at once by the next). */
  maxPages?: number;
  timeoutMs?: number;
  /** Seconds until the next try after n failures (tests shorten it). */
  backoff?: (attempts: number) => number;
  nowSeconds?: () => number;
}

export interface DeliveryReport {
  webhooks: number;
  posted: number;
  events: number;
  failed: number;
}

/** One run: every due webhook gets its pending events (or a failure and a later try). */
export async function deliverWebhooks(db: Db, options: DeliveryOptions): Promise<DeliveryReport> {
  const claimed = await rows<Webhook>(db, sql`
    update webhooks w set next_attempt_at = now() + interval '60 seconds'
    where w.id in (select id from webhooks where disabled_at is null and next_attempt_at <= now() order by next_attempt_at limit 50 for update skip locked)
    returning w.id::text as id, w.owner, w.url, w.types, w.cursor, w.attempts`);
  const report: DeliveryReport = { webhooks: claimed.length, posted: 0, events: 0, failed: 0 };
  for (const hook of claimed) await deliverOne(db, hook, options, report);
  return report;
}

async function deliverOne(db: Db, hook: Webhook, options: DeliveryOptions, report: DeliveryReport): Promise<void> {
  const send = options.fetch ?? fetch;
  let cursor = hook.cursor;
  for (let page = 0; page < (options.maxPages ?? 10); page++) {
    const found = await readFeed(db, { after: decodeCursor(cursor), limit: options.pageSize ?? 100, types: hook.types });
    if (found.events.length > 0) {
      const error = await post(send, hook, found.events, found.cursor, options);
      report.posted++;
      if (error) {
        report.failed++;
        const wait = (options.backoff ?? webhookBackoff)(hook.attempts + 1);
        await db.execute(sql`
          update webhooks set attempts = attempts + 1, last_error = ${error.slice(0, 500)},
            next_attempt_at = now() + ${wait} * interval '1 second'
          where id = ${hook.id}::uuid and cursor = ${hook.cursor}`);
        return;
      }
      report.events += found.events.length;
    }
    await advance(db, hook, found.cursor, found.events.length);
    hook.cursor = cursor = found.cursor;
    if (!found.more) break;
  }
  // Due again at the next run.
  await db.execute(sql`update webhooks set next_attempt_at = now() where id = ${hook.id}::uuid and cursor = ${cursor}`);
}

/** The cursor moves only if nobody else moved it meanwhile (a lease that expired under a slow run). */
async function advance(db: Db, hook: Webhook, cursor: string, delivered: number): Promise<void> {
  if (cursor === hook.cursor && delivered === 0) return;
  await db.execute(sql`
    update webhooks set cursor = ${cursor}, attempts = 0, last_error = null, delivered = delivered + ${delivered},
      last_delivered_at = case when ${delivered} > 0 then now() else last_delivered_at end
    where id = ${hook.id}::uuid and cursor = ${hook.cursor}`);
}

/** undefined when the receiver answered 2xx; otherwise what went wrong. */
async function post(send: typeof fetch, hook: Webhook, events: FeedEvent[], cursor: string, options: DeliveryOptions): Promise<string | undefined> {
  const body = JSON.stringify({ webhookId: hook.id, deliveryId: crypto.randomUUID(), cursor, events });
  const timestamp = Math.floor(options.nowSeconds?.() ?? Date.now() / 1000);
  const signature = await signDelivery(await webhookSecret(options.deploymentKey, hook.id), timestamp, body);
  try {
    const response = await send(hook.url, {
      method: "POST",
      headers: { "content-type": "application/json", "bazaar-webhook-id": hook.id, "bazaar-timestamp": String(timestamp), "bazaar-signature": signature },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    await response.body?.cancel().catch(() => undefined);
    return response.ok ? undefined : `the receiver answered ${response.status}`;
  } catch (error) {
    return `no answer: ${String((error as Error)?.message ?? error)}`;
  }
}
