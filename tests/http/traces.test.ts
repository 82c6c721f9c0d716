/**
 * One order's trace (ADR 040, issue 21): a client sends a sampled W3C traceparent with an order
 * placed through the API; the edge and the market room export their spans over OTLP/HTTP to the
 * suite's local receiver (tests/http/setup.ts), and the spans edge request -> edge call to the
 * room -> room command -> batch -> each SQL statement (BEGIN ... COMMIT) share the trace id with
 * the right parents. An unsampled traceparent records nothing.
 */
import { describe, expect, inject, it } from "vitest";
import { newSpanId, newTraceId } from "../../party/telemetry/traceparent";
import type { ReceivedSpan } from "../support/otlp-receiver";
import { api, Browser, uniqueName } from "./client";

const PASSWORD = "correct-horse-9";
const MARKET = "bread";

async function playerToken() {
  const name = uniqueName("Tr");
  expect((await new Browser().signUp(name, PASSWORD)).res.status).toBe(302);
  const created = await api("/tokens", { method: "POST", json: { username: name, password: PASSWORD, label: "traces test" } });
  expect(created.status).toBe(201);
  return created.body.token as string;
}

const spansOf = async (traceId: string): Promise<ReceivedSpan[]> => {
  const res = await fetch(`${inject("otlpUrl")}/spans?traceId=${traceId}`);
  return ((await res.json()) as { spans: ReceivedSpan[] }).spans;
};

/** Exports happen after the answer (waitUntil, after the batch): wait until the COMMIT's span is in. */
async function traceWithCommit(traceId: string): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 100; i++) {
    const spans = await spansOf(traceId);
    if (spans.some((s) => s.name === "SQL COMMIT") && spans.some((s) => s.service === "bazaar-edge" && s.kind === 2)) return spans;
    await new Promise((r) => setTimeout(r, 200));
  }
  return spansOf(traceId);
}

describe("traces", () => {
  it("one order: edge -> room command -> batch -> SQL share one trace id with the right parents", async () => {
    const token = await playerToken();
    const traceId = newTraceId();
    const browserSpan = newSpanId();
    const placed = await api(`/markets/${MARKET}/orders`, {
      method: "POST",
      token,
      json: { clientOrderId: uniqueName("trace"), side: "sell", price: 90_000, quantity: 1 },
      headers: { traceparent: `00-${traceId}-${browserSpan}-01` },
    });
    expect(placed.status).toBe(200);
    expect(placed.headers.get("X-Trace-Id")).toBe(traceId);

    const spans = await traceWithCommit(traceId);
    const one = (pred: (s: ReceivedSpan) => boolean, what: string) => {
      const found = spans.filter(pred);
      expect(found, `${what} in ${spans.map((s) => `${s.service}:${s.name}`).join(", ")}`).toHaveLength(1);
      return found[0]!;
    };
    const request = one((s) => s.service === "bazaar-edge" && s.kind === 2, "the edge's request span");
    expect(request.parentSpanId).toBe(browserSpan);
    expect(request.name).toBe("POST /api/v1/markets/:slug/orders");
    expect(request.attributes["http.response.status_code"]).toBe(200);
    const call = one((s) => s.service === "bazaar-edge" && s.name === "market.command place", "the edge's call to the room");
    expect(call.parentSpanId).toBe(request.spanId);
    const command = one((s) => s.service === "bazaar-market" && s.name === "market.command place", "the room's command span");
    expect(command.parentSpanId).toBe(call.spanId);
    expect(command.attributes["bazaar.market"]).toBe(MARKET);
    expect(command.attributes["bazaar.answer"]).toBe("OK");
    const batch = one((s) => s.service === "bazaar-market" && s.name === "market.batch", "the batch span");
    expect(batch.parentSpanId).toBe(command.spanId);
    expect(batch.attributes["bazaar.batch.outcome"]).toBe("committed");
    const sql = spans.filter((s) => s.name.startsWith("SQL "));
    expect(sql.map((s) => s.name)).toEqual(expect.arrayContaining(["SQL BEGIN", "SQL COMMIT"]));
    expect(sql.length).toBeGreaterThanOrEqual(4); // BEGIN, the locked read, the batch's write, COMMIT
    for (const s of sql) {
      expect(s.parentSpanId).toBe(batch.spanId);
      expect(s.attributes["db.system"]).toBe("postgresql");
      // Statements' texts carry placeholders, never the values.
      expect(String(s.attributes["db.statement"])).not.toContain(token);
    }
    // Children lie within their parents (in one process: the edge's and the room's clocks differ).
    expect(call.start >= request.start && call.end <= request.end).toBe(true);
    const commit = sql.find((s) => s.name === "SQL COMMIT")!;
    expect(commit.start >= batch.start && commit.end <= batch.end).toBe(true);
    for (const s of spans) expect(s.traceId).toBe(traceId);
  });

  it("an unsampled traceparent records nothing (ratio 0 for the rest)", async () => {
    const token = await playerToken();
    const traceId = newTraceId();
    const placed = await api(`/markets/${MARKET}/orders`, {
      method: "POST",
      token,
      json: { clientOrderId: uniqueName("untraced"), side: "sell", price: 90_000, quantity: 1 },
      headers: { traceparent: `00-${traceId}-${newSpanId()}-00` },
    });
    expect(placed.status).toBe(200);
    expect(placed.headers.get("X-Trace-Id")).toBe(traceId);
    // A sampled request after it is exported: once it is in, the unsampled one would have been too.
    const marker = newTraceId();
    expect((await api("/me", { token, headers: { traceparent: `00-${marker}-${newSpanId()}-01` } })).status).toBe(200);
    for (let i = 0; i < 50 && (await spansOf(marker)).length === 0; i++) await new Promise((r) => setTimeout(r, 200));
    expect(await spansOf(marker)).not.toHaveLength(0);
    expect(await spansOf(traceId)).toEqual([]);
  });
});
