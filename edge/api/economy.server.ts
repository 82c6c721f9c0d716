/** /api/v1/economy: the economy's faucets, sinks and money supply (public, like EVE's monthly report). */
import { z } from "zod";
import { readEconomyFigures } from "../../db/economy/figures";
import { PERIODS, readEconomyFlows, type Period } from "../../db/economy/read";
import { route, type ApiRoute } from "./router.server";

const Amounts = { minted: z.number().int(), burned: z.number().int(), sunk: z.number().int() };
const EconomyQuery = z.strictObject({
  period: z.enum(Object.keys(PERIODS) as [Period, ...Period[]]).optional().describe("24h, 7d, 30d or all (default 7d)"),
});
const EconomyFlows = z.object({
  period: z.string(),
  asOf: z.string().nullable().describe("When the figures last took in the event log (they follow it within about a minute)"),
  days: z.array(z.object({ day: z.string(), ...Amounts, moneySupply: z.number().int().describe("Currency held by everyone at the day's end, in copper") })),
  sources: z.array(z.object({ source: z.string(), asset: z.number().int().describe("0 = currency, else an item type id"), ...Amounts })),
  figures: z.object({
    from: z.string().describe("Start of the period (24h: by the hour; 7d/30d: UTC days)"),
    moneySupply: z.number().int().describe("Copper held by everyone now"),
    tradedValue: z.number().int().describe("Copper paid in market trades over the period"),
    velocity: z.number().describe("tradedValue / moneySupply"),
    priceIndex: z.object({
      basket: z.array(z.object({ item: z.number().int(), weight: z.number().describe("Share of the base period's traded value"), basePrice: z.number() })),
      points: z.array(z.object({ key: z.string().describe("Hour (24h) or UTC day"), index: z.number().describe("Laspeyres, base period = 100"), coverage: z.number().describe("Share of the basket's base value priced by trades then"), priced: z.number().int() })),
      inflation: z.number().describe("Percent change of the index over the period"),
    }),
    wealth: z.object({ players: z.number().int(), gini: z.number().describe("Gini over net worth at last traded prices"), top1: z.number(), top10: z.number() }),
    markets: z.array(z.object({
      item: z.number().int(), trades: z.number().int(), quantity: z.number().int(), notional: z.number().int(),
      high: z.number().int(), low: z.number().int(), close: z.number().int(),
      changeBps: z.number().int().nullable().describe("Last price against the last before the period (or the period's first)"),
    })).describe("Items traded in the period, by traded value (volumes and movers)"),
    supply: z.array(z.object({ asset: z.number().int(), supply: z.number().int() })).describe("Fungible supply per asset (0 = copper)"),
  }),
});

export const economyRoutes: ApiRoute[] = [
  route({
    method: "GET",
    path: "/api/v1/economy",
    operationId: "getEconomy",
    summary: "Faucets and sinks by source, money supply per day, and the period's figures: price index and inflation, Gini and top shares, velocity, market volumes and movers, supply per item",
    auth: "none",
    query: EconomyQuery,
    status: 200,
    response: EconomyFlows,
    async handler({ context, query }) {
      const period = query.period ?? "7d";
      const [flows, figures] = await Promise.all([readEconomyFlows(context.db, period), readEconomyFigures(context.db, period)]);
      const { period: _p, ...rest } = figures;
      return { ...flows, figures: rest };
    },
  }),
];
