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
  for (const e of batch) counts.set(e.stream, (counts.get(e.stream) ?? 0) + 1);
  const names = [...counts.keys()].sort();
  const tops = await rows<{ stream: string; version: number }>(tx, sql`
    insert into streams (stream, version)
    select s.stream, s.n from jsonb_to_recordset(${JSON.stringify(names.map((stream) => ({ stream, n: counts.get(stream) })))}::jsonb)
      as s(stream text, n int) order by s.stream
    on conflict (stream) do update set version = streams.version + excluded.version
    returning stream, version`);
  const next = new Map(tops.map((t) => [t.stream, Number(t.version) - counts.get(t.stream)! + 1]));
  const correlationId = ctx.correlationId ?? crypto.randomUUID();
  const appended = batch.map((e) => {
    const version = next.get(e.stream)!;
    next.set(e.stream, version + 1);
    return { ...e, version, eventId: crypto.randomUUID() };
  });
  await tx.execute(sql`
    insert into events (stream, version, type, payload, actor, causation_id, correlation_id, event_id)
    select e.stream, e.version, e.type, e.payload, ${ctx.actor}, ${ctx.causationId ?? null}::uuid, ${correlationId}::uuid, e.event_id
    from jsonb_to_recordset(${JSON.stringify(appended.map((a) => ({ stream: a.stream, version: a.version, type: a.type, payload: a.payload, event_id: a.eventId })))}::jsonb)
      as e(stream text, version int, type text, payload jsonb, event_id uuid)`);
  return appended;
}
