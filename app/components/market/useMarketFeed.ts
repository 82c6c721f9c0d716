/**
 * A live market over partysocket: the room's snapshot, then updates checked for gaps (a client
 * whose seq is not update.seq - 1 asks for a resync and waits for the next snapshot), reconnects
 * with backoff, and a connection state the page shows. Commands sent with a `ref` resolve when the
 * room answers; nothing is sent while the socket is not live (the caller says so to the player).
 *
 * The socket (partysocket and feed-socket.ts) is imported once the page has loaded (the page paints
 * from the server's book first):
 * its 4 KB gz stay out of the first load, and the socket opens a moment after the load event.
 */
import type PartySocket from "partysocket";
import { useCallback, useEffect, useReducer, useRef } from "react";
import type { ServerMessage, Trade } from "../../../party/protocol";
import { applyLevels, newTrades } from "../../../party/market/depth";
import type { MarketStats } from "../../../party/market/stats";
import type { Answer } from "../../../party/settlement/types";
import type { CommandMessage } from "../../../party/protocol";

export type ConnectionState = "connecting" | "live" | "resyncing" | "reconnecting" | "offline";

export interface FeedState {
  connection: ConnectionState;
  seq: number;
  bids: Map<number, number>;
  asks: Map<number, number>;
  trades: Trade[];
  stats: MarketStats | null;
}

type Snapshot = Extract<ServerMessage, { type: "snapshot" }>;
type Update = Extract<ServerMessage, { type: "update" }>;
export type FeedAction = { type: "snapshot"; m: Snapshot } | { type: "update"; m: Update } | { type: "connection"; c: ConnectionState };

const MAX_TRADES = 60;

/** A book to start from: the room's snapshot, or the database's last committed book (seq -1, no stats). */
export type InitialBook = Omit<Snapshot, "type" | "market" | "stats"> & { stats: MarketStats | null };

export function initialFeed(snapshot: InitialBook | null): FeedState {
  return {
    connection: "connecting",
    seq: snapshot?.seq ?? -1,
    bids: new Map(snapshot?.bids ?? []),
    asks: new Map(snapshot?.asks ?? []),
    trades: [...(snapshot?.trades ?? [])].sort((a, b) => b.seq - a.seq).slice(0, MAX_TRADES),
    stats: snapshot?.stats ?? null,
  };
}

export function reduce(state: FeedState, action: FeedAction): FeedState {
  switch (action.type) {
    case "connection":
      return state.connection === action.c ? state : { ...state, connection: action.c };
    case "snapshot":
      return { ...initialFeed(action.m), connection: "live" };
    case "update": {
      const m = action.m;
      if (state.connection === "resyncing") return state; // wait for the snapshot
      // Already in the snapshot this client started from (the room sends a round to its sockets in
      // slices, so an update can arrive just after a snapshot that includes it: ADR 041).
      if (state.seq >= 0 && m.seq <= state.seq) return state;
      // A relay room may merge several updates into one, from `first` (ADR 045); one that starts
      // at or before this client's seq is applied too: levels are totals, and trades it already
      // has are skipped by their seq.
      if ((m.first ?? m.seq) > state.seq + 1 || state.seq < 0) return { ...state, connection: "resyncing" };
      const bids = new Map(state.bids);
      const asks = new Map(state.asks);
      applyLevels(bids, asks, m.levels);
      const trades = newTrades(state.trades, m.trades, MAX_TRADES);
      return { ...state, seq: m.seq, bids, asks, trades, stats: m.stats };
    }
  }
}

export type PrivateMessage = Extract<ServerMessage, { type: "order" | "fill" }>;

export interface FeedOptions {
  slug: string;
  host: string | null;
  /** Connection token for a signed-in player (trading); watchers connect without one. */
  getToken?: () => Promise<string | undefined>;
  /** Relay rooms of the market (MARKET_RELAYS, ADR 045): a watcher without getToken takes the feed from one of them. */
  relays?: number;
  initial: InitialBook | null;
  onPrivate?: (m: PrivateMessage) => void;
  /** Offline (as the page knows it): the socket closes, and reconnects when this turns false. */
  paused?: boolean;
}

/** Resolves once the document has loaded (at once if it already has). */
function afterLoad(): Promise<void> {
  return new Promise((resolve) => {
    if (document.readyState === "complete") resolve();
    else window.addEventListener("load", () => resolve(), { once: true });
  });
}

export function useMarketFeed({ slug, host, getToken, relays = 0, initial, onPrivate, paused = false }: FeedOptions) {
  const [state, dispatch] = useReducer(reduce, initial, initialFeed);
  /** The socket the book comes from (resyncs go there), and the one commands go to: the same one unless the market has relays. */
  const socket = useRef<PartySocket | null>(null);
  const trading = useRef<PartySocket | null>(null);
  const waiting = useRef(new Map<string, (a: Answer) => void>());
  const stateRef = useRef(state);
  stateRef.current = state;
  const privateRef = useRef(onPrivate);
  privateRef.current = onPrivate;
  const tokenRef = useRef(getToken);
  tokenRef.current = getToken;

  // A gap: ask the room for a fresh snapshot.
  useEffect(() => {
    if (state.connection === "resyncing") socket.current?.send(JSON.stringify({ type: "resync" }));
  }, [state.connection]);

  useEffect(() => {
    if (!host) {
      dispatch({ type: "connection", c: "offline" });
      return;
    }
    let disposed = false;
    let cleanup = () => {};
    afterLoad()
      .then(() => import("./feed-socket"))
      .then(({ openMarketSockets }) => {
        if (disposed) return;
        cleanup = openMarketSockets({ host, slug, relays, signedIn: !!tokenRef.current, token: () => tokenRef.current?.(), dispatch, socket, trading, waiting: waiting.current, onPrivate: (m: PrivateMessage) => privateRef.current?.(m) });
      })
      .catch(() => {
        if (!disposed) dispatch({ type: "connection", c: "reconnecting" });
      });
    return () => {
      disposed = true;
      cleanup();
    };
  }, [host, slug, relays]);

  useEffect(() => {
    for (const ws of new Set([socket.current, trading.current])) {
      if (!ws) continue;
      if (paused) ws.close();
      else if (ws.readyState === WebSocket.CLOSED) ws.reconnect();
    }
    if (paused && socket.current) dispatch({ type: "connection", c: "offline" });
  }, [paused]);

  /** Send a command; resolves with the room's answer, or rejects when not live or no answer comes. */
  const command = useCallback((message: CommandMessage, timeoutMs = 10_000): Promise<Answer> => {
    const ws = trading.current;
    if (!ws || ws.readyState !== WebSocket.OPEN || stateRef.current.connection !== "live") {
      return Promise.reject(new Error("Not connected to the market. Wait for the connection to come back, then try again."));
    }
    const ref = message.ref ?? `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.current.delete(ref);
        reject(new Error("The market has not answered yet. Check your open orders before you try again."));
      }, timeoutMs);
      waiting.current.set(ref, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      ws.send(JSON.stringify({ ...message, ref }));
    });
  }, []);

  return { ...state, command };
}

/** Sorted levels: bids high to low, asks low to high. */
export function sortedLevels(state: Pick<FeedState, "bids" | "asks">, depth = 10) {
  const bids = [...state.bids].sort((a, b) => b[0] - a[0]).slice(0, depth);
  const asks = [...state.asks].sort((a, b) => a[0] - b[0]).slice(0, depth);
  return { bids, asks };
}
