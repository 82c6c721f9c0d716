/**
 * What game servers mint and burn, through the ledger (one event per line, actor "server:<name>").
 * A batch of grants is one transaction, all or nothing; a line that cannot be applied is named by
 * its index. Set-based: the whole batch is a handful of statements whatever its size.
 */
import { sql } from "drizzle-orm";
import { settleDebts } from "../debts/settle";
import { pgErrorCode, rows, type Db } from "../db";
import { burn, burnUnique, CURRENCY, LedgerError, recordMany, type LedgerCtx, type LedgerEntry } from "../ledger";
import { chargeSupplyAndLimits } from "./limits";
import { metadataProblem } from "./metadata";
import type { GameServer } from "./scopes";

export type GrantLine =
  | { kind: "currency"; playerId: string; amount: number }
  | { kind: "stack"; playerId: string; itemType: string; quantity: number }
  | { kind: "unique"; playerId: string; itemType: string; metadata: Record<string, unknown> };

export type GrantResult =
  | { kind: "currency"; playerId: string; amount: number }
  | { kind: "stack"; playerId: string; itemType: string; itemTypeId: number; quantity: number }
  | { kind: "unique"; playerId: string; itemType: string; itemTypeId: number; itemId: string };

/** A line of a batch that cannot be applied: nothing of the batch is. */
export class GrantLineError extends Error {
  /** index: the line of a batch, or null for a single-item call. */
  constructor(readonly index: number | null, readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

interface TypeRow {
  id: number;
  slug: string;
  stackable: boolean;
  metadata_schema: unknown;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** `batch`: the lines came as a batch (errors name the line: grants[i]), not as one single-item call. */
export async function applyGrants(tx: Db, ctx: LedgerCtx, server: GameServer, lines: GrantLine[], reason: string | null, batch = lines.length > 1): Promise<GrantResult[]> {
  const where = (i: number) => (batch ? `grants[${i}]: ` : "");
  const at = (i: number) => (batch ? i : null);
  // Item types by slug, and each line's fit with its type.
  const slugs = [...new Set(lines.flatMap((l) => (l.kind === "currency" ? [] : [l.itemType])))];
  const types = slugs.length === 0 ? [] : await rows<TypeRow>(tx, sql`
    select id, slug, stackable, metadata_schema from item_types where slug = any(${`{${slugs.join(",")}}`}::text[])`);
  const typeOf = new Map(types.map((t) => [t.slug, t]));
  lines.forEach((l, i) => {
    if (l.kind === "currency") return;
    const t = typeOf.get(l.itemType);
    if (!t) throw new GrantLineError(at(i), 404, "unknown_item_type", `${where(i)}there is no item type ${l.itemType}`);
    if (l.kind === "stack" && !t.stackable) throw new GrantLineError(at(i), 400, "not_stackable", `${where(i)}${l.itemType} is a unique item type: grant it with kind "unique" and metadata`);
    if (l.kind === "unique" && t.stackable) throw new GrantLineError(at(i), 400, "not_unique", `${where(i)}${l.itemType} is stackable: grant it with kind "stack" and a quantity`);
    if (l.kind === "unique") {
      const problem = metadataProblem(t.metadata_schema, l.metadata);
      if (problem) throw new GrantLineError(at(i), 400, "invalid_metadata", `${where(i)}the metadata does not fit ${l.itemType}'s schema: ${problem}`);
    }
  });
  // Every player exists. With one player (the single-item calls) the foreign keys say so on the way
  // (the ledger maps the violation to unknown_player): one round trip fewer on the common path.
  const playerIds = [...new Set(lines.map((l) => l.playerId))];
  if (playerIds.length > 1) {
    const found = await rows<{ id: string }>(tx, sql`select id::text as id from players where id = any(${`{${playerIds.join(",")}}`}::uuid[])`);
    const known = new Set(found.map((r) => r.id));
    const missing = lines.findIndex((l) => !known.has(l.playerId));
    if (missing >= 0) throw new GrantLineError(at(missing), 404, "unknown_player", `${where(missing)}there is no player ${lines[missing]!.playerId}`);
  }
  const noPlayer = () => new GrantLineError(at(0), 404, "unknown_player", `${where(0)}there is no player ${playerIds[0]}`);

  // Totals per asset (supply), per limit kind, with overflow checks.
  const perAsset = new Map<number, number>();
  const wanted = { currency: 0, items: 0 };
  const add = (i: number, asset: number, n: number) => {
    const next = (perAsset.get(asset) ?? 0) + n;
    const kind = asset === CURRENCY ? "currency" : "items";
    if (next > MAX || wanted[kind] + n > MAX) throw new GrantLineError(at(i), 400, "invalid_amount", `${where(i)}the batch's total would pass ${MAX}`);
    perAsset.set(asset, next);
    wanted[kind] += n;
  };
  const entries: LedgerEntry[] = [];
  const results: GrantResult[] = [];
  const uniques: Array<{ id: string; type: number; owner: string; metadata: Record<string, unknown> }> = [];
  const data = { reason, server: server.name };
  lines.forEach((l, i) => {
    if (l.kind === "currency") {
      add(i, CURRENCY, l.amount);
      entries.push({ stream: `player:${l.playerId}`, type: "minted", postings: [{ player: l.playerId, asset: CURRENCY, available: l.amount, reserved: 0 }], supply: [{ asset: CURRENCY, minted: l.amount }], data });
      results.push({ kind: "currency", playerId: l.playerId, amount: l.amount });
    } else if (l.kind === "stack") {
      const t = typeOf.get(l.itemType)!;
      add(i, t.id, l.quantity);
      entries.push({ stream: `player:${l.playerId}`, type: "minted", postings: [{ player: l.playerId, asset: t.id, available: l.quantity, reserved: 0 }], supply: [{ asset: t.id, minted: l.quantity }], data });
      results.push({ kind: "stack", playerId: l.playerId, itemType: l.itemType, itemTypeId: t.id, quantity: l.quantity });
    } else {
      const t = typeOf.get(l.itemType)!;
      add(i, t.id, 1);
      const id = crypto.randomUUID();
      uniques.push({ id, type: t.id, owner: l.playerId, metadata: l.metadata });
      entries.push({ stream: `item:${id}`, type: "item_minted", supply: [{ asset: t.id, minted: 1 }], items: [{ id, type: t.id, owner: l.playerId, state: "held", v: 1, metadata: l.metadata }], data });
      results.push({ kind: "unique", playerId: l.playerId, itemType: l.itemType, itemTypeId: t.id, itemId: id });
    }
  });

  try {
    if (uniques.length > 0) {
      await tx.execute(sql`
        insert into items (id, item_type_id, owner_id, state, version, metadata)
        select u.id, u.type, u.owner, 'held', 1, u.metadata
        from jsonb_to_recordset(${JSON.stringify(uniques)}::jsonb) as u(id uuid, type int, owner uuid, metadata jsonb)`);
    }
    // Balances and holdings first, then supply and the server's hourly usage (hot rows: last, held briefly).
    await recordMany(tx, ctx, entries);
  } catch (error) {
    if (playerIds.length === 1 && (pgErrorCode(error) === "23503" || (error instanceof LedgerError && error.code === "unknown_player"))) throw noPlayer();
    throw error;
  }
  // A player in debt after a rollback pays it first out of what the faucet gave (ADR 038): one
  // indexed probe of the open debts when nobody owes anything.
  await settleDebts(tx, ctx, playerIds, [...perAsset.keys()]);
  await chargeSupplyAndLimits(tx, server, perAsset, wanted);
  return results;
}

export type BurnLine =
  | { kind: "currency"; playerId: string; amount: number }
  | { kind: "stack"; playerId: string; itemType: string; quantity: number }
  | { kind: "unique"; playerId: string; itemId: string };

/** A sink: takes currency, items or one unique item from a player's available holdings. */
export async function applyBurn(tx: Db, ctx: LedgerCtx, server: GameServer, line: BurnLine, reason: string | null): Promise<void> {
  const why = reason ?? `burned by ${server.name}`;
  if (line.kind === "currency") return burn(tx, ctx, { playerId: line.playerId, asset: CURRENCY, amount: line.amount, reason: why });
  if (line.kind === "unique") return burnUnique(tx, ctx, { itemId: line.itemId, playerId: line.playerId, reason: why });
  const [t] = await rows<{ id: number }>(tx, sql`select id from item_types where slug = ${line.itemType}`);
  if (!t) throw new LedgerError("unknown_item_type", `there is no item type ${line.itemType}`);
  return burn(tx, ctx, { playerId: line.playerId, asset: t.id, amount: line.quantity, reason: why });
}
