/** Live 24h stats for a few markets (the home watchlist): one watcher socket per market, no token. */
import PartySocket from "partysocket";
import { useEffect, useState } from "react";
import type { MarketStats } from "../../party/market/stats";
import type { ServerMessage } from "../../party/protocol";

export function useLiveStats(host: string | null | undefined, slugs: string[]): Map<string, MarketStats> {
  const [stats, setStats] = useState(() => new Map<string, MarketStats>());
  const key = slugs.join(",");
  useEffect(() => {
    if (!host || !key) return;
    const sockets = key.split(",").map((room) => {
      const ws = new PartySocket({ host, party: "main", room, protocol: location.protocol === "https:" ? "wss" : "ws", startClosed: !navigator.onLine, maxReconnectionDelay: 10_000 });
      ws.addEventListener("message", (event: MessageEvent) => {
        try {
          const m = JSON.parse(String(event.data)) as ServerMessage;
          if (m.type === "snapshot" || m.type === "update") setStats((prev) => new Map(prev).set(room, m.stats));
        } catch {
          // not ours to handle
        }
      });
      return ws;
    });
    const online = () => sockets.forEach((s) => s.reconnect());
    const offline = () => sockets.forEach((s) => s.close());
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    return () => {
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
      sockets.forEach((s) => s.close());
    };
  }, [host, key]);
  return stats;
}
