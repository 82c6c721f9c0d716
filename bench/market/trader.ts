/**
 * A trading client of a market room over one WebSocket: commands with a ref, answers matched back,
 * latency measured from send to answer (market data is bench/market/watcher.ts's).
 */
import WebSocket from "ws";
import type { ServerMessage } from "../../party/protocol";
import type { Answer } from "../../party/settlement/types";

export class Trader {
  private next = 0;
  private readonly waiting = new Map<string, { resolve: (a: Answer) => void; sent: number }>();
  readonly latencies: number[] = [];
  readonly messages: ServerMessage[] = [];
  keepMessages = false;
  closed = false;

  private constructor(readonly ws: WebSocket, readonly playerId: string | null, keep = false) {
    this.keepMessages = keep;
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (this.keepMessages) this.messages.push(m);
      if (m.type === "answer" && m.ref) {
        const w = this.waiting.get(m.ref);
        if (w) {
          this.waiting.delete(m.ref);
          this.latencies.push(performance.now() - w.sent);
          w.resolve(m.answer);
        }
      }
    });
    ws.on("close", () => {
      this.closed = true;
      for (const w of this.waiting.values()) w.resolve({ ok: false, code: -1, reason: "DISCONNECTED", message: "socket closed" });
      this.waiting.clear();
    });
    ws.on("error", () => {});
  }

  /**
   * `query`: more of the socket's query, e.g. { feed: "0" } for a trader whose book comes from a
   * relay room (ADR 045); `keep`: keep every message from the first (the room's snapshot) on.
   */
  static connect(host: string, slug: string, token?: string, playerId: string | null = null, query: Record<string, string> = {}, keep = false): Promise<Trader> {
    const search = new URLSearchParams({ ...(token ? { token } : {}), ...query }).toString();
    const ws = new WebSocket(`ws://${host}/parties/main/${slug}${search ? `?${search}` : ""}`, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new Trader(ws, playerId, keep)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`room refused the socket: ${res.statusCode}`)));
    });
  }

  send(command: Record<string, unknown>): Promise<Answer> {
    const ref = String(++this.next);
    return new Promise((resolve) => {
      if (this.closed || this.ws.readyState !== WebSocket.OPEN) return resolve({ ok: false, code: -1, reason: "DISCONNECTED", message: "socket closed" });
      this.waiting.set(ref, { resolve, sent: performance.now() });
      this.ws.send(JSON.stringify({ ...command, ref }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
