/** The tracer shared by the edge and the rooms (party/telemetry/tracer.ts, ADR 040). */
import { describe, expect, it } from "vitest";
import { otlpJson, sampledByRatio, SpanKind, Tracer, tracerConfig } from "../../party/telemetry/tracer";
import { newTraceId, sampledFlag, traceparentOf } from "../../party/telemetry/traceparent";
import { flatten } from "../support/otlp-receiver";

describe("tracerConfig", () => {
  it("is off without an endpoint, whatever else is set", () => {
    const { config, problems } = tracerConfig({ OTEL_TRACES_SAMPLER_ARG: "1" }, "s");
    expect(problems).toEqual([]);
    expect(config.url).toBeUndefined();
    expect(new Tracer(config).on).toBe(false);
  });
  it("reads the endpoint, the ratio (1% in production by default) and the collector's headers", () => {
    expect(tracerConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/" }, "s").config).toMatchObject({ url: "http://127.0.0.1:4318/v1/traces", ratio: 0.01 });
    expect(tracerConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", APP_ENV: "test" }, "s").config.ratio).toBe(1);
    expect(tracerConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_SAMPLER_ARG: "0.25" }, "s").config.ratio).toBe(0.25);
    expect(tracerConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://c/otlp/traces" }, "s").config.url).toBe("https://c/otlp/traces");
    expect(tracerConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=abc%3D,other = 2" }, "s").config.headers).toEqual({ "x-api-key": "abc=", other: "2" });
  });
  it("names a bad variable, never its value, and stays off", () => {
    const bad = tracerConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://secret-host", OTEL_TRACES_SAMPLER_ARG: "2" }, "s");
    expect(bad.problems).toHaveLength(2);
    expect(bad.problems.join(" ")).not.toContain("secret-host");
    expect(bad.problems[0]).toMatch(/^OTEL_EXPORTER_OTLP_ENDPOINT: /);
    expect(bad.problems[1]).toMatch(/^OTEL_TRACES_SAMPLER_ARG: /);
    expect(bad.config.url).toBeUndefined();
  });
});

describe("head sampling", () => {
  it("samples about the ratio of new traces, the same way for the same trace id", () => {
    const ids = Array.from({ length: 20_000 }, () => newTraceId());
    const share = ids.filter((id) => sampledByRatio(id, 0.01)).length / ids.length;
    expect(share).toBeGreaterThan(0.006);
    expect(share).toBeLessThan(0.014);
    for (const id of ids.slice(0, 100)) expect(sampledByRatio(id, 0.3)).toBe(sampledByRatio(id, 0.3));
    expect(ids.every((id) => sampledByRatio(id, 1))).toBe(true);
    expect(ids.some((id) => sampledByRatio(id, 0))).toBe(false);
  });
  it("reads a traceparent's sampled flag without parsing it", () => {
    const t = newTraceId();
    expect(sampledFlag(traceparentOf(t, "00f067aa0ba902b7", true))).toBe(true);
    expect(sampledFlag(traceparentOf(t, "00f067aa0ba902b7", false))).toBe(false);
    expect(sampledFlag(`00-${t}-00f067aa0ba902b7-03`)).toBe(true);
    expect(sampledFlag(undefined)).toBe(false);
    expect(sampledFlag("01")).toBe(false);
  });
});

describe("export", () => {
  const config = { service: "bazaar-test", url: "http://collector/v1/traces", ratio: 1, headers: { "x-api-key": "k" } };

  it("posts OTLP JSON that a receiver reads back: ids, parents, kinds, times, attributes, links, status", async () => {
    const posts: Array<{ url: string; init: RequestInit }> = [];
    const tracer = new Tracer(config, async (url, init) => (posts.push({ url: String(url), init: init! }), new Response("{}")));
    const t = newTraceId();
    const root = tracer.start("root", SpanKind.server, t, "00f067aa0ba902b7", { n: 3, ok: true, share: 0.5 }, 1_700_000_000_000.5);
    const child = tracer.start("SQL COMMIT", SpanKind.client, t, root.spanId, {}, 1_700_000_000_001);
    child.fail(new Error("40001 serialization failure")).link(t, "1111111111111111").end(1_700_000_000_002);
    root.end(1_700_000_000_003);
    expect(tracer.pending).toBe(2);
    await tracer.flush();
    expect(tracer.pending).toBe(0);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.url).toBe("http://collector/v1/traces");
    expect((posts[0]!.init.headers as Record<string, string>)["x-api-key"]).toBe("k");
    const spans = flatten(JSON.parse(String(posts[0]!.init.body)));
    expect(spans.map((s) => [s.service, s.name, s.kind, s.parentSpanId])).toEqual([
      ["bazaar-test", "SQL COMMIT", 3, root.spanId],
      ["bazaar-test", "root", 2, "00f067aa0ba902b7"],
    ]);
    expect(spans[1]!.start).toBe(1_700_000_000_000_500_000n);
    expect(spans[1]!.end).toBe(1_700_000_000_003_000_000n);
    expect(spans[1]!.attributes).toEqual({ n: 3, ok: true, share: 0.5 });
    expect(spans[0]!.status).toEqual({ code: 2, message: "40001 serialization failure" });
    expect(spans[0]!.links).toEqual([{ traceId: t, spanId: "1111111111111111" }]);
    expect(spans[1]!.status).toEqual({ code: 0 });
  });

  it("one export in flight: spans that arrive meanwhile go in the next; a collector that is down costs spans, not errors", async () => {
    let release!: () => void;
    const bodies: string[] = [];
    const tracer = new Tracer(config, async (_url, init) => {
      bodies.push(String(init!.body));
      if (bodies.length === 1) await new Promise<void>((r) => (release = r));
      if (bodies.length === 3) throw new Error("connection refused");
      return new Response("{}");
    });
    const t = newTraceId();
    tracer.start("a", 1, t, undefined).end();
    const first = tracer.flush();
    tracer.start("b", 1, t, undefined).end();
    const second = tracer.flush(); // joins the one in flight
    expect(bodies).toHaveLength(1);
    release();
    await first;
    await second;
    await new Promise((r) => setTimeout(r, 10));
    expect(bodies).toHaveLength(2);
    expect(flatten(JSON.parse(bodies[1]!)).map((s) => s.name)).toEqual(["b"]);
    tracer.start("c", 1, t, undefined).end();
    await expect(tracer.flush()).resolves.toBeUndefined();
    expect(tracer.failedExports).toBe(1);
  });

  it("flushNow sends at once, beside an export in flight (the edge: each request from its own context)", async () => {
    let release!: () => void;
    const bodies: string[] = [];
    const tracer = new Tracer(config, async (_url, init) => {
      bodies.push(String(init!.body));
      if (bodies.length === 1) await new Promise<void>((r) => (release = r));
      return new Response("{}");
    });
    const t = newTraceId();
    tracer.start("a", 1, t, undefined).end();
    const first = tracer.flushNow();
    tracer.start("b", 1, t, undefined).end();
    await tracer.flushNow();
    expect(bodies.map((b) => flatten(JSON.parse(b)).map((s) => s.name))).toEqual([["a"], ["b"]]);
    release();
    await first;
    await tracer.flushNow(); // nothing left: no post
    expect(bodies).toHaveLength(2);
  });

  it("records nothing when off", async () => {
    let called = 0;
    const tracer = new Tracer({ service: "s", ratio: 1 }, async () => (called++, new Response()));
    tracer.start("x", 1, newTraceId(), undefined).end();
    await tracer.flush();
    expect(tracer.pending).toBe(0);
    expect(called).toBe(0);
    expect(tracer.sampleNew(newTraceId())).toBe(false);
  });

  it("the JSON has the OTLP field names", () => {
    const body = otlpJson("svc", [{ traceId: "a".repeat(32), spanId: "b".repeat(16), name: "n", kind: 1, start: 1, end: 2, attributes: {} }]);
    const span = body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(Object.keys(span).sort()).toEqual(["attributes", "endTimeUnixNano", "kind", "name", "spanId", "startTimeUnixNano", "status", "traceId"]);
    expect(span.startTimeUnixNano).toBe("1000000");
  });
});
