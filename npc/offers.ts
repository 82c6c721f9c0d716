/**
 * How an NPC answers a trade offer: it values both sides and accepts when what it gets is worth at
 * least 95% of what it hands over, declines otherwise (or when it cannot value a line). Stacks are
 * valued at their market's last price, unique items at the world's list value, gold at face.
 * Pure: npc/live.ts fetches the offers and the prices and calls accept or decline.
 */
export interface OfferLine {
  /** give: the sender hands it over (the NPC gets it); ask: the NPC hands it over. */
  direction: "give" | "ask";
  kind: "currency" | "stack" | "unique";
  itemTypeId: number | null;
  quantity: number;
  name: string;
}

export interface Prices {
  /** Copper per item of a stackable type (its market's last price), if it trades. */
  stack(itemTypeId: number): number | undefined;
  /** Copper for one unique item of a type, if the world lists a value. */
  unique(itemTypeId: number): number | undefined;
}

export interface Verdict {
  accept: boolean;
  /** Copper values of what the NPC gets and hands over (integers). */
  gets: number;
  gives: number;
  why: string;
}

/** Accept when gets >= 95% of gives (integer maths: gets * 100 >= gives * 95). */
export const ACCEPT_PERCENT = 95;

export function judgeOffer(lines: readonly OfferLine[], prices: Prices): Verdict {
  let gets = 0;
  let gives = 0;
  for (const line of lines) {
    const each =
      line.kind === "currency" ? 1 : line.itemTypeId === null ? undefined : line.kind === "stack" ? prices.stack(line.itemTypeId) : prices.unique(line.itemTypeId);
    if (each === undefined) return { accept: false, gets, gives, why: `no price known for ${line.name}` };
    const value = each * line.quantity;
    if (line.direction === "give") gets += value;
    else gives += value;
  }
  const accept = gets * 100 >= gives * ACCEPT_PERCENT;
  return { accept, gets, gives, why: accept ? "a fair price" : `worth ${gets} copper for ${gives} copper asked` };
}

/** List values (copper) of the unique items the world prices, by item type slug. */
export const uniqueValues: Readonly<Record<string, number>> = {
  "iron-sword": 2_000,
  "leather-boots": 3_000,
  "oak-staff": 6_000,
  chainmail: 8_000,
  "war-hammer": 9_000,
  "mage-robe": 12_000,
  "elven-longbow": 25_000,
  "plate-armour": 30_000,
  flamebrand: 50_000,
  "golden-mount-saddle": 80_000,
  "crown-of-the-north": 120_000,
  "phoenix-cloak": 150_000,
  "pet-dragonling": 250_000,
};
