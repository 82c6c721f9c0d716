/**
 * Live 24h stats for a few markets (the home watchlist, the dashboard's other markets): one watcher
 * socket per market, no token. The sockets open once the page is loaded and idle (the server's
 * figures are on the page until then), and what they bring is drawn once per frame, as a transition:
 * five markets' snapshots arriving together are one render that never blocks a tap.
 */
import PartySocket from "partysocket";
import { startTransition, useEffect, useState } from "react";
import type { MarketStats } from "../../party/market/stats";
import type { ServerMessage } from "../../party/protocol";
import { afterLoadIdle } from "~/utils/idle";

export function useLiveStats(host: string | null | undefined, slugs: string[]): Map<string, MarketStats> {
  const [stats, setStats] = useState(() => new Map<string, MarketStats>());
  const key = slugs.join(",");
  useEffect(() => {
    if (!host || !key) return;
    let sockets: PartySocket[] = [];
    const arrived = new Map<string, MarketStats>();
    let frame = 0;
    const draw = () => {
      frame = 0;
      const batch = new Map(arrived);
      arrived.clear();
      startTransition(() => setStats((prev) => new Map([...prev, ...batch])));
    };
    const open = () => {
      sockets = key.split(",").map((room) => {
        const ws = new PartySocket({ host, party: "main", room, protocol: location.protocol === "https:" ? "wss" : "ws", startClosed: !navigator.onLine, maxReconnectionDelay: 10_000 });
        ws.addEventListener("message", (event: MessageEvent) => {
          try {
            const m = JSON.parse(String(event.data)) as ServerMessage;
            if (m.type !== "snapshot" && m.type !== "update") return;
            arrived.set(room, m.stats);
            frame ||= requestAnimationFrame(draw);
          } catch {
            // not ours to handle
          }
        });
        return ws;
      });
    };
    const cancelOpen = afterLoadIdle(open);
    const online = () => sockets.forEach((s) => s.reconnect());
    const offline = () => sockets.forEach((s) => s.close());
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    return () => {
      cancelOpen();
      cancelAnimationFrame(frame);
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
      sockets.forEach((s) => s.close());
    };
  }, [host, key]);
  return stats;
}
