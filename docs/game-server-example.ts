/**
 * A small game server, end to end against Bazaar's game-server API (docs/game-servers.md):
 *   1. it listens for Bazaar's webhooks (signed POSTs of the event feed) and registers one;
 *   2. after a raid, it pays the party's loot with the typed, signing client, retrying safely with
 *      one Idempotency-Key, then reads a player's inventory;
 *   3. it pages the event feed from its saved cursor (safe against out-of-order commits) until it
 *      has seen the raid's grants, as a mirror of ownership would;
 *   4. it waits for the webhook delivery of the same grants, checks each delivery's signature and
 *      timestamp, drops events it has already seen (by eventId), then stops its webhook.
 *
 *   BAZAAR_URL=http://127.0.0.1:8787 BAZAAR_KEY_ID=gsk_... BAZAAR_SECRET=gss_... \
 *     npx tsx docs/game-server-example.ts <playerId> [<playerId> ...]
 *
 * Optional: BAZAAR_FEED_CURSOR (where the last run stopped; printed at the end), BAZAAR_WEBHOOK_PORT
 * (the receiver's port, default a free one; set 0 to skip the webhook part), BAZAAR_WEBHOOK_WAIT
 * (seconds to wait for the delivery, default 90: deliveries run on the cron trigger, every minute).
 *
 * Credentials: npm run server:create -- --name raid-server --scopes mint:currency,mint:items,players:read,events:read \
 *   --mint-currency-per-hour 10000000 --mint-items-per-hour 10000
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gameServerClient, newIdempotencyKey } from "../clients/game-server";

const bazaar = gameServerClient({
  baseUrl: process.env.BAZAAR_URL ?? "http://127.0.0.1:8787",
  keyId: process.env.BAZAAR_KEY_ID ?? "",
  secret: process.env.BAZAAR_SECRET ?? "",
});

const party = process.argv.slice(2);
if (party.length === 0) throw new Error("give the raid party's player ids as arguments");
const partyStreams = new Set(party.map((id) => `player:${id}`));
const RAID = `raid: the ember caverns (${new Date().toISOString()})`;
/** One of this raid's grants (the ledger keeps the payout's reason in each event's payload). */
const ofRaid = (e: FeedEvent) => partyStreams.has(e.stream) && e.payload.reason === RAID;

interface FeedEvent {
  eventId: string;
  stream: string;
  type: string;
  payload: Record<string, unknown>;
}

// ---- 1. The webhook receiver: verify, deduplicate, acknowledge fast. ----
const seen = new Set<string>();
const delivered: FeedEvent[] = [];
let webhookSecret = "";

