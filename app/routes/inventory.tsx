import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useLoaderData } from "@remix-run/react";
import { getInventory } from "../../db/inventory";
import { requireWebSession } from "../../edge/auth/web.server";
import { StatusError } from "~/components/StatusError";
import { formatCount, formatGold } from "~/utils/money";

export const meta: MetaFunction = () => [{ title: "Inventory · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  return getInventory(context.db, session.player.id);
}

function Metadata({ metadata }: { metadata: Record<string, unknown> }) {
  const entries = Object.entries(metadata).filter(([, v]) => ["string", "number", "boolean"].includes(typeof v));
  if (entries.length === 0) return null;
  return (
    <dl className="meta">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt> <dd>{String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

export default function Inventory() {
  const { balance, stacks, uniques } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Inventory</h1>
      <section className="card" aria-labelledby="gold">
        <h2 id="gold">Gold</h2>
        <p className="balance">{formatGold(balance.available)} gold</p>
        {balance.reserved > 0 ? <p className="muted">{formatGold(balance.reserved)} gold reserved</p> : null}
      </section>
      <section className="card" aria-labelledby="goods">
        <h2 id="goods">Goods</h2>
        {stacks.length === 0 ? <p className="muted">No goods yet.</p> : null}
        <ul className="items">
          {stacks.map((s) => (
            <li key={s.itemTypeId}>
              <span className="icon" aria-hidden="true">{s.icon}</span>
              <span>
                {s.name}
                <br />
                <small className="muted">{s.category}</small>
              </span>
              <span className="qty">
                {formatCount(s.available)}
                {s.reserved > 0 ? <small className="muted"> +{formatCount(s.reserved)} reserved</small> : null}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="uniques">
        <h2 id="uniques">Unique items</h2>
        {uniques.length === 0 ? <p className="muted">No unique items yet.</p> : null}
        <ul className="items">
          {uniques.map((u) => (
            <li key={u.id}>
              <span className="icon" aria-hidden="true">{u.icon}</span>
              <span>
                {u.name} {u.state !== "held" ? <small className="muted">({u.state})</small> : null}
                <Metadata metadata={u.metadata} />
              </span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

export const ErrorBoundary = StatusError;
