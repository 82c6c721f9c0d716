/**
 * Spans, head sampling and their export over OTLP/HTTP (JSON), for the edge and the market rooms
 * alike (ADR 040). Platform-free: fetch and Date only, no AsyncLocalStorage (the rooms run under
 * partykit without nodejs_compat), so a span's parent is always passed by hand.
 *
 * Nothing is recorded unless an endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). Sampling is decided once, at the head of a trace: a caller's
 * traceparent decides for the trace it names (its sampled flag); a trace we start is sampled with
 * the ratio OTEL_TRACES_SAMPLER_ARG (default 0.01 with APP_ENV=production, 1 elsewhere), from its
 * trace id, so every process that sees the same trace id decides the same.
 */
import { newSpanId } from "./traceparent";

export type Attr = string | number | boolean;
export type Attributes = Record<string, Attr>;

export const SpanKind = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

export interface SpanData {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  /** Epoch milliseconds (fractions allowed). */
  start: number;
  end: number;
  attributes: Attributes;
  links?: Array<{ traceId: string; spanId: string }>;
  /** Set when the span failed: its status is ERROR with this message. */
  error?: string;
}

export interface TracerConfig {
  /** resource service.name, e.g. "bazaar-edge", "bazaar-market". */
  service: string;
  /** The full traces URL (…/v1/traces); undefined: tracing off. */
  url?: string;
  /** Head-sampling ratio for traces started here, 0..1. */
  ratio: number;
  /** Extra headers for the collector (OTEL_EXPORTER_OTLP_HEADERS: an API key). Never logged. */
  headers?: Record<string, string>;
}

/** The OTEL_* variables, read and checked; problems name the variable, never its value. */
export function tracerConfig(env: Record<string, unknown>, service: string): { config: TracerConfig; problems: string[] } {
  const text = (name: string) => (typeof env[name] === "string" && env[name] !== "" ? (env[name] as string) : undefined);
  const problems: string[] = [];
  const url = text("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? text("OTEL_EXPORTER_OTLP_ENDPOINT")?.replace(/\/+$/, "").concat("/v1/traces");
  if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) problems.push("OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL (the collector's OTLP/HTTP base, e.g. http://127.0.0.1:4318)");
  const arg = text("OTEL_TRACES_SAMPLER_ARG");
  const fallback = text("APP_ENV") === "production" || text("APP_ENV") === undefined ? 0.01 : 1;
  const ratio = arg === undefined ? fallback : Number(arg);
  if (!(ratio >= 0 && ratio <= 1)) problems.push("OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1 (the share of new traces recorded, e.g. 0.01)");
  const headers: Record<string, string> = {};
  for (const pair of (text("OTEL_EXPORTER_OTLP_HEADERS") ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at > 0) headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  const on = problems.length === 0 && url !== undefined;
  return { config: { service, url: on ? url : undefined, ratio: on ? ratio : 0, headers }, problems };
}

/** The ratio decision for a trace id: its bits 64..95 against the ratio (the same everywhere). */
export function sampledByRatio(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return parseInt(traceId.slice(16, 24), 16) / 0x1_0000_0000 < ratio;
}

/** A span being recorded. end() hands it to its tracer's buffer. */
export class Span {
  constructor(
    private readonly tracer: Tracer,
    readonly data: SpanData,
  ) {}
  get traceId(): string {
    return this.data.traceId;
  }
  get spanId(): string {
    return this.data.spanId;
  }
  set(key: string, value: Attr | undefined): this {
    if (value !== undefined) this.data.attributes[key] = value;
    return this;
  }
  fail(error: unknown): this {
    this.data.error = String(error instanceof Error ? error.message : error).slice(0, 300);
    return this;
  }
  link(traceId: string, spanId: string): this {
    (this.data.links ??= []).push({ traceId, spanId });
    return this;
  }
  end(at = Date.now()): void {
    this.data.end = at;
    this.tracer.record(this.data);
  }
}

/** Spans not yet sent are dropped past this many (a collector that is down must not eat the memory). */
const MAX_BUFFERED = 2_048;

export class Tracer {
  private buffer: SpanData[] = [];
  private inFlight: Promise<void> | undefined;
  private again = false;
  /** Spans dropped (buffer full) and export failures, for the metrics and the log. */
  dropped = 0;
  failedExports = 0;
  private warned = false;

  constructor(
    readonly config: TracerConfig,
    private readonly send: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /** An endpoint is configured: spans may be recorded. */
  get on(): boolean {
    return this.config.url !== undefined;
  }

  /** Head sampling for a trace started here (no caller's traceparent). */
  sampleNew(traceId: string): boolean {
    return this.on && sampledByRatio(traceId, this.config.ratio);
  }

  /** A caller's sampled flag decides for its trace (parent-based), once tracing is on. */
  sampleJoined(sampled: boolean): boolean {
    return this.on && sampled;
  }

  start(name: string, kind: number, traceId: string, parentSpanId: string | undefined, attributes: Attributes = {}, start = Date.now()): Span {
    return new Span(this, { traceId, spanId: newSpanId(), parentSpanId, name, kind, start, end: start, attributes });
  }

  record(span: SpanData): void {
    if (!this.on) return;
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.buffer.push(span);
  }

  get pending(): number {
    return this.buffer.length;
  }

  /**
   * Send what is buffered (one POST). At most one export in flight: spans that arrive meanwhile go
   * with the next one, started as soon as this one ends. Never throws: a collector that is down
   * costs the spans, not the request or the batch.
   */
  flush(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    if (this.buffer.length === 0 || !this.config.url) return Promise.resolve();
    const spans = this.buffer;
    this.buffer = [];
    this.inFlight = this.post(spans).finally(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        void this.flush();
      }
    });
    return this.inFlight;
  }

  /**
   * Send what is buffered now, beside any export in flight: the edge's way, so that each request's
   * spans leave from its own context (a Worker may cancel what another request's waitUntil started).
   */
  flushNow(): Promise<void> {
    if (this.buffer.length === 0 || !this.config.url) return Promise.resolve();
    const spans = this.buffer;
    this.buffer = [];
    return this.post(spans);
  }

  private async post(spans: SpanData[]): Promise<void> {
    try {
      const response = await this.send(this.config.url!, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.config.headers },
        body: JSON.stringify(otlpJson(this.config.service, spans)),
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`the collector answered ${response.status}`);
    } catch (error) {
      this.failedExports++;
      if (!this.warned) {
        this.warned = true; // once per isolate: a collector that is down must not flood the log
        console.error(JSON.stringify({ ts: new Date().toISOString(), level: "warn", msg: "trace export failed (spans dropped; said once)", service: this.config.service, error: String(error).slice(0, 200) }));
      }
    }
  }
}

const nanos = (ms: number) => `${Math.round(ms * 1_000)}000`;

function attributeList(attributes: Attributes) {
  return Object.entries(attributes).map(([key, v]) => ({
    key,
    value: typeof v === "string" ? { stringValue: v } : typeof v === "boolean" ? { boolValue: v } : Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
}

/** The OTLP/HTTP JSON body (ExportTraceServiceRequest; ids in hex, times in unix nanoseconds as strings). */
export function otlpJson(service: string, spans: SpanData[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributeList({ "service.name": service }) },
        scopeSpans: [
          {
            scope: { name: "bazaar" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: nanos(s.start),
              endTimeUnixNano: nanos(Math.max(s.start, s.end)),
              attributes: attributeList(s.attributes),
              ...(s.links ? { links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId })) } : {}),
              status: s.error === undefined ? { code: 0 } : { code: 2, message: s.error },
            })),
          },
        ],
      },
    ],
  };
}
