/** W3C Trace Context at the edge: the parsing lives with the rooms' tracer (party/telemetry). */
export { newSpanId, newTraceId, parseTraceparent, traceparentOf, type TraceParent } from "../party/telemetry/traceparent";
