/**
 * A market room (room id = market slug): a thin adapter from PartyKit to MarketSession. Players'
 * sockets and the edge's signed HTTP requests both become commands; committed batches become one
 * coalesced update broadcast to every watcher, plus private order and fill messages to owners.
 */
import type * as Party from "partykit/server";
import { openNeon } from "../db/neon";
import { preparingFrom, useNamedStatements } from "../db/db";
import { recentTrades } from "../db/market/read";
import { earliestExpiry, ExpiryAlarm } from "./market/expiry";
import { Fanout } from "./market/fanout";
import { Admission, QUEUE_MAX, QUEUE_WAIT_MS } from "./market/admission";
import { Feed, FLUSH_MS } from "./market/feed";
import { CONTENT_TYPE } from "./metrics/prom";
import { MarketSession, type Published } from "./market/session";
import { PlayerThrottles } from "./market/throttle";
import { parseClientMessage, PriceAlertSync, ServiceCommand, type CommandMessage, type ServerMessage } from "./protocol";
import { describe, RoomCode } from "./settlement/codes";
import type { MarketCommand } from "./settlement/types";
import { PushNudge } from "./push-nudge";
import { checkToken } from "./tokens";
import { afterBodyRead } from "./drain";
import { roomEnvMessage } from "./market/room-env";
import { Tracer, tracerConfig } from "./telemetry/tracer";

interface ConnState {
  playerId: string | null;
}

const SLUG_KEY = "market-slug";

const env = (room: { env: Record<string, unknown> }, name: string) => (room.env[name] as string | undefined) ?? undefined;
/** A whole-number room variable of at least `min`; unset or anything else is `fallback`. */
const intVar = (room: { env: Record<string, unknown> }, name: string, fallback: number, min: number) => {
  const value = Number(env(room, name) ?? fallback);
  return Number.isSafeInteger(value) && value >= min ? value : fallback;
};

export default class MarketRoom implements Party.Server {
  private session: MarketSession | undefined;
  private feed: Feed | undefined;
  /** One bucket per player across their sockets (ADR 049). */
  private readonly throttles = new PlayerThrottles();
  private readonly sse = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  /** Signed-in players' sockets, for private order and fill messages. */
  private readonly byPlayer = new Map<string, Set<Party.Connection>>();
  private ready: Promise<void> | undefined;
  /**
   * The market slug (= room id), kept once known. PartyKit refuses `room.id` while any onAlarm is
   * running, to every handler (a socket message or a batch's publishing while the alarm awaits its
   * expire command), and for good in a room woken by its alarm alone (its id is only ever set by a
   * first request). Never read `room.id` anywhere else: stored at the first open, so that a room
   * woken by its alarm alone (evicted, restarted) can open its market.
   */
  private slug: string | undefined;
  private readonly expiry: ExpiryAlarm;
  /** Updates go to the sockets in slices, one round at a time (ADR 041). */
  /** The socket a snapshot is being taken for: left out of the update that taking it sends. */
  private snapshotFor: string | undefined;
  /** Sockets opened with feed=0 (a trader whose page takes the book from a relay room, ADR 045): no snapshot, no updates. */
  private readonly noFeed = new Set<string>();
  private readonly fanout: Fanout;

  /** Asks the edge's push sender to drain after a batch that wrote alerts (ADR 014). */
  private readonly nudge: PushNudge;

  /** A missing or bad variable (ADR 031), named; every handler answers with it instead of opening. */
  private readonly misconfigured: string | undefined;

  /** Spans of sampled commands, their batches and SQL, sent over OTLP when an endpoint is set (ADR 040). */
  private readonly tracer: Tracer;

  readonly options: Party.ServerOptions;

