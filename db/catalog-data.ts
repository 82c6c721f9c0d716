/**
 * The demo world's item catalog. Prices and sizes are integers: tick size is in copper per item,
 * lot size in items. Stackable types get one market each; unique types trade through offers.
 */
export interface CatalogEntry {
  slug: string;
  name: string;
  description: string;
  category: "ores" | "potions" | "weapons" | "armour" | "cosmetics" | "materials" | "food" | "scrolls";
  icon: string;
  stackable: boolean;
  tickSize?: number;
  lotSize?: number;
}

const stack = (slug: string, name: string, category: CatalogEntry["category"], icon: string, description: string, tickSize = 1, lotSize = 1): CatalogEntry =>
  ({ slug, name, category, icon, description, stackable: true, tickSize, lotSize });
const unique = (slug: string, name: string, category: CatalogEntry["category"], icon: string, description: string): CatalogEntry =>
  ({ slug, name, category, icon, description, stackable: false });

export const catalog: CatalogEntry[] = [
  stack("copper-ore", "Copper Ore", "ores", "🟤", "Soft reddish ore from the shallow mines. Smelts into copper bars.", 1, 10),
  stack("iron-ore", "Iron Ore", "ores", "⛏️", "Dense grey ore, the backbone of every smithy.", 1, 10),
  stack("silver-ore", "Silver Ore", "ores", "🪨", "Bright ore prized by jewellers and vampire hunters.", 5, 5),
  stack("gold-ore", "Gold Ore", "ores", "🟡", "Heavy glittering ore found deep below the Ashen Hills.", 10, 1),
  stack("mithril-ore", "Mithril Ore", "ores", "💎", "Feather-light ore that rings like a bell when struck.", 50, 1),
  stack("coal", "Coal", "ores", "⚫", "Fuel for furnaces. Every smith needs a steady supply.", 1, 10),
  stack("health-potion", "Health Potion", "potions", "❤️", "Restores health over a few seconds. Tastes of cherries.", 1, 1),
  stack("mana-potion", "Mana Potion", "potions", "🔵", "Restores mana. A staple of every spellcaster's belt.", 1, 1),
  stack("elixir-of-haste", "Elixir of Haste", "potions", "⚡", "Grants a burst of speed for thirty seconds.", 5, 1),
  stack("antidote", "Antidote", "potions", "🧪", "Cures poison from spiders, snakes and bad cooking.", 1, 1),
  stack("fire-resistance-potion", "Fire Resistance Potion", "potions", "🔥", "Halves fire damage. Essential for the Ember Caverns.", 5, 1),
  stack("oak-log", "Oak Log", "materials", "🪵", "Sturdy timber for bows, shields and furniture.", 1, 10),
  stack("leather", "Leather", "materials", "🟫", "Tanned hide used in light armour and bags.", 1, 5),
  stack("silk-thread", "Silk Thread", "materials", "🧵", "Fine thread spun by cave spiders. Used in robes.", 2, 5),
  stack("dragon-scale", "Dragon Scale", "materials", "🐉", "A scale shed by an elder dragon. Nearly indestructible.", 100, 1),
  stack("bread", "Bread", "food", "🍞", "A fresh loaf. Restores a little stamina.", 1, 1),
  stack("roast-boar", "Roast Boar", "food", "🍖", "A hearty meal that restores stamina for an hour.", 2, 1),
  stack("arrow", "Arrow", "weapons", "🏹", "Standard fletched arrows, sold by the bundle.", 1, 50),
  stack("scroll-of-teleport", "Scroll of Teleport", "scrolls", "📜", "Returns you to the nearest town. Single use.", 5, 1),
  stack("scroll-of-identify", "Scroll of Identify", "scrolls", "🔍", "Reveals the hidden properties of one item.", 2, 1),
  unique("iron-sword", "Iron Sword", "weapons", "🗡️", "A reliable blade. Each one is forged with its own quirks."),
  unique("flamebrand", "Flamebrand", "weapons", "⚔️", "A sword wreathed in fire, rolled with random enchantments."),
  unique("elven-longbow", "Elven Longbow", "weapons", "🎯", "A graceful bow with remarkable range."),
  unique("war-hammer", "War Hammer", "weapons", "🔨", "Crushes armour and skulls alike."),
  unique("oak-staff", "Oak Staff", "weapons", "🪄", "A wizard's staff carved from a lightning-struck oak."),
  unique("chainmail", "Chainmail", "armour", "🛡️", "Interlocking rings that turn aside blades."),
  unique("plate-armour", "Plate Armour", "armour", "🦾", "Heavy full plate, each suit fitted to a champion."),
  unique("leather-boots", "Leather Boots", "armour", "👢", "Soft boots for quiet footsteps."),
  unique("mage-robe", "Mage Robe", "armour", "🥼", "Silk robes embroidered with runes of warding."),
  unique("crown-of-the-north", "Crown of the North", "cosmetics", "👑", "A rare cosmetic crown from the winter festival."),
  unique("phoenix-cloak", "Phoenix Cloak", "cosmetics", "🪶", "A cloak of shimmering feathers. Purely for show."),
  unique("golden-mount-saddle", "Golden Saddle", "cosmetics", "🐎", "A gilded saddle skin for your mount."),
  unique("pet-dragonling", "Pet Dragonling", "cosmetics", "🦎", "A tiny dragon that follows you around."),
];
