/**
 * The order ticket's confirmations: the dialog's content (with JavaScript) and the server's
 * confirmation form (without). Loaded on demand (OrderTicket preloads it when the ticket is first
 * touched), so neither is part of the market page's first-load JavaScript.
 */
import { Form } from "@remix-run/react";
import { CsrfField } from "../forms";
import { formatCount, formatGold } from "~/utils/money";
import { goldInput, preview } from "~/utils/price";
import type { Review, TicketMarket } from "./OrderTicket";

/** The dialog's content: the order in full, "Edit" and "Confirm". */
export function ConfirmBody({ r, market, headingId, onEdit, onConfirm }: { r: Review; market: TicketMarket; headingId: string; onEdit: () => void; onConfirm: () => void }) {
  return (
    <>
      <h2 id={headingId}>Confirm order</h2>
      <ConfirmSummary r={r} market={market} />
      <div className="actions">
        <button type="button" className="ghost" onClick={onEdit}>
          Edit
        </button>
        <button type="button" className={`submit ${r.side}`} onClick={onConfirm} autoFocus>
          {r.side === "buy" ? "Confirm buy" : "Confirm sell"}
        </button>
      </div>
    </>
  );
}

function ConfirmSummary({ r, market }: { r: Review; market: TicketMarket }) {
  const pv = preview(r.side, r.price, r.quantity, market.takerFeeBps);
  return (
    <dl className="preview">
      <div>
        <dt>Order</dt>
        <dd>
          <span className={`side ${r.side}`}>{r.side === "buy" ? "Buy" : "Sell"}</span> {formatCount(r.quantity)} {market.name}
        </dd>
      </div>
      <div>
        <dt>{r.orderType === "limit" ? "Limit price" : r.side === "buy" ? "Market, worst price" : "Market, lowest price"}</dt>
        <dd className="num">{formatGold(r.price)} gold</dd>
      </div>
      <div>
        <dt>Fee (at most)</dt>
        <dd className="num">{formatGold(pv.fee)} gold</dd>
      </div>
      <div className="total">
        <dt>{r.side === "buy" ? "Total cost (at most)" : "You receive (at least)"}</dt>
        <dd className="num">{formatGold(pv.total)} gold</dd>
      </div>
    </dl>
  );
}

/** The no-JavaScript confirmation: the reviewed order as hidden fields and a Confirm button. */
export function ServerConfirm({ review, csrf, market }: { review: Review; csrf: string; market: TicketMarket }) {
  return (
    <Form method="post" className="confirm-card" aria-labelledby="server-confirm">
      <h2 id="server-confirm">Confirm order</h2>
      <ConfirmSummary r={review} market={market} />
      <CsrfField token={csrf} />
      <input type="hidden" name="clientOrderId" value={review.clientOrderId} />
      <input type="hidden" name="side" value={review.side} />
      <input type="hidden" name="orderType" value={review.orderType} />
      <input type="hidden" name="price" value={goldInput(review.price)} />
      <input type="hidden" name="quantity" value={String(review.quantity)} />
      <button type="submit" name="intent" value="place" className={`submit ${review.side}`}>
        {review.side === "buy" ? "Confirm buy" : "Confirm sell"}
      </button>
    </Form>
  );
}
