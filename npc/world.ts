/**
 * The demo world's NPC traders and the markets they keep alive: pure data.
 *
 * Makers quote both sides of a few markets each (two makers per market, the second wider);
 * takers cross the spread now and then, leaning with the price's drift, so trades print.
 * Reference prices are integer copper (100 copper = 1 gold) and multiples of each market's tick
 * (db/catalog-data.ts); sizes are in lots.
 */

export interface MarketProfile {
  slug: string;
  /** Where the price starts and what it reverts to (copper, a multiple of the tick). */
  reference: number;
  /** Order sizes in lots, inclusive. */
  lots: readonly [number, number];
  /** Share of the live activity (a popular market gets more steps). */
  weight: number;
}

export const marketProfiles: readonly MarketProfile[] = [
  { slug: "iron-ore", reference: 120, lots: [1, 6], weight: 5 },
  { slug: "health-potion", reference: 150, lots: [2, 10], weight: 5 },
  { slug: "copper-ore", reference: 12, lots: [2, 12], weight: 3 },
  { slug: "mana-potion", reference: 180, lots: [2, 8], weight: 4 },
  { slug: "coal", reference: 40, lots: [2, 10], weight: 3 },
  { slug: "oak-log", reference: 25, lots: [2, 10], weight: 3 },
  { slug: "silver-ore", reference: 450, lots: [1, 4], weight: 2 },
  { slug: "gold-ore", reference: 2_500, lots: [1, 5], weight: 2 },
  { slug: "mithril-ore", reference: 15_000, lots: [1, 3], weight: 1 },
  { slug: "elixir-of-haste", reference: 900, lots: [1, 4], weight: 2 },
  { slug: "antidote", reference: 60, lots: [1, 8], weight: 2 },
  { slug: "fire-resistance-potion", reference: 700, lots: [1, 4], weight: 2 },
  { slug: "leather", reference: 90, lots: [1, 6], weight: 2 },
  { slug: "silk-thread", reference: 140, lots: [1, 6], weight: 2 },
  { slug: "dragon-scale", reference: 60_000, lots: [1, 2], weight: 1 },
  { slug: "bread", reference: 8, lots: [2, 15], weight: 3 },
  { slug: "roast-boar", reference: 70, lots: [1, 6], weight: 2 },
  { slug: "arrow", reference: 6, lots: [1, 6], weight: 3 },
  { slug: "scroll-of-teleport", reference: 400, lots: [1, 4], weight: 2 },
  { slug: "scroll-of-identify", reference: 120, lots: [1, 5], weight: 2 },
];

export interface Npc {
  username: string;
  role: "maker" | "taker";
  /** Market slugs a maker quotes (takers trade every market of the world). */
  markets: readonly string[];
}

const slugs = marketProfiles.map((m) => m.slug);
/** Maker i quotes 5 markets: makers 0-3 cover the 20 markets once, makers 4-7 the same ones again (the outer quoters). */
const makerMarkets = (i: number) => [0, 1, 2, 3, 4].map((k) => slugs[(i * 5 + k) % slugs.length]!);
const makerNames = ["Brenna_Ironhand", "Old_Tobin", "Mirela_Alchemist", "Quartermaster_Hal", "Ysolde_Weaver", "Grum_the_Miner", "Fennick_Fletcher", "Sister_Amara"];

export const npcs: readonly Npc[] = [
  ...makerNames.map((username, i) => ({ username, role: "maker" as const, markets: makerMarkets(i % 4) })),
  ...["Wandering_Kell", "Captain_Ro", "Jory_the_Bold", "Vex_the_Collector"].map((username) => ({ username, role: "taker" as const, markets: slugs })),
];

/** Makers 0-3 are the inner (tight) quoters of their markets, 4-7 the outer ones. */
export const isOuterMaker = (npc: Npc) => npc.role === "maker" && makerNames.indexOf(npc.username) >= 4;

/**
 * What each NPC is granted on creation, through the faucet like any grant: enough gold and items
 * for weeks of two-sided quoting. Per market: about 40,000 gold of items; gold: 60,000 per market.
 */
export const GRANT_COPPER_PER_MARKET = 6_000_000;
export const GRANT_VALUE_PER_MARKET = 4_000_000;

export function itemGrant(profile: MarketProfile, lotSize: number): number {
  const units = Math.floor(GRANT_VALUE_PER_MARKET / profile.reference);
  return Math.max(lotSize * 50, units - (units % lotSize));
}
