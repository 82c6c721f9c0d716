/**
 * A relay room (party "relay", room id `<market slug>.<n>`, ADR 045): one socket to its market
 * room, as a watcher, and the market's public feed re-sent to up to a few thousand watchers of its
 * own, so that a hot market's room sends each update to its relays instead of to every watcher.
 * The market room's encoded update goes out as it came when the relay's sockets are idle; while a
 * round is still going, the next updates are merged into one (party/relay/pending.ts). A new
 * watcher gets the relay's own snapshot (party/relay/book.ts). Relays carry no trading: commands
 * and private order and fill messages stay on the market room's sockets.
 *
 * Upstream: `RELAY_UPSTREAM` (ws://host:port of the rooms' partykit, for a relay run in another
 * process, as bench:fanout does on one box), else the market room through PartyKit's own
 * `context.parties.main`. A lost upstream is reopened with backoff; the market room answers a new
 * socket with a snapshot, which the relay passes on to every watcher (they may have missed updates).
 */
import type * as Party from "partykit/server";
import { Fanout, type Recipient } from "./market/fanout";
import { parseClientMessage, type ServerMessage } from "./protocol";
import { RelayBook } from "./relay/book";
import { PendingUpdate } from "./relay/pending";

/** `iron-ore.3` -> `iron-ore`; an id without a relay number is the slug itself. */
export const relayedMarket = (id: string) => (/^([a-z0-9][a-z0-9-]{0,63})\.\d{1,4}$/.exec(id)?.[1] ?? id);

const error = (code: string, message: string) => JSON.stringify({ type: "error", code, message } satisfies ServerMessage);

export default class RelayRoom implements Party.Server {
  private readonly book = new RelayBook();
  private readonly pending = new PendingUpdate();
  private readonly fanout: Fanout;
  private upstream: WebSocket | undefined;
  private opening = false;
  private failures = 0;
  private resyncing = false;
  /** Watchers that came before the first snapshot: they get it when it comes. */
  private readonly waiting = new Set<Party.Connection>();

  constructor(readonly room: Party.Room) {
    const slice = Number(room.env.ROOM_FANOUT_SLICE ?? 256);
    this.fanout = new Fanout(() => this.flush(), () => {}, Number.isSafeInteger(slice) && slice > 0 ? slice : 256);
  }

  onConnect(connection: Party.Connection): void {
    this.openUpstream();
    const snapshot = this.book.snapshot();
    if (snapshot) connection.send(JSON.stringify(snapshot));
    else this.waiting.add(connection);
  }

  onMessage(raw: string | ArrayBuffer | ArrayBufferView, sender: Party.Connection): void {
    const parsed = typeof raw === "string" ? parseClientMessage(raw) : undefined;
    if (parsed?.ok && parsed.message.type === "resync") {
      const snapshot = this.book.snapshot();
      if (snapshot) sender.send(JSON.stringify(snapshot));
      else this.waiting.add(sender);
      return;
    }
    sender.send(error("relay_feed_only", `this socket carries the market's feed only: trade on /parties/main/${relayedMarket(this.room.id)}`));
  }

  onClose(connection: Party.Connection): void {
    this.waiting.delete(connection);
  }

  onError(connection: Party.Connection): void {
    this.onClose(connection);
  }

  /** GET: how many watchers and the book's seq (for benches and operators). */
  onRequest(): Response {
    return Response.json({ market: relayedMarket(this.room.id), watchers: [...this.room.getConnections()].length, seq: this.book.seq, upstream: this.upstream ? "open" : "closed" });
  }

  private openUpstream(): void {
    if (this.upstream || this.opening) return;
    this.opening = true;
    void this.connect()
      .then((ws) => {
        this.upstream = ws;
        ws.addEventListener("message", (e) => this.fromUpstream(e.data));
        const lost = () => this.lost(ws);
        ws.addEventListener("close", lost);
        ws.addEventListener("error", lost);
      })
      .catch((e: unknown) => {
        console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "relay could not reach its market room", room: this.room.id, error: String(e).slice(0, 300) }));
        this.retry();
      })
      .finally(() => (this.opening = false));
  }

  private async connect(): Promise<WebSocket> {
    const slug = relayedMarket(this.room.id);
    const base = this.room.env.RELAY_UPSTREAM as string | undefined;
    if (base) return new WebSocket(`${base.replace(/\/$/, "")}/parties/main/${encodeURIComponent(slug)}`);
    const main = this.room.context.parties.main;
    if (!main) throw new Error("no main party to relay");
    // PartyKit types its socket with workers-types; the calls used here are the same.
    return (await main.get(slug).socket()) as unknown as WebSocket;
  }

  private lost(ws: WebSocket): void {
    if (this.upstream !== ws) return;
    this.upstream = undefined;
    this.retry();
  }

  /** Backoff 0.25 s doubling to 15 s; only while someone watches. */
  private retry(): void {
    const delay = Math.min(15_000, 250 * 2 ** this.failures++);
    setTimeout(() => {
      if ([...this.room.getConnections()].length > 0) this.openUpstream();
    }, delay);
  }

  private fromUpstream(data: unknown): void {
    if (typeof data !== "string") return;
    let m: ServerMessage;
    try {
      m = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (m.type === "snapshot") {
      this.failures = 0;
      this.resyncing = false;
      const had = this.book.known;
      this.book.apply(m);
      this.pending.clear();
      // After a gap or a reconnect everyone starts again from it; the first one goes to those waiting.
      const to = had ? [...this.room.getConnections()] : [...this.waiting];
      this.waiting.clear();
      this.fanout.send(data, to);
      return;
    }
    if (m.type === "error" && (m.code === "unknown_market" || m.code === "misconfigured")) {
      // The market room will not open: its watchers hear why, as they would from it, and go.
      for (const c of this.room.getConnections()) {
        c.send(data);
        c.close(m.code === "unknown_market" ? 4004 : 1011, m.code === "unknown_market" ? "unknown market" : "market rooms misconfigured");
      }
      this.waiting.clear();
      return;
    }
    if (m.type !== "update") return;
    const applied = this.book.apply(m);
    if (applied === "gap") {
      // Once per gap: the market room answers with a snapshot, and updates until then are dropped.
      if (!this.resyncing) this.upstream?.send(JSON.stringify({ type: "resync" }));
      this.resyncing = true;
      return;
    }
    if (applied !== "applied") return;
    // Idle: the room's own encoding goes out as it came; busy: merged with what follows.
    if (!this.fanout.busy) this.fanout.send(data, this.watchers());
    else this.pending.add(m);
  }

  /** Every socket that has had its snapshot. */
  private watchers(): Recipient[] {
    const to: Recipient[] = [];
    for (const c of this.room.getConnections()) if (!this.waiting.has(c)) to.push(c);
    return to;
  }

  /** After a round: what came during it, merged into one update. */
  private flush(): void {
    const update = this.pending.take();
    if (update) this.fanout.send(JSON.stringify(update), this.watchers());
  }
}

RelayRoom satisfies Party.Worker;