/** Bazaar-Signature: v1=hex(HMAC-SHA256(secret, "<Bazaar-Timestamp>.<raw body>")); refuse stale timestamps. */
function verified(timestamp: string | undefined, signature: string | undefined, body: string): boolean {
  const t = Number(timestamp);
  if (!webhookSecret || !signature || !Number.isSafeInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = Buffer.from(`v1=${createHmac("sha256", webhookSecret).update(`${t}.${body}`).digest("hex")}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function receiver(): Server {
  return createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      if (!verified(req.headers["bazaar-timestamp"] as string | undefined, req.headers["bazaar-signature"] as string | undefined, body)) {
        res.writeHead(401).end("bad signature");
        return;
      }
      // Deliveries are at least once: the same event may come again after a timeout. The id decides.
      for (const e of (JSON.parse(body) as { events: FeedEvent[] }).events) {
        if (seen.has(`hook:${e.eventId}`)) continue;
        seen.add(`hook:${e.eventId}`);
        delivered.push(e);
      }
      res.writeHead(204).end(); // acknowledge at once; real work goes to the game's own queue
    });
  });
}

const webhookPort = process.env.BAZAAR_WEBHOOK_PORT;
let hook: { id: string; server: Server } | undefined;
if (webhookPort !== "0") {
  const server = receiver();
  await new Promise<void>((ok) => server.listen(Number(webhookPort ?? 0), "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bazaar-hook`; // https:// in production
  const made = await bazaar.POST("/api/v1/server/webhooks", {
    params: { header: { "Idempotency-Key": newIdempotencyKey("hook") } },
    body: { url, types: ["minted"], from: "now" },
  });
  if (!made.data) throw new Error(`webhook refused: ${made.response.status} ${made.error?.error.message}`);
  const secret = await bazaar.GET("/api/v1/server/webhooks/{id}/secret", { params: { path: { id: made.data.webhook.id } } });
  webhookSecret = secret.data?.secret ?? "";
  hook = { id: made.data.webhook.id, server };
  console.log(`webhook ${hook.id} listening at ${url}`);
}

// ---- 2. The raid's payout, exactly once. ----
// One key for this raid's payout: a retry (timeout, 5xx) is answered from Bazaar's store, never paid twice.
const payout = newIdempotencyKey(`raid-${Date.now()}`);
const grants = party.flatMap((playerId) => [
  { kind: "currency" as const, playerId, amount: 2_500 }, // 25 gold each
  { kind: "stack" as const, playerId, itemType: "dragon-scale", quantity: 1 },
]);

for (let attempt = 1; ; attempt++) {
  const { data, error, response } = await bazaar.POST("/api/v1/server/grants", {
    params: { header: { "Idempotency-Key": payout } },
    body: { reason: RAID, grants },
  });
  if (data) {
    console.log(`paid ${data.grants.length} lines${response.headers.get("Idempotent-Replayed") === "true" ? " (answer replayed from an earlier attempt)" : ""}`);
    break;
  }
  // 4xx: our request is wrong (a bad line is named: error.issues[0].path = "grants.<i>"); do not retry.
  if (response.status < 500 || attempt >= 5) throw new Error(`payout refused: ${response.status} ${error?.error.code}: ${error?.error.message}`);
  await new Promise((r) => setTimeout(r, 200 * 2 ** attempt)); // signed again with a new nonce, same key
}

const inventory = await bazaar.GET("/api/v1/server/players/{id}/inventory", { params: { path: { id: party[0]! } } });
if (inventory.data) {
  const { balance, stacks } = inventory.data;
  console.log(`${party[0]}: ${(balance.available / 100).toFixed(2)} gold available; ${stacks.map((s) => `${s.available} ${s.name}`).join(", ")}`);
}

// ---- 3. The feed: page from the saved cursor until the raid's grants are mirrored. ----
// The feed hands out an event only once every transaction that could come before it has ended, so
// a fresh commit can take a moment to appear: poll, never skip ahead.
let cursor = process.env.BAZAAR_FEED_CURSOR;
let pages = 0;
let read = 0;
const mirrored: FeedEvent[] = [];
const feedDeadline = Date.now() + 30_000;
while (mirrored.length < grants.length && Date.now() < feedDeadline) {
  const page = await bazaar.GET("/api/v1/server/events", { params: { query: { ...(cursor ? { after: cursor } : {}), limit: 1000, types: "minted" } } });
  if (!page.data) throw new Error(`feed refused: ${page.response.status} ${page.error?.error.message}`);
  pages++;
  read += page.data.events.length;
  for (const e of page.data.events) {
    if (!ofRaid(e) || seen.has(`feed:${e.eventId}`)) continue;
    seen.add(`feed:${e.eventId}`);
    mirrored.push(e);
  }
  cursor = page.data.cursor; // save it with what you applied, in the same transaction of your own store
  if (!page.data.more) await new Promise((r) => setTimeout(r, 250));
}
console.log(`feed: ${read} minted events in ${pages} pages, ${mirrored.length} of them the raid's grants; next time BAZAAR_FEED_CURSOR=${cursor}`);

// ---- 4. The same grants by webhook: signed, deduplicated. ----
if (hook) {
  const wait = Number(process.env.BAZAAR_WEBHOOK_WAIT ?? 90) * 1_000;
  const until = Date.now() + wait;
  const raid = () => delivered.filter(ofRaid).length;
  while (raid() < grants.length && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
  console.log(`webhook: ${raid()} of the raid's ${grants.length} grants delivered, signatures checked (${delivered.length} events in all)`);
  await bazaar.DELETE("/api/v1/server/webhooks/{id}", { params: { path: { id: hook.id }, header: { "Idempotency-Key": newIdempotencyKey("unhook") } } });
  hook.server.close();
}
