/** Orderings of market summaries, shared by the home page and the markets list. */
interface Traded {
  name: string;
  trades24h: number;
  volume24h: number;
}

/** Most trades in 24 h first (an item count would rank arrows above dragon scales), then items, then name. */
export const mostTraded = (a: Traded, b: Traded) => b.trades24h - a.trades24h || b.volume24h - a.volume24h || a.name.localeCompare(b.name);
