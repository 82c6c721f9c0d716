/**
 * My open orders in this market: cancel and amend are small forms that post to the page's action
 * (they work without JavaScript; with it they stay on the page and show progress). An order sent
 * over the socket shows here as pending until the room answers.
 */
import { useFetcher } from "@remix-run/react";
import { CsrfField } from "../forms";
import { formatCount, formatGold } from "~/utils/money";
import { goldInput } from "~/utils/price";
import type { Pending } from "./OrderTicket";

export interface OpenOrder {
  id: string;
  side: "buy" | "sell";
  kind: "limit" | "market";
  price: number | null;
  quantity: number;
  remaining: number;
  filled: number;
}

type Reply = { answer?: { ok: boolean; message: string }; formError?: string };

function OrderItem({ o, csrf, disabled, action }: { o: OpenOrder; csrf: string; disabled: boolean; action?: string }) {
  const cancel = useFetcher<Reply>();
  const amend = useFetcher<Reply>();
  const busy = cancel.state !== "idle" || amend.state !== "idle";
  const reply = amend.data ?? cancel.data;
  const error = reply && !reply.answer?.ok ? (reply.answer?.message ?? reply.formError) : undefined;
  return (
    <li className={`order ${o.side}`} data-order-id={o.id}>
      <div className="order-main">
        <span className={`side ${o.side}`}>{o.side === "buy" ? "Buy" : "Sell"}</span>
        <span className="num strong">{o.price === null ? "market" : formatGold(o.price)}</span>
        <span className="num">
          {formatCount(o.remaining)}
          {o.filled > 0 ? <small className="muted"> of {formatCount(o.quantity)}</small> : null}
        </span>
        <cancel.Form method="post" action={action} className="inline">
          <CsrfField token={csrf} />
          <input type="hidden" name="orderId" value={o.id} />
          <button type="submit" name="intent" value="cancel" className="small ghost danger" disabled={busy || disabled} aria-label={`Cancel ${o.side} order at ${o.price === null ? "market" : formatGold(o.price)}`}>
            {cancel.state !== "idle" ? "Cancelling…" : "Cancel"}
          </button>
        </cancel.Form>
      </div>
      {o.price !== null ? (
        <details className="amend">
          <summary>Amend</summary>
          <amend.Form method="post" action={action} className="amend-form">
            <CsrfField token={csrf} />
            <input type="hidden" name="orderId" value={o.id} />
            <label>
              Price
              <input name="price" inputMode="decimal" defaultValue={goldInput(o.price)} />
            </label>
            <label>
              Quantity
              <input name="quantity" inputMode="numeric" defaultValue={String(o.remaining)} />
            </label>
            <button type="submit" name="intent" value="amend" className="small" disabled={busy || disabled}>
              {amend.state !== "idle" ? "Saving…" : "Save"}
            </button>
          </amend.Form>
        </details>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}

export function OpenOrders({ orders, pending, csrf, offline, action }: { orders: OpenOrder[]; pending: Pending | null; csrf: string; offline: boolean; action?: string }) {
  return (
    <>
      {orders.length === 0 && !pending ? <p className="muted">No open orders in this market.</p> : null}
      <ul className="orders" aria-live="polite">
        {pending ? (
          <li className={`order ${pending.side} pending`} data-pending="true">
            <div className="order-main">
              <span className={`side ${pending.side}`}>{pending.side === "buy" ? "Buy" : "Sell"}</span>
              <span className="num strong">{formatGold(pending.price)}</span>
              <span className="num">{formatCount(pending.quantity)}</span>
              <span className="tag pending-tag">Pending…</span>
            </div>
          </li>
        ) : null}
        {orders.map((o) => (
          <OrderItem key={o.id} o={o} csrf={csrf} disabled={offline} action={action} />
        ))}
      </ul>
      {offline && orders.length ? <p className="muted">Cancelling and amending need a connection.</p> : null}
    </>
  );
}
