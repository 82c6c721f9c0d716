/**
 * What a rollback wants back: for a fill, an offer or a mint, each thing that moved, from the player
 * who received it to where it came from (`to` null: out of the economy, for a mint). Read from the
 * fills row or the target's ledger event; nothing here writes.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { CURRENCY, type ItemChange, type Posting } from "../ledger";

export type TargetKind = "fill" | "offer" | "mint";

export interface Want {
  from: string;
  to: string | null;
  asset: number;
  amount: number;
  /** A unique item: its id (amount 1). */
  item?: string;
}

export class RollbackError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = "RollbackError";
  }
}

export async function wantsOf(db: Db, kind: TargetKind, targetId: string): Promise<{ wants: Want[]; notes: string[] }> {
  if (kind === "fill") return fillWants(db, targetId);
  if (kind === "offer") return offerWants(db, targetId);
  return mintWants(db, targetId);
}

async function fillWants(db: Db, id: string) {
  if (!/^\d{1,18}$/.test(id)) throw new RollbackError(400, "bad_target", `The fill id must be a number; got "${id}".`);
  const [f] = await rows<{ maker: string; taker: string; side: string; price: string; qty: string; mfee: string; tfee: string; asset: number }>(db, sql`
    select f.maker_player_id::text as maker, f.taker_player_id::text as taker, f.taker_side as side, f.price::text as price,
      f.quantity::text as qty, f.maker_fee::text as mfee, f.taker_fee::text as tfee, m.item_type_id as asset
    from fills f join markets m on m.slug = f.market_slug where f.id = ${Number(id)}`);
  if (!f) throw new RollbackError(404, "unknown_target", `There is no fill ${id}.`);
  const [buyer, seller] = f.side === "buy" ? [f.taker, f.maker] : [f.maker, f.taker];
  const [buyerFee, sellerFee] = f.side === "buy" ? [Number(f.tfee), Number(f.mfee)] : [Number(f.mfee), Number(f.tfee)];
  const quantity = Number(f.qty);
  const received = Number(f.price) * quantity - sellerFee;
  const wants: Want[] = [{ from: buyer, to: seller, asset: f.asset, amount: quantity }];
  if (received > 0) wants.push({ from: seller, to: buyer, asset: CURRENCY, amount: received });
  const notes = buyerFee + sellerFee > 0 ? [`The fees (${buyerFee} buyer, ${sellerFee} seller) were sunk and stay sunk: a rollback never creates money.`] : [];
  return { wants, notes };
}

async function offerWants(db: Db, id: string) {
  const [e] = await rows<{ payload: { from: string; to: string; postings?: Posting[]; items?: ItemChange[] } }>(db, sql`
    select payload from events where stream = ${`offer:${id}`} and type = 'offer_settled' limit 1`);
  if (!e) throw new RollbackError(404, "unknown_target", `Offer ${id} was not settled: there is nothing to roll back.`);
  const { from, to } = e.payload;
  const other = (p: string) => (p === from ? to : from);
  const wants: Want[] = [];
  for (const p of e.payload.postings ?? []) if (p.available > 0) wants.push({ from: p.player, to: other(p.player), asset: p.asset, amount: p.available });
  for (const i of e.payload.items ?? []) wants.push({ from: i.owner!, to: other(i.owner!), asset: i.type, amount: 1, item: i.id });
  return { wants, notes: [] };
}

async function mintWants(db: Db, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new RollbackError(400, "bad_target", `A mint is named by its event id (a uuid); got "${id}".`);
  const [e] = await rows<{ type: string; payload: { postings?: Posting[]; items?: ItemChange[] } }>(db, sql`
    select type, payload from events where event_id = ${id}::uuid`);
  if (!e || (e.type !== "minted" && e.type !== "item_minted")) throw new RollbackError(404, "unknown_target", `There is no mint event ${id}.`);
  const wants: Want[] = [];
  for (const p of e.payload.postings ?? []) if (p.available > 0) wants.push({ from: p.player, to: null, asset: p.asset, amount: p.available });
  for (const i of e.payload.items ?? []) wants.push({ from: i.owner!, to: null, asset: i.type, amount: 1, item: i.id });
  return { wants, notes: [] };
}
