/**
 * Appending events. Each event gets the next version of its stream; the `streams` row is locked by
 * the upsert, so appends to one stream serialize while different streams proceed in parallel.
 * Readers after the fact use (stream, version), never the bigserial id (see ARCHITECTURE.md).
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { LedgerCtx } from "./types";

export interface NewEvent {
  stream: string;
  type: string;
  payload: Record<string, unknown>;
}

export interface AppendedEvent extends NewEvent {
  version: number;
  eventId: string;
}

export async function appendEvents(tx: Db, ctx: LedgerCtx, batch: NewEvent[]): Promise<AppendedEvent[]> {
  if (batch.length === 0) return [];
  const counts = new Map<string, number>();
  const rowsOut = batch.map((e) => {
    const idx = (counts.get(e.stream) ?? 0) + 1;
    counts.set(e.stream, idx);
    return { stream: e.stream, idx, type: e.type, payload: e.payload, event_id: crypto.randomUUID() };
  });
  const streamsIn = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stream, n]) => ({ stream, n }));
  const correlationId = ctx.correlationId ?? crypto.randomUUID();
  // One statement: take the next versions of each stream (row-locked upsert), then insert.
  const inserted = await rows<{ event_id: string; version: number }>(tx, sql`
    with s as (
      insert into streams (stream, version)
      select s.stream, s.n from jsonb_to_recordset(${JSON.stringify(streamsIn)}::jsonb) as s(stream text, n int) order by s.stream
      on conflict (stream) do update set version = streams.version + excluded.version
      returning stream, version),
    n as (select * from jsonb_to_recordset(${JSON.stringify(streamsIn)}::jsonb) as n(stream text, n int))
    insert into events (stream, version, type, payload, actor, causation_id, correlation_id, event_id)
    select e.stream, s.version - n.n + e.idx, e.type, e.payload, ${ctx.actor}, ${ctx.causationId ?? null}::uuid, ${correlationId}::uuid, e.event_id
    from jsonb_to_recordset(${JSON.stringify(rowsOut)}::jsonb) as e(stream text, idx int, type text, payload jsonb, event_id uuid)
    join s on s.stream = e.stream join n on n.stream = e.stream
    returning event_id::text as event_id, version`);
  const versionOf = new Map(inserted.map((r) => [r.event_id, Number(r.version)]));
  return batch.map((e, i) => ({ ...e, version: versionOf.get(rowsOut[i]!.event_id)!, eventId: rowsOut[i]!.event_id }));
}