  constructor(readonly room: Party.Room) {
    this.options = { hibernate: env(room, "ROOM_HIBERNATE") === "on" };
    // ROOM_FANOUT_SLICE: sockets per slice of an update's round (default 256; 0 = all in one go, as before ADR 041).
    const slice = intVar(room, "ROOM_FANOUT_SLICE", 256, 0);
    this.fanout = new Fanout(
      () => this.feed?.resume(),
      () => {
        if (this.session) this.session.metrics.ticksDropped++;
      },
      slice === 0 ? Number.POSITIVE_INFINITY : slice,
    );
    this.misconfigured = roomEnvMessage(room.env);
    this.expiry = new ExpiryAlarm(room.storage, () => this.slug ?? null);
    this.nudge = new PushNudge({ url: env(room, "PUSH_DRAIN_URL"), secret: env(room, "ROOM_SECRET") });
    this.tracer = new Tracer(tracerConfig(room.env, "bazaar-market").config);
  }

  /**
   * PartyKit's own call, before the first request, socket or alarm. It must not throw: a room woken
   * by its alarm would then never reach onAlarm (which logs and re-arms). Every handler opens the
   * market again itself (start()) and fails there with the reason if it still cannot.
   */
  async onStart(): Promise<void> {
    if (this.misconfigured) return console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: this.misconfigured }));
    await this.start().catch((error: unknown) => {
      console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "market room could not open; the next request or alarm retries", market: this.slug ?? null, error: String(error).slice(0, 300) }));
    });
  }

  private async start(): Promise<void> {
    if (this.misconfigured) throw new Error(this.misconfigured);
    // A failed open (database down) is retried by the next event instead of being remembered forever.
    this.ready ??= this.open().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
  }

  private async resolveSlug(): Promise<string | undefined> {
    if (this.slug) return this.slug;
    let id: string | undefined;
    try {
      id = this.room.id;
    } catch {
      // woken by the alarm: the id is not available here, but we stored it when the room first opened
    }
    if (id) {
      this.slug = id;
      if ((await this.room.storage.get<string>(SLUG_KEY)) !== id) await this.room.storage.put(SLUG_KEY, id);
    } else {
      this.slug = await this.room.storage.get<string>(SLUG_KEY);
    }
    return this.slug;
  }

  private async open(): Promise<void> {
    const databaseUrl = env(this.room, "DATABASE_URL");
    if (!databaseUrl) throw new Error("DATABASE_URL is not set for the market rooms");
    const slug = await this.resolveSlug();
    if (!slug) throw new Error("the room does not know its market yet (woken by an alarm before its first request)");
    useNamedStatements(preparingFrom(env(this.room, "DB_NAMED_STATEMENTS")));
    // DB_IDLE_MS: how long an idle pooled connection stays open (default 10 s). Short, when many rooms
    // share a capped connection budget that pools per connection (bench:markets; Neon's pooler needs none).
    // DB_CONNECT_TIMEOUT_MS: how long a connection may take to open (default 5 s; 30 s on the embedded stack, whose proxy queues).
    const neon = openNeon({
      databaseUrl,
      wsProxy: env(this.room, "NEON_WS_PROXY"),
      max: intVar(this.room, "DB_POOL_MAX", 4, 1),
      idleTimeoutMillis: intVar(this.room, "DB_IDLE_MS", 10_000, 1),
      connectionTimeoutMillis: intVar(this.room, "DB_CONNECT_TIMEOUT_MS", 5_000, 500),
    });
    try {
      // Fields are set only once everything loaded: a failed open leaves no half-open market behind.
      const session = await MarketSession.open(() => neon.db, slug, (p) => this.published(p));
      if (!session) {
        await neon.close();
        return;
      }
      if (this.tracer.on) session.tracing = { tracer: this.tracer, statements: neon.statements };
      // ROOM_QUEUE_WAIT_MS / ROOM_QUEUE_MAX: how far behind the room may fall before it refuses new orders (ADR 048).
      session.admission = new Admission(intVar(this.room, "ROOM_QUEUE_WAIT_MS", QUEUE_WAIT_MS, 100), intVar(this.room, "ROOM_QUEUE_MAX", QUEUE_MAX, 1_000));
      // One JSON line per batch (ADR 040): level, market, outcome, size, phases' times, trace id.
      session.log = (line) => (line.level === "error" ? console.error : console.log)(JSON.stringify(line));
      const recent = await recentTrades(neon.db, slug, 50);
      // ROOM_FEED_FLUSH_MS: the least time between two updates to watchers (default 60, party/market/feed.ts).
      this.feed = new Feed(session, (m) => this.broadcast(m), recent.reverse(), Date.now, () => this.fanout.busy, intVar(this.room, "ROOM_FEED_FLUSH_MS", FLUSH_MS, 0));
      this.session = session;
    } catch (error) {
      await neon.close();
      throw error;
    }
    // Alarms do not survive every restart (partykit dev keeps them in memory): arm from the book.
    await this.expiry.arm(this.session.nextExpiry());
  }

  static async onBeforeConnect(request: Party.Request, lobby: Party.Lobby): Promise<Party.Request | Response> {
    const token = new URL(request.url).searchParams.get("token");
    if (!token) return request; // watchers need no account; trading does
    const secret = lobby.env.ROOM_SECRET as string | undefined;
    const playerId = secret ? await checkToken(secret, "player", token) : undefined;
    if (!playerId) return new Response("invalid or expired connection token", { status: 401 });
    request.headers.set("x-bazaar-player", playerId);
    return request;
  }

  async onConnect(connection: Party.Connection<ConnState>, ctx: Party.ConnectionContext): Promise<void> {
    // PartyKit lets a second early connection in before the first one's onStart has finished.
    if (this.misconfigured) {
      connection.send(JSON.stringify({ type: "error", code: "misconfigured", message: this.misconfigured } satisfies ServerMessage));
      connection.close(1011, "market rooms misconfigured");
      return;
    }
    await this.start();
    const playerId = ctx.request.headers.get("x-bazaar-player");
    connection.setState({ playerId });
    if (playerId) {
      let set = this.byPlayer.get(playerId);
      if (!set) this.byPlayer.set(playerId, (set = new Set()));
      set.add(connection);
    }
    if (!this.session || !this.feed) {
      connection.send(JSON.stringify({ type: "error", code: "unknown_market", message: `no market ${this.slug}` } satisfies ServerMessage));
      connection.close(4004, "unknown market");
      return;
    }
    if (new URL(ctx.request.url).searchParams.get("feed") === "0") this.noFeed.add(connection.id);
    else this.sendSnapshot(connection);
  }

  /**
   * A snapshot for one socket. Taking it sends what is pending to the others first; not to this
   * socket, which the snapshot already brings up to date (an update behind it would look stale).
   */
  private sendSnapshot(connection: Party.Connection): void {
    this.snapshotFor = connection.id;
    try {
      connection.send(JSON.stringify(this.feed!.snapshot()));
    } finally {
      this.snapshotFor = undefined;
    }
  }

  onClose(connection: Party.Connection<ConnState>): void {
    this.noFeed.delete(connection.id);
    const playerId = connection.state?.playerId;
    const set = playerId ? this.byPlayer.get(playerId) : undefined;
    set?.delete(connection);
    if (set?.size === 0) this.byPlayer.delete(playerId!);
  }

  onError(connection: Party.Connection<ConnState>): void {
    this.onClose(connection);
  }

  async onMessage(raw: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection<ConnState>): Promise<void> {
    const reply = (m: ServerMessage) => sender.send(JSON.stringify(m));
    if (typeof raw !== "string") return reply({ type: "error", code: "bad_message", message: "send JSON text messages" });
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      // A sender waiting for the answer to its ref gets one; otherwise an error message.
      if (parsed.ref !== undefined) return reply({ type: "answer", ref: parsed.ref, answer: { ok: false, code: RoomCode.INVALID_COMMAND, reason: "INVALID_COMMAND", message: parsed.message } });
      return reply({ type: "error", code: "bad_message", message: parsed.message });
    }
    const message = parsed.message;
    await this.start();
    if (message.type === "resync") return this.sendSnapshot(sender);
    const playerId = sender.state?.playerId;
    if (!playerId) return reply({ type: "error", code: "sign_in_required", message: "connect with a player token to trade" });
    if (!this.throttles.take(playerId)) {
      return reply({ type: "answer", ref: message.ref, answer: { ok: false, code: RoomCode.RATE_LIMITED, ...describe(RoomCode.RATE_LIMITED) } });
    }
    const answer = await this.session!.submit(toCommand(playerId, message), message.traceparent);
    reply({ type: "answer", ref: message.ref, answer });
  }

  /** Every answer, refusals too, goes out after the request's body is read (party/drain.ts). */
  async onRequest(request: Party.Request): Promise<Response> {
    return afterBodyRead(request as unknown as Request, await this.answerRequest(request));
  }

  private async answerRequest(request: Party.Request): Promise<Response> {
    if (this.misconfigured) return Response.json({ error: { code: "misconfigured", message: this.misconfigured } }, { status: 503, headers: { "Retry-After": "30" } });
    await this.start();
    if (!this.session || !this.feed) return Response.json({ error: { code: "unknown_market", message: `no market ${this.slug}` } }, { status: 404 });
    if (request.method === "GET") {
      if (request.headers.get("accept")?.includes("text/event-stream")) return this.openSse();
      // Where the batches' time went since the last read (bench:market): services only, and it resets.
      // Prometheus (ADR 025): the room's own metrics, for a service token only (like the profile).
      if (new URL(request.url).searchParams.has("metrics")) {
        if (!(await this.isService(request))) return Response.json({ error: { code: "unauthorized", message: "a service token is required" } }, { status: 401 });
        const session = this.session;
        const text = session.metrics.render(session.config.slug, {
          queued: session.queued,
          openOrders: session.openOrders.size,
          sockets: [...this.room.getConnections()].length,
          sseClients: this.sse.size,
        });
        return new Response(text, { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } });
      }
      if (new URL(request.url).searchParams.has("profile")) {
        if (!(await this.isService(request))) return Response.json({ error: { code: "unauthorized", message: "a service token is required" } }, { status: 401 });
        return Response.json(this.session.profile.take());
      }
      const depth = Number(new URL(request.url).searchParams.get("depth") ?? 50);
      return Response.json(this.feed.snapshot(Number.isSafeInteger(depth) && depth > 0 ? Math.min(depth, 500) : 50));
    }
    if (request.method !== "POST") return Response.json({ error: { code: "method_not_allowed", message: "GET or POST" } }, { status: 405 });
    if (!(await this.isService(request))) {
      return Response.json({ error: { code: "unauthorized", message: "a service token is required" } }, { status: 401 });
    }
    if (new URL(request.url).searchParams.has("price-alerts")) {
      // The edge added or deleted a price alert of this market (ADR 013).
      const change = PriceAlertSync.safeParse(await request.json().catch(() => undefined));
      if (!change.success) return Response.json({ error: { code: "invalid_request", message: change.error.issues[0]!.message } }, { status: 400 });
      if (change.data.op === "add") this.session.priceAlerts.add(change.data.alert);
      else this.session.priceAlerts.remove(change.data.id);
      return Response.json({ ok: true, size: this.session.priceAlerts.size });
    }
    const body = ServiceCommand.safeParse(await request.json().catch(() => undefined));
    if (!body.success || body.data.command.type === "resync") {
      return Response.json({ error: { code: "invalid_request", message: body.success ? "resync is a socket message" : body.error.issues[0]!.message } }, { status: 400 });
    }
    return Response.json(await this.session.submit(toCommand(body.data.playerId, body.data.command as CommandMessage), body.data.traceparent ?? (body.data.command as CommandMessage).traceparent));
  }

  private async isService(request: Party.Request): Promise<boolean> {
    const secret = env(this.room, "ROOM_SECRET");
    const bearer = request.headers.get("authorization")?.replace(/^Bearer /, "");
    return Boolean(secret && (await checkToken(secret, "service", bearer)));
  }

  /**
   * Expire what is due: one "expire" command queued behind any running batch, committed through the
   * same group commit as everything else, so an expiry never fails a batch. Nothing here reads
   * `room.id`. A failure (database down, market not loaded, the batch not committed) is logged and
   * the alarm re-armed with a backoff (ExpiryAlarm.failed), never lost.
   */
  async onAlarm(): Promise<void> {
    this.expiry.fired();
    try {
      await this.start(); // a room woken by its alarm alone opens its market here (slug from storage)
      const session = this.session;
      if (!session) return; // no such market: nothing to expire
      const answer = await session.submit({ type: "expire", now: Date.now() });
      if (!answer.ok) throw new Error(`the expire command was not committed: ${answer.reason} (${answer.message})`);
      this.expiry.succeeded();
      // From the committed open orders, not the working book another batch may be planning in.
      await this.expiry.arm(earliestExpiry(session.openOrders.values()));
    } catch (error) {
      await this.expiry.failed(error);
    }
  }

  /**
   * A committed batch. Must not throw: the session calls it after COMMIT, and an exception there
   * would answer a committed batch as not committed (RETRY).
   */
  private published(p: Published): void {
    try {
      this.feed?.push(p);
      for (const order of p.orders) this.toPlayer(order.playerId, { type: "order", order });
      for (const fill of p.fills) {
        const message: ServerMessage = { type: "fill", fill: { ...fill, market: this.session?.config.slug ?? this.slug ?? "" } };
        this.toPlayer(fill.makerPlayerId, message);
        if (fill.takerPlayerId !== fill.makerPlayerId) this.toPlayer(fill.takerPlayerId, message);
      }
    } catch (error) {
      console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "could not publish a committed batch", market: this.slug ?? null, seq: p.seq, error: String(error).slice(0, 300) }));
    }
    // Off the batch's path: never awaited, at most one drain in flight (party/push-nudge.ts).
    if (p.alerts > 0) void this.nudge.poke();
    // A timed order came or went: the alarm follows the earliest expiry (the book is the committed state here).
    if (this.session && p.orders.some((o) => o.expiresAt !== null)) void this.expiry.arm(this.session.nextExpiry());
  }

  private toPlayer(playerId: string, message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const c of this.byPlayer.get(playerId) ?? []) c.send(text);
  }

  private broadcast(message: ServerMessage): void {
    const text = JSON.stringify(message);
    const metrics = this.session?.metrics;
    if (metrics) metrics.ticksSent++;
    const to: Party.Connection[] = [];
    for (const c of this.room.getConnections()) if (c.id !== this.snapshotFor && !this.noFeed.has(c.id)) to.push(c);
    this.fanout.send(text, to);
    const bytes = new TextEncoder().encode(`data: ${text}\n\n`);
    for (const w of this.sse) {
      w.write(bytes).catch(() => {
        if (metrics) metrics.ticksDropped++;
        this.sse.delete(w);
      });
    }
  }

  private openSse(): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    // The snapshot flushes pending updates to the others first; this stream starts from it.
    const snapshot = this.feed!.snapshot();
    this.sse.add(writer);
    void writer.write(new TextEncoder().encode(`data: ${JSON.stringify(snapshot)}\n\n`)).catch(() => this.sse.delete(writer));
    return new Response(readable, { headers: { "content-type": "text/event-stream", "cache-control": "no-store" } });
  }
}

function toCommand(playerId: string, m: CommandMessage): MarketCommand {
  switch (m.type) {
    case "place": {
      const { type: _t, ref: _r, traceparent: _p, ...rest } = m;
      return { type: "place", playerId, ...rest };
    }
    case "cancel":
      return { type: "cancel", playerId, orderId: m.orderId };
    case "amend":
      return { type: "amend", playerId, orderId: m.orderId, price: m.price, quantity: m.quantity };
    case "cancelAll":
      return { type: "cancelAll", playerId };
  }
}

MarketRoom satisfies Party.Worker;
