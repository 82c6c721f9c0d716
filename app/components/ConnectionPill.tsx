import type { ConnectionState } from "./market/useMarketFeed";

const WORDS: Record<ConnectionState, string> = {
  connecting: "Connecting",
  live: "Live",
  resyncing: "Resyncing",
  reconnecting: "Reconnecting",
  offline: "Offline",
};

/** The socket's state, in words and a dot (role=status: changes are announced politely). */
export function ConnectionPill({ state }: { state: ConnectionState }) {
  return (
    <span className={`pill conn-${state}`} role="status" data-connection={state}>
      <span className="dot" aria-hidden="true" />
      {WORDS[state]}
    </span>
  );
}
