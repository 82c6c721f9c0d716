/**
 * The conservation check. For the currency and every item type:
 *   minted - burned - sunk (summed from the events) == held (summed from the read models)
 * plus: no negative amounts anywhere, every live unique item has exactly one owner, and the
 * faucet/sink totals kept in `supply` agree with the events.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";

export interface AssetLine {
  asset: number;
  name: string;
  minted: bigint;
  burned: bigint;
  sunk: bigint;
  held: bigint;
  ok: boolean;
}

export interface LedgerReport {
  assets: AssetLine[];
  problems: string[];
  ok: boolean;
}

export async function checkLedger(db: Db): Promise<LedgerReport> {
  const flows = await rows<{ asset: number; minted: string; burned: string; sunk: string }>(db, sql`
    select (s->>'asset')::int as asset,
      coalesce(sum((s->>'minted')::numeric), 0)::text as minted,
      coalesce(sum((s->>'burned')::numeric), 0)::text as burned,
      coalesce(sum((s->>'sunk')::numeric), 0)::text as sunk
    from events e, jsonb_array_elements(e.payload->'supply') s
    where e.payload ? 'supply' group by 1`);
  const held = await rows<{ asset: number; held: string }>(db, sql`
    select 0 as asset, coalesce(sum(available + reserved), 0)::text as held from balances
    union all select item_type_id, sum(available + reserved)::text from holdings group by item_type_id
    union all select item_type_id, count(*)::text from items where state <> 'burned' group by item_type_id`);
  const names = await rows<{ id: number; name: string }>(db, sql`select id, name from item_types`);
  const supplyRows = await rows<{ asset: number; minted: string; burned: string }>(db, sql`
    select asset, minted::text, burned::text from supply`);

  const nameOf = new Map<number, string>([[0, "currency (copper)"], ...names.map((n) => [n.id, n.name] as const)]);
  const lines = new Map<number, AssetLine>();
  const line = (asset: number) => {
    let l = lines.get(asset);
    if (!l) lines.set(asset, (l = { asset, name: nameOf.get(asset) ?? `asset ${asset}`, minted: 0n, burned: 0n, sunk: 0n, held: 0n, ok: true }));
    return l;
  };
  line(0);
  for (const f of flows) Object.assign(line(f.asset), { minted: BigInt(f.minted), burned: BigInt(f.burned), sunk: BigInt(f.sunk) });
  for (const h of held) line(h.asset).held += BigInt(h.held);

  const problems: string[] = [];
  for (const l of lines.values()) {
    l.ok = l.minted - l.burned - l.sunk === l.held;
    if (!l.ok) problems.push(`${l.name}: minted ${l.minted} - burned ${l.burned} - sunk ${l.sunk} != held ${l.held}`);
  }
  for (const s of supplyRows) {
    const l = line(s.asset);
    if (BigInt(s.minted) !== l.minted || BigInt(s.burned) !== l.burned) {
      problems.push(`${l.name}: supply table says minted ${s.minted} burned ${s.burned}, events say ${l.minted} and ${l.burned}`);
    }
  }
  const [neg] = await rows<{ n: string }>(db, sql`
    select ((select count(*) from balances where available < 0 or reserved < 0)
      + (select count(*) from holdings where available < 0 or reserved < 0))::text as n`);
  if (neg && neg.n !== "0") problems.push(`${neg.n} balances or holdings are negative`);
  const [orphans] = await rows<{ n: string }>(db, sql`
    select count(*)::text as n from items where (state <> 'burned') <> (owner_id is not null)`);
  if (orphans && orphans.n !== "0") problems.push(`${orphans.n} unique items have no owner or a burned item has one`);

  const assets = [...lines.values()].sort((a, b) => a.asset - b.asset);
  return { assets, problems, ok: problems.length === 0 };
}

export function formatReport(report: LedgerReport): string {
  const head = ["asset", "minted", "burned", "sunk", "held", ""];
  const body = report.assets.map((l) => [l.name, `${l.minted}`, `${l.burned}`, `${l.sunk}`, `${l.held}`, l.ok ? "OK" : "FAIL"]);
  const widths = head.map((_, i) => Math.max(head[i]!.length, ...body.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = [fmt(head), ...body.map(fmt)];
  for (const p of report.problems) out.push(`FAIL ${p}`);
  out.push(report.ok ? "ledger OK" : "ledger FAIL");
  return out.join("\n");
}
