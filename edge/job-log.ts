/**
 * One JSON line per background job run (issue 21, ADR 040): the cron's offer expiry, each feed
 * consumer, the push drain (cron, nudge or a room's poke). Like a request's line (edge/request-log.ts):
 * ts, level (error when it failed), ids, timing and outcome. A job run has a run id and a trace id
 * (the request's when a request started it; a new one per cron tick, shared by that tick's jobs),
 * so an operator finds a tick's lines together. `result` is the job's own counts, never a row or a secret. Pure.
 */
import { newTraceId } from "../party/telemetry/traceparent";

export interface JobIds {
  /** One per cron tick or per request that ran the job. */
  runId: string;
  traceId: string;
  /** Set when a request ran the job (the push drain's POST, a nudge after a response). */
  requestId?: string;
  cron?: string;
}

/** Fresh ids for a job run (a cron tick's, shared by its jobs, or one started by nothing else). */
export const jobIds = (cron?: string): JobIds => ({ runId: crypto.randomUUID(), traceId: newTraceId(), ...(cron !== undefined ? { cron } : {}) });

export function jobLogLine(job: string, ids: JobIds, outcome: "ok" | "failed", ms: number, detail: { result?: unknown; error?: unknown } = {}, at = new Date()): string {
  return JSON.stringify({
    ts: at.toISOString(),
    level: outcome === "failed" ? "error" : "info",
    msg: "job",
    job,
    outcome,
    ms,
    ...ids,
    ...(detail.result !== undefined ? { result: detail.result } : {}),
    ...(detail.error !== undefined ? { error: String((detail.error as Error)?.stack ?? detail.error).slice(0, 500) } : {}),
  });
}

/** Run one job and write its line; a failure is logged and rethrown. */
export async function runJob<T>(job: string, ids: JobIds, fn: () => Promise<T>, summarize: (r: T) => unknown = (r) => r): Promise<T> {
  const started = Date.now();
  try {
    const result = await fn();
    console.log(jobLogLine(job, ids, "ok", Date.now() - started, { result: summarize(result) }));
    return result;
  } catch (error) {
    console.error(jobLogLine(job, ids, "failed", Date.now() - started, { error }));
    throw error;
  }
}
