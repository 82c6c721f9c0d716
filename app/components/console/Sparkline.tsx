/**
 * A balance's line over time, drawn on the server as an SVG (no script, nothing for the CSP to
 * allow). Steps, not slopes: a balance holds its value until the day it changes.
 */
export function sparklinePath(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return "";
  const min = Math.min(0, ...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const y = (v: number) => (height - 1 - ((v - min) / span) * (height - 2)).toFixed(1);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  let d = `M0 ${y(values[0]!)}`;
  values.forEach((v, i) => {
    if (i === 0) return;
    const x = (i * step).toFixed(1);
    d += ` H${x} V${y(v)}`;
  });
  return values.length === 1 ? `${d} H${width}` : d;
}

export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const [w, h] = [240, 48];
  return (
    <svg className="sparkline" viewBox={`0 0 ${w} ${h}`} width="100%" height={h} role="img" aria-label={label} preserveAspectRatio="none">
      <path d={sparklinePath(values, w, h)} fill="none" stroke="currentColor" strokeWidth="2" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
