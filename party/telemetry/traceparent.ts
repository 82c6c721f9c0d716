/**
 * W3C Trace Context (issue 21): the `traceparent` a caller sends ("00-<trace id>-<parent id>-<flags>")
 * names the trace this request joins; without a valid one the edge starts a trace. The trace id
 * and the request id go into every log line of the request and into every API error body, so that
 * a player's support ticket can quote them and an operator can find the request's lines. Pure;
 * shared by the edge (edge/trace.ts) and the market rooms (a command's traceparent, ADR 040).
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

export interface TraceParent {
  traceId: string;
  parentId: string;
  sampled: boolean;
}

/** The caller's trace, or undefined for a missing or invalid header (version ff, all-zero ids). */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  const m = TRACEPARENT.exec((header ?? "").trim().toLowerCase());
  if (!m || m[1] === "ff" || m[2] === ZERO_TRACE || m[3] === ZERO_SPAN) return undefined;
  return { traceId: m[2]!, parentId: m[3]!, sampled: (parseInt(m[4]!, 16) & 1) === 1 };
}

const hex = (bytes: number) => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

export const newTraceId = () => hex(16);
export const newSpanId = () => hex(8);

/** The header to send downstream (to a room) for this request's span. */
export const traceparentOf = (traceId: string, spanId: string, sampled = false) => `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;

const HEX = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : 0);

/**
 * Whether a traceparent asks for its trace to be recorded (the sampled flag), read without
 * allocating: the room checks every command's with this and parses only the sampled ones.
 */
export const sampledFlag = (header: string | undefined): boolean => header !== undefined && header.length === 55 && (HEX(header.charCodeAt(54)) & 1) === 1;
