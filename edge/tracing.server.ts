/**
 * The edge's part of a trace (ADR 040): one tracer per isolate from the OTEL_* variables, a
 * server span per sampled request, client spans for what the request asks of a market room, and
 * the traceparent that carries the trace into the room's command. Unsampled requests record
 * nothing and still pass their trace id on (flag 00), so the room's log lines can name it.
 */
import { SpanKind, Tracer, tracerConfig, type Attributes, type Span } from "../party/telemetry/tracer";
import { newSpanId, newTraceId, parseTraceparent, traceparentOf } from "../party/telemetry/traceparent";

let cached: { raw: unknown; tracer: Tracer } | undefined;

export function edgeTracer(raw: Record<string, unknown>): Tracer {
  if (cached?.raw === raw) return cached.tracer;
  const tracer = new Tracer(tracerConfig(raw, "bazaar-edge").config);
  cached = { raw, tracer };
  return tracer;
}

export class RequestTrace {
  private constructor(
    readonly tracer: Tracer,
    readonly traceId: string,
    /** This request's span id (recorded only when sampled). */
    readonly spanId: string,
    /** The request's server span, when sampled. */
    readonly span: Span | undefined,
  ) {}

  /** Join the caller's traceparent (its sampled flag decides) or start a trace (the ratio decides). */
  static begin(tracer: Tracer, header: string | null | undefined, method = "GET"): RequestTrace {
    const parent = parseTraceparent(header);
    const traceId = parent?.traceId ?? newTraceId();
    const sampled = parent ? tracer.sampleJoined(parent.sampled) : tracer.sampleNew(traceId);
    const span = sampled ? tracer.start(`${method} request`, SpanKind.server, traceId, parent?.parentId, { "http.request.method": method }) : undefined;
    return new RequestTrace(tracer, traceId, span?.spanId ?? newSpanId(), span);
  }

  get sampled(): boolean {
    return this.span !== undefined;
  }

  /** A child of the request's span, or undefined when the request is not sampled. */
  child(name: string, kind: number = SpanKind.internal, attributes: Attributes = {}): Span | undefined {
    return this.span ? this.tracer.start(name, kind, this.traceId, this.span.spanId, attributes) : undefined;
  }

  /** The traceparent for a call made on this request's behalf (from `span` when it is recorded). */
  traceparent(span?: Span): string {
    return traceparentOf(this.traceId, span?.spanId ?? this.spanId, this.sampled);
  }

  /** The request is answered: name and end its span, and send what the isolate buffered. */
  finish(route: string, status: number, waitUntil: (p: Promise<unknown>) => void): void {
    if (this.span) {
      this.span.data.name = `${this.span.data.attributes["http.request.method"]} ${route}`;
      this.span.set("http.route", route).set("http.response.status_code", status);
      if (status >= 500) this.span.fail(`status ${status}`);
      this.span.end();
    }
    if (this.tracer.pending > 0) waitUntil(this.tracer.flushNow());
  }
}
