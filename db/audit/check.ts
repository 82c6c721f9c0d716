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

/** Minted and burned per source (the event's actor: "server:<name>", "system:seed", "player:<id>"...) and asset. */
export interface SourceLine {
  source: string;
  asset: number;
  name: string;
  minted: bigint;
  burned: bigint;
}

export interface LedgerReport {
  assets: AssetLine[];
  sources: SourceLine[];
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
  const bySource = await rows<{ source: string; asset: number; minted: string; burned: string }>(db, sql`
    select e.actor as source, (s->>'asset')::int as asset,
      coalesce(sum((s->>'minted')::numeric), 0)::text as minted, coalesce(sum((s->>'burned')::numeric), 0)::text as burned
    from events e, jsonb_array_elements(e.payload->'supply') s
    where e.payload ? 'supply' and (s ? 'minted' or s ? 'burned') group by 1, 2 order by 1, 2`);
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

  // Each game server's hourly mint usage (its limits are charged there) agrees with its minted events.
  const usage = await rows<{ name: string; kind: string; usage: string | null; minted: string | null }>(db, sql`
    with u as (select s.name, u.kind, sum(u.amount) as amt from server_mint_usage u join game_servers s on s.id = u.server_id group by 1, 2),
    e as (select substr(e.actor, 8) as name, case when (s->>'asset')::int = 0 then 'currency' else 'items' end as kind, sum((s->>'minted')::numeric) as amt
          from events e, jsonb_array_elements(e.payload->'supply') s where e.actor like 'server:%' and s ? 'minted' group by 1, 2)
    select coalesce(u.name, e.name) as name, coalesce(u.kind, e.kind) as kind, u.amt::text as usage, e.amt::text as minted
    from u full join e on u.name = e.name and u.kind = e.kind where u.amt is distinct from e.amt`);
  for (const u of usage) problems.push(`game server ${u.name}: mint usage says ${u.usage ?? 0} ${u.kind}, its events say ${u.minted ?? 0}`);

  const [split] = await rows<{ n: string }>(db, sql`
    select count(*)::text as n from players p left join balances b on b.player_id = p.id
    where (p.frozen_at is not null) <> coalesce(b.frozen, false)`);
  if (split && split.n !== "0") problems.push(`${split.n} players are frozen on their account but not on their wallet, or the other way round`);

  const assets = [...lines.values()].sort((a, b) => a.asset - b.asset);
  // Player stream actors are many: one line for all players, one per server and system source.
  const merged = new Map<string, SourceLine>();
  for (const r of bySource) {
    const source = r.source.startsWith("player:") ? "player:*" : r.source.startsWith("room:") ? "room:*" : r.source;
    const k = `${source}|${r.asset}`;
    const l = merged.get(k) ?? { source, asset: r.asset, name: nameOf.get(r.asset) ?? `asset ${r.asset}`, minted: 0n, burned: 0n };
    l.minted += BigInt(r.minted);
    l.burned += BigInt(r.burned);
    merged.set(k, l);
  }
  const sources = [...merged.values()].filter((l) => l.minted !== 0n || l.burned !== 0n);
  return { assets, sources, problems, ok: problems.length === 0 };
}

export function formatReport(report: LedgerReport): string {
  const head = ["asset", "minted", "burned", "sunk", "held", ""];
  const body = report.assets.map((l) => [l.name, `${l.minted}`, `${l.burned}`, `${l.sunk}`, `${l.held}`, l.ok ? "OK" : "FAIL"]);
  const widths = head.map((_, i) => Math.max(head[i]!.length, ...body.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = [fmt(head), ...body.map(fmt)];
  if (report.sources.length > 0) {
    // Faucets and sinks by who ran them: each game server's mints show here (its hourly limits: docs/game-servers.md).
    const sh = ["minted/burned by source", "asset", "minted", "burned"];
    const sb = report.sources.map((l) => [l.source, l.name, `${l.minted}`, `${l.burned}`]);
    const sw = sh.map((_, i) => Math.max(sh[i]!.length, ...sb.map((r) => r[i]!.length)));
    const sf = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(sw[i]!) : c.padStart(sw[i]!))).join("  ");
    out.push("", sf(sh), ...sb.map(sf), "");
  }
  for (const p of report.problems) out.push(`FAIL ${p}`);
  out.push(report.ok ? "ledger OK" : "ledger FAIL");
  return out.join("\n");
}
