/**
 * Faucets and sinks, named by source (pure). Every supply change an event records is charged to
 * one source, from the event alone, so the same events always give the same table:
 *   server:<name>   a game server's mint or burn (its actor)
 *   fees:<market>   a market's fees (sunk by the room)
 *   <reason>        a mint or burn with a reason ("starter kit", "demo world grant", "seed"...)
 *   <actor>         anything else, by who did it ("operator:<id>", "system:seed"...)
 */
export interface SupplyEvent {
  type: string;
  actor: string;
  createdAt: string;
  payload: Record<string, unknown>;
}

export interface Flow {
  day: string;
  asset: number;
  source: string;
  minted: number;
  burned: number;
  sunk: number;
}

interface SupplyChange {
  asset: number;
  minted?: number;
  burned?: number;
  sunk?: number;
}

export function sourceOf(event: SupplyEvent): string {
  if (event.actor.startsWith("server:")) return event.actor;
  if (event.actor.startsWith("room:")) return `fees:${event.actor.slice("room:".length)}`;
  const reason = event.payload.reason;
  if (typeof reason === "string" && reason.length > 0) return reason.slice(0, 80);
  return event.actor;
}

/** The flows of some events, summed per (day, asset, source); days are UTC. */
export function flowsOf(events: SupplyEvent[]): Flow[] {
  const out = new Map<string, Flow>();
  for (const e of events) {
    const supply = e.payload.supply;
    if (!Array.isArray(supply)) continue;
    const day = e.createdAt.slice(0, 10);
    const source = sourceOf(e);
    for (const s of supply as SupplyChange[]) {
      const key = `${day}|${s.asset}|${source}`;
      let f = out.get(key);
      if (!f) out.set(key, (f = { day, asset: s.asset, source, minted: 0, burned: 0, sunk: 0 }));
      f.minted += s.minted ?? 0;
      f.burned += s.burned ?? 0;
      f.sunk += s.sunk ?? 0;
    }
  }
  return [...out.values()].sort((a, b) => (a.day + a.asset + a.source < b.day + b.asset + b.source ? -1 : 1));
}
