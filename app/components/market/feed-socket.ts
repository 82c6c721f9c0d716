/**
 * The market socket itself (partysocket and its message handling): imported by useMarketFeed once
 * the page has loaded, so none of it is in the page's first-load JavaScript.
 */
import PartySocket from "partysocket";
import type { MutableRefObject } from "react";
import type { ServerMessage } from "../../../party/protocol";
import type { Answer } from "../../../party/settlement/types";
import type { FeedAction, PrivateMessage } from "./useMarketFeed";

export interface FeedSocketOptions {
  host: string;
  /** "main" (the market room, room = slug) or "relay" (room = `<slug>.<n>`, ADR 045). */
  party: string;
  room: string;
  token: () => Promise<string | undefined> | undefined;
  /**
   * What this socket is for (ADR 045): "both" (one socket to the market room), "feed" (a relay
   * room's socket: the book and the connection state), or "trade" (the market room's socket with
   * feed=0: answers and private messages only, the book coming from a relay).
   */
  role?: "both" | "feed" | "trade";
  dispatch: (a: FeedAction) => void;
  socket: MutableRefObject<PartySocket | null>;
  waiting: Map<string, (a: Answer) => void>;
  onPrivate: (m: PrivateMessage) => void;
}

/** Opens the socket and wires it to the feed; returns what closes it. */
export function openFeedSocket(o: FeedSocketOptions): () => void {
  const role = o.role ?? "both";
  // The trading socket of a page whose book comes from a relay says nothing of the connection.
  const dispatch = role === "trade" ? (a: FeedAction) => void (a.type === "connection" || o.dispatch(a)) : o.dispatch;
  const ws = new PartySocket({
    host: o.host,
    party: o.party,
    room: o.room,
    protocol: location.protocol === "https:" ? "wss" : "ws",
    query: async () => {
      const token = await o.token()?.catch(() => undefined);
      return { ...(token ? { token } : {}), ...(role === "trade" ? { feed: "0" } : {}) };
    },
    startClosed: !navigator.onLine,
    maxRetries: Infinity,
    minReconnectionDelay: 500,
    maxReconnectionDelay: 8_000,
  });
  o.socket.current = ws;
  if (!navigator.onLine) dispatch({ type: "connection", c: "offline" });
  ws.addEventListener("open", () => dispatch({ type: "connection", c: "connecting" }));
  ws.addEventListener("close", () => dispatch({ type: "connection", c: navigator.onLine ? "reconnecting" : "offline" }));
  ws.addEventListener("message", (event: MessageEvent) => {
    let m: ServerMessage;
    try {
      m = JSON.parse(String(event.data)) as ServerMessage;
    } catch {
      return;
    }
    switch (m.type) {
      case "snapshot":
        dispatch({ type: "snapshot", m });
        break;
      case "update":
        dispatch({ type: "update", m });
        break;
      case "answer": {
        const resolve = m.ref ? o.waiting.get(m.ref) : undefined;
        if (resolve && m.ref) {
          o.waiting.delete(m.ref);
          resolve(m.answer);
        }
        break;
      }
      case "order":
      case "fill":
        o.onPrivate(m);
        break;
      case "error":
        break;
    }
  });
  const offline = () => {
    dispatch({ type: "connection", c: "offline" });
    ws.close();
  };
  const online = () => ws.reconnect();
  window.addEventListener("offline", offline);
  window.addEventListener("online", online);
  return () => {
    window.removeEventListener("offline", offline);
    window.removeEventListener("online", online);
    o.socket.current = null;
    ws.close();
  };
}

/**
 * The page's sockets (ADR 045). Without relays: one to the market room for everything (`socket`
 * and `trading` are the same). With relays: the book from relay `<slug>.<random below relays>`
 * (`socket`, no token), and for a signed-in trader a second socket to the market room with feed=0
 * (`trading`). Returns what closes them.
 */
export function openMarketSockets(o: Omit<FeedSocketOptions, "party" | "room" | "role"> & { slug: string; relays: number; signedIn: boolean; trading: MutableRefObject<PartySocket | null> }): () => void {
  const { slug, relays, signedIn, trading, ...common } = o;
  if (relays <= 0) {
    const close = openFeedSocket({ ...common, party: "main", room: slug, role: "both" });
    trading.current = common.socket.current;
    return () => {
      close();
      trading.current = null;
    };
  }
  const closeFeed = openFeedSocket({ ...common, token: () => undefined, party: "relay", room: `${slug}.${Math.floor(Math.random() * relays)}`, role: "feed" });
  const closeTrade = signedIn ? openFeedSocket({ ...common, party: "main", room: slug, role: "trade", socket: trading }) : () => {};
  return () => {
    closeFeed();
    closeTrade();
  };
}
