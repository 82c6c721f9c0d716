/**
 * The feature flags at the edge (issue 21, ADR 026): one cache per isolate (FLAG_CACHE_TTL_MS),
 * every flag decided once per request for the visitor and memoized on the request's context, each
 * decision counted by arm (bazaar_flag_decisions_total) and put on the request's log line. The
 * root loader passes them to the app (`useFlags`); a loader that gates a page asks `flagOn`.
 */
import { loadFlagRules } from "../../db/feature-flags";
import type { Db } from "../../db/db";
import type { AppLoadContext } from "../context.server";
import { edgeOutcomes } from "../metrics/outcomes";
import { FlagCache, observeFlags, type Who } from "./flags";

/** Every flag the code asks about, with what it gates (the rows come from migrations). */
export const FLAGS = {
  "traders-dashboard": "My dashboard (/dashboard) and the home page's link to it",
} as const;
export type FlagKey = keyof typeof FLAGS;
export type Flags = Record<string, boolean>;

/** The loader gets the request's database lazily: a warm cache never opens a pool. */
let cache: FlagCache<() => Db> | undefined;
const decided = new WeakMap<AppLoadContext, Promise<Flags>>();

/** Every flag's on/off for this request's visitor (decided once per request). */
export function flagsFor(context: AppLoadContext, player: { id: string; roles: readonly string[] } | undefined): Promise<Flags> {
  const memo = decided.get(context);
  if (memo) return memo;
  if (!cache || cache.ttlMs !== context.env.FLAG_CACHE_TTL_MS) cache = new FlagCache<() => Db>((db) => loadFlagRules(db()), context.env.FLAG_CACHE_TTL_MS);
  const who: Who = { playerId: player?.id ?? null, roles: player?.roles ?? [] };
  const flags = cache
    .decideAll(who, () => context.db, observeFlags(edgeOutcomes, (context.flagArms ??= {})))
    .then((all) => Object.fromEntries(Object.entries(all).map(([key, d]) => [key, d.on])));
  decided.set(context, flags);
  return flags;
}

export async function flagOn(context: AppLoadContext, player: { id: string; roles: readonly string[] } | undefined, key: FlagKey): Promise<boolean> {
  return (await flagsFor(context, player))[key] === true;
}
