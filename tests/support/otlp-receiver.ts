/**
 * A local OTLP/HTTP receiver for tests and benches (ADR 040): takes POST /v1/traces (JSON), keeps
 * every span flattened with its service, and answers GET /spans?traceId= with what it holds (so a
 * test in another process than the one that started it can read them). Listens on 127.0.0.1 at an
 * ephemeral port unless one is given; stop() closes it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  attributes: Record<string, string | number | boolean>;
  links: Array<{ traceId: string; spanId: string }>;
  status: { code: number; message?: string };
}

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type KeyValue = { key: string; value: AnyValue };

const valueOf = (v: AnyValue) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue ?? ""));

/** The spans of one ExportTraceServiceRequest (JSON). */
export function flatten(body: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (body as { resourceSpans?: unknown[] }).resourceSpans ?? []) {
    const r = rs as { resource?: { attributes?: KeyValue[] }; scopeSpans?: Array<{ spans?: unknown[] }> };
    const service = String(valueOf(r.resource?.attributes?.find((a) => a.key === "service.name")?.value ?? {}));
    for (const ss of r.scopeSpans ?? []) {
      for (const raw of ss.spans ?? []) {
        const s = raw as Record<string, unknown> & { attributes?: KeyValue[]; links?: Array<{ traceId: string; spanId: string }> };
        out.push({
          service,
          traceId: String(s.traceId),
          spanId: String(s.spanId),
          ...(s.parentSpanId ? { parentSpanId: String(s.parentSpanId) } : {}),
          name: String(s.name),
          kind: Number(s.kind),
          start: BigInt(String(s.startTimeUnixNano)),
          end: BigInt(String(s.endTimeUnixNano)),
          attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, valueOf(a.value)])),
          links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          status: (s.status as { code: number; message?: string }) ?? { code: 0 },
        });
      }
    }
  }
  return out;
}

export interface OtlpReceiver {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  posts: number;
  stop(): Promise<void>;
}

export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  let posts = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method === "POST" && url.pathname === "/v1/traces") {
        try {
          spans.push(...flatten(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
          posts++;
          res.writeHead(200, { "content-type": "application/json" }).end("{}");
        } catch {
          res.writeHead(400).end("not OTLP JSON");
        }
        return;
      }
      if (req.method === "GET" && url.pathname === "/spans") {
        const traceId = url.searchParams.get("traceId");
        const found = traceId ? spans.filter((s) => s.traceId === traceId) : spans;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ posts, spans: found }, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
  const receiver: OtlpReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    get posts() {
      return posts;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return receiver;
}
