/**
 * A market page's feed without the page: a socket to a market room or one of its relay rooms,
 * every message through the page's own reducer (app/components/market/useMarketFeed.ts), and a
 * resync sent when the reducer asks for one, as the page does.
 */
import WebSocket from "ws";
import { initialFeed, reduce, type FeedState } from "../../app/components/market/useMarketFeed";
import type { ServerMessage } from "../../party/protocol";

export class FeedWatcher {
  state: FeedState = initialFeed(null);
  updates = 0;
  resyncs = 0;
  private others: Array<(m: ServerMessage) => void> = [];

  private constructor(readonly name: string, private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (m.type === "snapshot" || m.type === "update") {
        if (m.type === "update") this.updates++;
        const was = this.state.connection;
        this.state = reduce(this.state, m.type === "snapshot" ? { type: "snapshot", m } : { type: "update", m });
        if (this.state.connection === "resyncing" && was !== "resyncing") {
          this.resyncs++;
          ws.send(JSON.stringify({ type: "resync" }));
        }
      } else for (const f of this.others.splice(0)) f(m);
    });
    ws.on("error", () => {});
    this.closed = new Promise((resolve) => ws.on("close", (code) => resolve(code)));
  }

  /** The close code, once the other side closes. */
  readonly closed: Promise<number>;

  /** The next message that is neither a snapshot nor an update. */
  next(): Promise<ServerMessage> {
    return new Promise((resolve) => this.others.push(resolve));
  }

  /** The next message that is neither a snapshot nor an update, after sending `message`. */
  answer(message: unknown): Promise<ServerMessage> {
    return new Promise((resolve) => {
      this.others.push(resolve);
      this.ws.send(JSON.stringify(message));
    });
  }

  close(): void {
    this.ws.terminate();
  }

  static open(host: string, party: "main" | "relay", room: string): Promise<FeedWatcher> {
    const ws = new WebSocket(`ws://${host}/parties/${party}/${room}`, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new FeedWatcher(`${party}/${room}`, ws)));
      ws.once("error", reject);
    });
  }
}
