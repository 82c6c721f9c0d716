/** What the offer pages (app/routes/offers*.tsx) share on the server: CSRF, inventories to pick from. */
import { data } from "@remix-run/cloudflare";
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/db";
import { getInventory } from "../../db/inventory";
import type { OfferLine, OfferLineInput } from "../../db/offers";
import { verifySessionCsrf } from "../auth/csrf.server";
import type { ActiveSession } from "../auth/sessions.server";
import type { VisibleInventory } from "./players.server";

/** Throws the 403 page when the form's CSRF token (or its origin) is wrong. */
export function requireCsrf(request: Request, form: FormData, session: ActiveSession): void {
  const refused = verifySessionCsrf(request, form, session);
  if (refused) throw data(refused.message, { status: refused.status });
}

/** My side of the compose form: available gold, stacks and held unique items. */
export async function myPicks(db: Db, playerId: string) {
  const inv = await getInventory(db, playerId);
  return {
    copper: inv.balance.available,
    stacks: inv.stacks.filter((s) => s.available > 0).map(({ itemTypeId, name, icon, category, available }) => ({ itemTypeId, name, icon, category, available })),
    uniques: inv.uniques.filter((u) => u.state === "held").map(({ id, name, icon, metadata }) => ({ id, name, icon, metadata })),
  };
}

/** The other player's side: what could be asked for. Never their gold. */
export function theirPicks(inv: VisibleInventory) {
  return {
    stacks: inv.stacks.map(({ itemTypeId, name, icon, category, available }) => ({ itemTypeId, name, icon, category, available })),
    uniques: inv.uniques.map(({ id, name, icon, metadata }) => ({ id, name, icon, metadata })),
  };
}

export function toInput(l: OfferLine): OfferLineInput {
  if (l.kind === "unique") return { kind: "unique", itemId: l.itemId! };
  if (l.kind === "stack") return { kind: "stack", itemTypeId: l.itemTypeId!, quantity: l.quantity };
  return { kind: "currency", quantity: l.quantity };
}

/** The counter offer that answered this one, if any (both are between the same two players). */
export async function counterOfferId(db: Db, offerId: string): Promise<string | undefined> {
  const [row] = await rows<{ id: string }>(db, sql`select id::text as id from trade_offers where counter_of_id = ${offerId}::uuid limit 1`);
  return row?.id;
}
