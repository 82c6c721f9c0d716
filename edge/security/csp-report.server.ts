/**
 * POST /csp-report: browsers report Content-Security-Policy violations here (report-uri). Each
 * report is logged as one JSON line (what was blocked, by which directive, on which page), so a
 * policy that breaks a screen shows in the worker's log. Bounded: at most 8 KiB read, always 204.
 */
const MAX_BYTES = 8 * 1024;

export async function receiveCspReport(request: Request, requestId: string): Promise<Response> {
  if (request.method !== "POST") return new Response("POST a CSP report here", { status: 405, headers: { Allow: "POST" } });
  const text = (await request.text().catch(() => "")).slice(0, MAX_BYTES);
  let report: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as { "csp-report"?: Record<string, unknown> };
    report = parsed["csp-report"] ?? {};
  } catch {
    // not JSON: logged as unreadable below
  }
  const pick = (k: string) => (typeof report[k] === "string" ? String(report[k]).slice(0, 300) : undefined);
  console.warn(
    JSON.stringify({
      ts: new Date().toISOString(),
      level: "warn",
      msg: "csp violation",
      requestId,
      page: pick("document-uri"),
      directive: pick("effective-directive") ?? pick("violated-directive"),
      blocked: pick("blocked-uri"),
      source: pick("source-file"),
      line: report["line-number"],
      readable: Object.keys(report).length > 0,
    }),
  );
  return new Response(null, { status: 204 });
}
