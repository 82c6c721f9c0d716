/** A unique item's metadata (its rolled stats) as a compact definition list. */
export function Metadata({ metadata }: { metadata: Record<string, unknown> }) {
  const entries = Object.entries(metadata).filter(([, v]) => ["string", "number", "boolean"].includes(typeof v));
  if (entries.length === 0) return null;
  return (
    <dl className="meta">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
