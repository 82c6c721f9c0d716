/**
 * "Tell me when ... trades at or above / at or below ..." on the market page: a plain HTML form
 * (no script of its own: the market page's first-load JavaScript budget) posting to
 * /markets/<slug>/alerts, which stores the alert, tells the room and comes back here.
 */
import { COOLDOWNS } from "~/utils/alerts/price-form";

export function PriceAlertBox({ slug, name, csrf, price, active }: { slug: string; name: string; csrf: string; price: string; active: number }) {
  const to = `/markets/${slug}/alerts`;
  return (
    <section className="panel price-alert-panel" aria-labelledby="pa-h">
      <div className="panel-head">
        <h2 id="pa-h">Price alert</h2>
        <a href={to}>{active > 0 ? `My alerts here (${active})` : "My alerts here"}</a>
      </div>
      <form method="post" action={to} className="price-alert-form">
        <input type="hidden" name="csrf" value={csrf} />
        <input type="hidden" name="intent" value="create" />
        <label>
          Tell me when {name} trades
          <select name="direction" defaultValue="above">
            <option value="above">at or above</option>
            <option value="below">at or below</option>
          </select>
        </label>
        <label>
          Price (gold)
          <input name="price" inputMode="decimal" defaultValue={price} autoComplete="off" required />
        </label>
        <label>
          How often
          <select name="repeat" defaultValue="once">
            {COOLDOWNS.map((c) => (
              <option key={c.label} value={String(c.seconds ?? "once")}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="secondary">
          Set alert
        </button>
      </form>
    </section>
  );
}
