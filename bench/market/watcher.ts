/**
 * A watcher of a market room (an anonymous socket, as a market page opens) for the benches: it
 * counts messages and bytes; a sampled one (`timing` set) parses every update and records each
 * trade's delivery delay (its `at`, the room's clock when its batch was published, to arrival).
 * Only a sample parses, so that the load generator, one Node thread standing in for thousands of
 * devices, spends its CPU on sockets rather than on JSON every device would parse on its own.
 */
import WebSocket from "ws";
import type { ServerMessage } from "../../party/protocol";
import type { TickRounds } from "./tick-rounds";

export class Watcher {
  bytes = 0;
  messages = 0;
  /** Where a sampled watcher puts each trade's delivery delay (the current step's list). */
  timing: number[] | undefined;
  /** With `timing`: where each update's arrival goes, to split the delays (./tick-rounds.ts). */
  rounds: TickRounds | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      this.bytes += data.length;
      this.messages++;
      if (!this.timing) return;
      const now = Date.now();
      const m = JSON.parse(String(data)) as ServerMessage;
      if (m.type !== "update") return;
      for (const t of m.trades) this.timing.push(now - t.at);
      this.rounds?.record(m.seq, m.trades.map((t) => t.at), now);
    });
    ws.on("error", () => {});
  }

  close(): void {
    this.ws.terminate();
  }

  /** A socket to the market room, or to one of its relay rooms (`party` "relay", `room` `<slug>.<n>`, ADR 045). */
  static connect(host: string, room: string, party = "main"): Promise<Watcher> {
    const ws = new WebSocket(`ws://${host}/parties/${party}/${room}`, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new Watcher(ws)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`room refused the socket: ${res.statusCode}`)));
    });
  }
}

