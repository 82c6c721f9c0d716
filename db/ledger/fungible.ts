/**
 * Currency and stackable items: faucet (mint), sink (burn), transfer, reserve, release.
 * Each call is one event; all run inside the caller's transaction (see withTx in db/db.ts).
 */
import type { Db } from "../db";
import { assertFungible } from "./assets";
import { record } from "./record";
import { addBurned, addMinted } from "./supply";
import { assertAmount, LedgerError, type Asset, type LedgerCtx } from "./types";

interface Move {
  asset: Asset;
  amount: number;
  /** Free text kept in the event: "starter kit", "quest reward", "order <id>"... */
  reason?: string;
  /** Stream the event goes to; defaults to the player's own stream. */
  stream?: string;
}

export async function mint(tx: Db, ctx: LedgerCtx, m: Move & { playerId: string }) {
  assertAmount(m.amount, "amount");
  await assertFungible(tx, m.asset);
  await addMinted(tx, m.asset, m.amount);
  await record(tx, ctx, {
    stream: m.stream ?? `player:${m.playerId}`,
    type: "minted",
    postings: [{ player: m.playerId, asset: m.asset, available: m.amount, reserved: 0 }],
    supply: [{ asset: m.asset, minted: m.amount }],
    data: { reason: m.reason ?? null },
  });
}

export async function burn(tx: Db, ctx: LedgerCtx, m: Move & { playerId: string }) {
  assertAmount(m.amount, "amount");
  await assertFungible(tx, m.asset);
  await record(tx, ctx, {
    stream: m.stream ?? `player:${m.playerId}`,
    type: "burned",
    postings: [{ player: m.playerId, asset: m.asset, available: -m.amount, reserved: 0 }],
    supply: [{ asset: m.asset, burned: m.amount }],
    data: { reason: m.reason ?? null },
  });
  await addBurned(tx, m.asset, m.amount);
}

export async function transfer(tx: Db, ctx: LedgerCtx, m: Move & { from: string; to: string }) {
  assertAmount(m.amount, "amount");
  if (m.from === m.to) throw new LedgerError("invalid_amount", "cannot transfer to the same player", 400);
  await assertFungible(tx, m.asset);
  await record(tx, ctx, {
    stream: m.stream ?? `player:${m.from}`,
    type: "transferred",
    postings: [
      { player: m.from, asset: m.asset, available: -m.amount, reserved: 0 },
      { player: m.to, asset: m.asset, available: m.amount, reserved: 0 },
    ],
    data: { from: m.from, to: m.to, reason: m.reason ?? null },
  });
}

/** available -> reserved (an order's escrow). Throws insufficient_* if the player lacks it. */
export async function reserve(tx: Db, ctx: LedgerCtx, m: Move & { playerId: string }) {
  assertAmount(m.amount, "amount");
  await assertFungible(tx, m.asset);
  await record(tx, ctx, {
    stream: m.stream ?? `player:${m.playerId}`,
    type: "reserved",
    postings: [{ player: m.playerId, asset: m.asset, available: -m.amount, reserved: m.amount }],
    data: { reason: m.reason ?? null },
  });
}

/** reserved -> available (an order canceled, expired or filled for less). */
export async function release(tx: Db, ctx: LedgerCtx, m: Move & { playerId: string }) {
  assertAmount(m.amount, "amount");
  await assertFungible(tx, m.asset);
  await record(tx, ctx, {
    stream: m.stream ?? `player:${m.playerId}`,
    type: "released",
    postings: [{ player: m.playerId, asset: m.asset, available: m.amount, reserved: -m.amount }],
    data: { reason: m.reason ?? null },
  });
}
