/**
 * A session's batch log line and spans (ADR 040), on PGlite and on the real Postgres: one JSON-able
 * line per batch with outcome, size, phases and the commands' trace id; a sampled command's span is
 * the batch span's parent, another sampled command is linked, an unsampled one records nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MarketSession, type BatchLog } from "../../party/market/session";
import type { MarketCommand } from "../../party/settlement/types";
import { Tracer } from "../../party/telemetry/tracer";
import { newSpanId, newTraceId, traceparentOf } from "../../party/telemetry/traceparent";
import { openTestDb, type TestDb } from "../support/db";
import { flatten, type ReceivedSpan } from "../support/otlp-receiver";
import { addMarket, fundedTrader } from "../support/market";

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb({ poolSize: 4 });
});
afterAll(async () => t?.close());

const place = (playerId: string, side: "buy" | "sell", price: number): MarketCommand => ({
  type: "place", playerId, clientOrderId: crypto.randomUUID(), side, orderType: "limit", price, quantity: 1,
});

function capturingTracer(ratio = 0) {
  const spans: ReceivedSpan[] = [];
  const tracer = new Tracer({ service: "bazaar-market", url: "http://collector/v1/traces", ratio }, async (_u, init) => {
    spans.push(...flatten(JSON.parse(String(init!.body))));
    return new Response("{}");
  });
  return { tracer, spans };
}

describe(`batch log and spans on ${process.env.TEST_DB ?? "pglite"}`, () => {
  it("logs one line per batch with its outcome, phases and trace id", async () => {
    const m = await addMarket(t.db);
    const p = await fundedTrader(t.db, [m.itemTypeId]);
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    const lines: BatchLog[] = [];
    session.log = (line) => lines.push(line);
    const traceId = newTraceId();
    expect((await session.submit(place(p, "sell", 500), traceparentOf(traceId, newSpanId(), false))).ok).toBe(true);
    expect((await session.submit({ type: "cancel", playerId: "not-a-uuid", orderId: crypto.randomUUID() } as MarketCommand)).ok).toBe(false);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: "info", msg: "batch", market: m.slug, outcome: "committed", size: 1, attempts: 1, traceId, traced: 1 });
    expect(Object.keys(lines[0]!.phases!)).toEqual(expect.arrayContaining(["queued", "begin", "read", "plan", "write", "commit", "publish"]));
    expect(lines[1]).toMatchObject({ level: "info", outcome: "refused", size: 1, traced: 0 });
    expect(lines[1]!.traceId).toBeUndefined();
    expect(JSON.parse(JSON.stringify(lines[0]))).toEqual(lines[0]);
  });

  it("a sampled command parents its batch; another sampled command is linked; unsampled ones record nothing", async () => {
    const m = await addMarket(t.db);
    const [a, b, c] = [await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId]), await fundedTrader(t.db, [m.itemTypeId])];
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    const { tracer, spans } = capturingTracer(0);
    session.tracing = { tracer };
    const [t1, t2, t3] = [newTraceId(), newTraceId(), newTraceId()];
    const [p1, p2] = [newSpanId(), newSpanId()];
    const answers = await Promise.all([
      session.submit(place(a, "sell", 700), traceparentOf(t1, p1, true)),
      session.submit(place(b, "buy", 700), traceparentOf(t2, p2, true)),
      session.submit(place(c, "sell", 900), traceparentOf(t3, newSpanId(), false)),
      session.submit(place(c, "sell", 901)),
    ]);
    expect(answers.every((x) => x.ok)).toBe(true);
    await tracer.flush();
    const commands = spans.filter((s) => s.name === "market.command place");
    expect(commands.map((s) => [s.traceId, s.parentSpanId, s.kind, s.attributes["bazaar.answer"]]).sort()).toEqual(
      [[t1, p1, 2, "OK"], [t2, p2, 2, "OK"]].sort(),
    );
    const batches = spans.filter((s) => s.name === "market.batch");
    // The first place may be batched alone (it starts the drain); the others share the next batch.
    for (const batch of batches) {
      const parent = commands.find((s) => s.spanId === batch.parentSpanId)!;
      expect(parent).toBeDefined();
      expect(batch.traceId).toBe(parent.traceId);
      expect(batch.attributes["bazaar.batch.outcome"]).toBe("committed");
    }
    const linked = batches.flatMap((s) => s.links.map((l) => l.spanId));
    const parents = batches.map((s) => s.parentSpanId);
    for (const command of commands) expect([...linked, ...parents]).toContain(command.spanId);
    expect(spans.some((s) => s.traceId === t3)).toBe(false);
  });

  it("with ratio 0 and no sampled command, a batch records nothing; with ratio 1 it starts a trace", async () => {
    const m = await addMarket(t.db);
    const p = await fundedTrader(t.db, [m.itemTypeId]);
    const session = (await MarketSession.open(() => t.db, m.slug))!;
    const off = capturingTracer(0);
    session.tracing = { tracer: off.tracer };
    await session.submit(place(p, "sell", 800));
    expect(off.tracer.pending).toBe(0);
    const on = capturingTracer(1);
    session.tracing = { tracer: on.tracer };
    await session.submit(place(p, "sell", 801));
    await on.tracer.flush();
    expect(on.spans.map((s) => [s.name, s.parentSpanId])).toEqual([["market.batch", undefined]]);
  });
});
