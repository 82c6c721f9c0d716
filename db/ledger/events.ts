/**
 * Appending events. Each event gets the next version of its stream; the `streams` row is locked by
 * the upsert, so appends to one stream serialize while different streams proceed in parallel.
 * Readers after the fact use (stream, version), never the bigserial id (see ARCHITECTURE.md).
 */
import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { LedgerCtx } from "./types";
import { newId } from "../ids";

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
  const prepared = prepareEvents(ctx, batch);
  // One statement: take the next versions of each stream (row-locked upsert), then insert.
  const inserted = await rows<{ event_id: string; version: number }>(tx, sql`with ${eventCtes(prepared)} ${insertEvents(prepared)}`);
  const versionOf = new Map(inserted.map((r) => [r.event_id, Number(r.version)]));
  return batch.map((e, i) => ({ ...e, version: versionOf.get(prepared.rows[i]!.event_id)!, eventId: prepared.rows[i]!.event_id }));
}

/** Events ready to insert: each one's place in its stream's run (idx) and its id. */
export interface PreparedEvents {
  ctx: LedgerCtx;
  correlationId: string;
  rows: Array<{ stream: string; idx: number; type: string; payload: Record<string, unknown>; event_id: string }>;
  streams: Array<{ stream: string; n: number }>;
}

export function prepareEvents(ctx: LedgerCtx, batch: NewEvent[]): PreparedEvents {
  const counts = new Map<string, number>();
  const rowsOut = batch.map((e) => {
    const idx = (counts.get(e.stream) ?? 0) + 1;
    counts.set(e.stream, idx);
    return { stream: e.stream, idx, type: e.type, payload: e.payload, event_id: newId() };
  });
  const streams = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([stream, n]) => ({ stream, n }));
  return { ctx, correlationId: ctx.correlationId ?? crypto.randomUUID(), rows: rowsOut, streams };
}

/** CTEs ev_s (the streams' new versions, row-locked in stream order) and ev_n, for insertEvents. */
export function eventCtes(p: PreparedEvents): SQL {
  return sql`
    ev_s as (
      insert into streams (stream, version)
      select s.stream, s.n from jsonb_to_recordset(${JSON.stringify(p.streams)}::jsonb) as s(stream text, n int) order by s.stream
      on conflict (stream) do update set version = streams.version + excluded.version
      returning stream, version),
    ev_n as (select * from jsonb_to_recordset(${JSON.stringify(p.streams)}::jsonb) as n(stream text, n int))`;
}

/** The insert itself (after eventCtes), returning each event's id and version. */
export function insertEvents(p: PreparedEvents): SQL {
  return sql`
    insert into events (stream, version, type, payload, actor, causation_id, correlation_id, event_id)
    select e.stream, s.version - n.n + e.idx, e.type, e.payload, ${p.ctx.actor}, ${p.ctx.causationId ?? null}::uuid, ${p.correlationId}::uuid, e.event_id
    from jsonb_to_recordset(${JSON.stringify(p.rows)}::jsonb) as e(stream text, idx int, type text, payload jsonb, event_id uuid)
    join ev_s s on s.stream = e.stream join ev_n n on n.stream = e.stream
    returning event_id::text as event_id, version`;
}
