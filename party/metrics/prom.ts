/**
 * A tiny Prometheus text-format (0.0.4) encoder that runs in workerd, partykit's workerd and Node
 * (ADR 025: prom-client needs Node built-ins). Counters and histograms are plain numbers and
 * Float64Arrays made once: recording a value allocates nothing; only `render` builds strings.
 */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label values escaped as the text format asks (backslash, double quote, newline). */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

function num(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return Number.isNaN(v) ? "NaN" : String(v);
}

/** Fixed upper bounds (le); the +Inf bucket is implied. */
export class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) if (value <= b[i]!) this.counts[i]!++;
  }
  /** Exposition lines for one series (cumulative buckets, then _sum and _count). */
  lines(name: string, labels: Readonly<Record<string, string>>, out: string[]): void {
    const base = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    const with_ = (extra: string) => `{${[...base, extra].join(",")}}`;
    this.bounds.forEach((le, i) => out.push(`${name}_bucket${with_(`le="${num(le)}"`)} ${this.counts[i]}`));
    out.push(`${name}_bucket${with_('le="+Inf"')} ${this.count}`);
    const plain = labelText(labels);
    out.push(`${name}_sum${plain} ${this.sum}`, `${name}_count${plain} ${this.count}`);
  }
}

/** A counter or gauge series by label values, created on first use (no allocation after it). */
export class Series {
  private readonly values = new Map<string, { labels: Record<string, string>; value: number }>();
  constructor(private readonly labelName: string) {}
  add(labelValue: string, by = 1): void {
    const s = this.values.get(labelValue);
    if (s) s.value += by;
    else this.values.set(labelValue, { labels: { [this.labelName]: labelValue }, value: by });
  }
  get(labelValue: string): number {
    return this.values.get(labelValue)?.value ?? 0;
  }
  entries(): Iterable<{ labels: Record<string, string>; value: number }> {
    return this.values.values();
  }
}

/** One metric family: HELP, TYPE and its sample lines. */
export function family(name: string, type: "counter" | "gauge" | "histogram", help: string, samples: string[]): string {
  return `# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${name} ${type}\n${samples.join("\n")}${samples.length > 0 ? "\n" : ""}`;
}

export function sample(name: string, labels: Readonly<Record<string, string>>, value: number): string {
  return `${name}${labelText(labels)} ${num(value)}`;
}
