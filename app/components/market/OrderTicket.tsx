/**
 * The order ticket. Without JavaScript it is a plain form: "Review" posts to the page's action,
 * which answers with a confirmation form, and "Confirm" places the order through the room.
 * With JavaScript the review is a dialog and the order goes over the market socket (or the same
 * action when the socket is not live); it shows as pending until the room answers. Offline,
 * the ticket says it needs a connection: nothing is ever queued.
 */
import { Form, useFetcher } from "@remix-run/react";
import { lazy, Suspense, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { CommandMessage } from "../../../party/protocol";
import type { Answer } from "../../../party/settlement/types";
import { CsrfField } from "../forms";
import { formatCount, formatGold } from "~/utils/money";
import { goldInput } from "~/utils/price";
import { checkTicket } from "~/utils/ticket";
import type { ConnectionState } from "./useMarketFeed";

export interface TicketMarket {
  slug: string;
  name: string;
  tickSize: number;
  lotSize: number;
  takerFeeBps: number;
  status: string;
}

export interface Pending {
  ref: string;
  side: "buy" | "sell";
  orderType: "limit" | "market";
  price: number;
  quantity: number;
}

export type Review = Omit<Pending, "ref"> & { clientOrderId: string };
type Result = { ok: boolean; message: string };

interface Props {
  market: TicketMarket;
  csrf: string;
  clientOrderId: string;
  available: { gold: number; items: number };
  defaultPrice: number;
  /** The best bid and ask now (the "Best bid" / "Best ask" buttons). */
  best: { bid?: number; ask?: number };
  /** A price tapped in the book, and the side that takes it (an ask is bought, a bid sold). */
  picked: { price: number; side?: "buy" | "sell"; n: number } | null;
  connection: ConnectionState;
  offline: boolean;
  command: (m: CommandMessage) => Promise<Answer>;
  /** The server's review (no-JS path), shown as a confirmation form. */
  review?: Review;
  serverResult?: Result;
  onPending: (p: Pending | null) => void;
  onAnswer: (a: Result) => void;
}

/** The confirmations (dialog and no-JavaScript form): fetched when the ticket is first touched. */
const confirmModule = () => import("./ConfirmOrder");
const preloadConfirm = () => void confirmModule().catch(() => undefined);
const ConfirmBody = lazy(() => confirmModule().then((m) => ({ default: m.ConfirmBody })));
const ServerConfirm = lazy(() => confirmModule().then((m) => ({ default: m.ServerConfirm })));

/** The answer in words: loaded when a review opens (not with the page), before the room answers. */
const orderWords = () => import("~/utils/order-words");

const newOrderId = () => `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

function Stepper(props: {
  id: string;
  label: string;
  name: string;
  value: string;
  onChange: (v: string) => void;
  step: () => void;
  back: () => void;
  unit: string;
  stepWords: string;
  inputMode: "decimal" | "numeric";
  error?: string;
  /** The field's limits, in words under the field (and its description). */
  hint: ReactNode;
  /** Buttons that fill the field. */
  extra?: ReactNode;
}) {
  const hintId = `${props.id}-hint`;
  const errorId = `${props.id}-err`;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <div className="stepper">
        <button type="button" onClick={props.back} aria-label={`Decrease ${props.label.toLowerCase()} by ${props.stepWords}`}>
          −
        </button>
        <input
          id={props.id}
          name={props.name}
          value={props.value}
          inputMode={props.inputMode}
          autoComplete="off"
          onChange={(e) => props.onChange(e.target.value)}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? `${errorId} ${hintId}` : hintId}
        />
        <span className="unit" aria-hidden="true">
          {props.unit}
        </span>
        <button type="button" onClick={props.step} aria-label={`Increase ${props.label.toLowerCase()} by ${props.stepWords}`}>
          +
        </button>
      </div>
      {props.error ? (
        <p className="field-error" id={errorId}>
          {props.error}
        </p>
      ) : null}
      <p className="limits" id={hintId}>
        {props.hint}
      </p>
      {props.extra}
    </div>
  );
}

export function OrderTicket(p: Props) {
  const { market } = p;
  const id = useId();
  const [side, setSide] = useState<"buy" | "sell">(p.review?.side ?? "buy");
  const [orderType, setOrderType] = useState<"limit" | "market">(p.review?.orderType ?? "limit");
  const [priceText, setPriceText] = useState(goldInput(p.review?.price ?? p.defaultPrice));
  const [qtyText, setQtyText] = useState(String(p.review?.quantity ?? market.lotSize));
  const [confirming, setConfirming] = useState<Review | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | undefined>(p.serverResult);
  const dialog = useRef<HTMLDialogElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const fetcher = useFetcher<{ answer?: Result; formError?: string }>();

  useEffect(() => setResult(p.serverResult), [p.serverResult]);
  useEffect(() => {
    if (!p.picked) return;
    setPriceText(goldInput(p.picked.price));
    if (p.picked.side) setSide(p.picked.side);
  }, [p.picked]);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (confirming && !d.open) d.showModal();
    if (!confirming && d.open) d.close();
  }, [confirming]);

  // The HTTP path (socket not live): pending until the action answers.
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data) return;
    const r = fetcher.data.answer ?? { ok: false, message: fetcher.data.formError ?? "The order was not placed. Try again." };
    setBusy(false);
    p.onPending(null);
    setResult(r);
    p.onAnswer(r);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetcher.state, fetcher.data]);

  // Checked on every keystroke against the tick, the lot, the bounds and what the player holds.
  const check = checkTicket({ side, orderType, price: priceText, quantity: qtyText }, market, p.available);
  const { price, quantity, errors, preview: pv } = check;
  const valid = !errors.price && !errors.quantity;
  const open = market.status === "open";
  const canSend = !p.offline && open && !busy;

  const bump = (dir: 1 | -1) => {
    const base = price ?? p.defaultPrice;
    setPriceText(goldInput(Math.max(market.tickSize, base - (base % market.tickSize) + dir * market.tickSize)));
  };
  const bumpQty = (dir: 1 | -1) => setQtyText(String(Math.max(market.lotSize, (quantity ?? 0) - ((quantity ?? 0) % market.lotSize) + dir * market.lotSize)));

  const review = (e: FormEvent) => {
    e.preventDefault();
    if (!canSend) return;
    if (!valid) {
      // The dialog never opens for an order that cannot be placed: the field that says why gets focus.
      form.current?.querySelector<HTMLInputElement>("input[aria-invalid]")?.focus();
      return;
    }
    setResult(undefined);
    void orderWords().catch(() => undefined);
    preloadConfirm();
    setConfirming({ side, orderType, price: price!, quantity: quantity!, clientOrderId: newOrderId() });
  };

  const confirm = async () => {
    const r = confirming;
    if (!r) return;
    setConfirming(null);
    setBusy(true);
    const pending: Pending = { ref: r.clientOrderId, side: r.side, orderType: r.orderType, price: r.price, quantity: r.quantity };
    p.onPending(pending);
    if (p.connection === "live") {
      try {
        const answer = await p.command({
          type: "place",
          ref: r.clientOrderId,
          clientOrderId: r.clientOrderId,
          side: r.side,
          orderType: r.orderType,
          quantity: r.quantity,
          ...(r.orderType === "limit" ? { price: r.price } : { priceLimit: r.price }),
        });
        const words = await orderWords().catch(() => null);
        const out = { ok: answer.ok, message: words ? words.orderOutcome(answer, market.name) : answer.message };
        setResult(out);
        p.onAnswer(out);
        // A moment to offer push alerts (app/components/pwa.tsx).
        if (answer.ok) window.dispatchEvent(new CustomEvent("bazaar:alerts-moment", { detail: "order" }));
      } catch (error) {
        const out = { ok: false, message: (error as Error).message };
        setResult(out);
        p.onAnswer(out);
      } finally {
        setBusy(false);
        p.onPending(null);
      }
      return;
    }
    fetcher.submit(
      { csrf: p.csrf, intent: "place", clientOrderId: r.clientOrderId, side: r.side, orderType: r.orderType, price: goldInput(r.price), quantity: String(r.quantity) },
      { method: "post" },
    );
  };

  const sideWord = side === "buy" ? "Buy" : "Sell";
  const bestButton = (which: "bid" | "ask") => {
    const value = which === "bid" ? p.best.bid : p.best.ask;
    const label = which === "bid" ? "Best bid" : "Best ask";
    return (
      <button
        type="button"
        className="chip"
        disabled={value === undefined}
        onClick={() => value !== undefined && setPriceText(goldInput(value))}
        aria-label={value === undefined ? `${label}: none` : `${label}, ${formatGold(value)} gold: use this price`}
      >
        <span>{label}</span> <span className="num">{value === undefined ? "–" : formatGold(value)}</span>
      </button>
    );
  };
  return (
    <div className={`ticket ${side}`}>
      {p.review ? (
        <Suspense fallback={null}>
          <ServerConfirm review={p.review} csrf={p.csrf} market={market} />
        </Suspense>
      ) : null}
      <Form method="post" onSubmit={review} onFocus={preloadConfirm} onPointerDown={preloadConfirm} noValidate aria-label={`Order ticket for ${market.name}`} ref={form}>
        <CsrfField token={p.csrf} />
        <input type="hidden" name="clientOrderId" value={p.clientOrderId} />
        <fieldset className="segmented sides">
          <legend className="visually-hidden">Side</legend>
          {(["buy", "sell"] as const).map((s) => (
            <label key={s} className={`seg ${s} ${side === s ? "on" : ""}`}>
              <input type="radio" name="side" value={s} checked={side === s} onChange={() => setSide(s)} />
              {s === "buy" ? "Buy" : "Sell"}
            </label>
          ))}
        </fieldset>
        <fieldset className="segmented types">
          <legend className="visually-hidden">Order type</legend>
          {(["limit", "market"] as const).map((t) => (
            <label key={t} className={`seg ${orderType === t ? "on" : ""}`}>
              <input type="radio" name="orderType" value={t} checked={orderType === t} onChange={() => setOrderType(t)} />
              {t === "limit" ? "Limit" : "Market"}
            </label>
          ))}
        </fieldset>
        <Stepper
          id={`${id}-price`}
          label={orderType === "limit" ? "Price" : side === "buy" ? "Worst price" : "Lowest price"}
          name="price"
          value={priceText}
          onChange={setPriceText}
          step={() => bump(1)}
          back={() => bump(-1)}
          unit="gold"
          stepWords={`one tick, ${formatGold(market.tickSize)} gold`}
          inputMode="decimal"
          error={errors.price}
          hint={
            <>
              In gold, steps of <span className="num">{formatGold(market.tickSize)}</span> (tick)
            </>
          }
          extra={
            <div className="chips">
              {bestButton("bid")}
              {bestButton("ask")}
            </div>
          }
        />
        <Stepper
          id={`${id}-qty`}
          label="Quantity"
          name="quantity"
          value={qtyText}
          onChange={setQtyText}
          step={() => bumpQty(1)}
          back={() => bumpQty(-1)}
          unit="items"
          stepWords={`one lot, ${formatCount(market.lotSize)}`}
          inputMode="numeric"
          error={errors.quantity}
          hint={
            <>
              Lots of <span className="num">{formatCount(market.lotSize)}</span> ·{" "}
              {side === "buy" ? (
                <>
                  <span className="num">{formatGold(p.available.gold)}</span> gold available
                </>
              ) : (
                <>
                  <span className="num">{formatCount(p.available.items)}</span> available to sell
                </>
              )}
            </>
          }
        />
        <dl className="preview">
          <div>
            <dt>{orderType === "market" ? "Up to" : "Value"}</dt>
            <dd className="num">{pv ? formatGold(pv.notional) : "–"}</dd>
          </div>
          <div>
            <dt>Fee ({market.takerFeeBps / 100}% max)</dt>
            <dd className="num">{pv ? formatGold(pv.fee) : "–"}</dd>
          </div>
          <div className="total">
            <dt>{side === "buy" ? "Total cost" : "You receive"}</dt>
            <dd className="num">{pv ? `${formatGold(pv.total)} gold` : "–"}</dd>
          </div>
        </dl>
        {p.offline ? (
          <p className="notice" role="status">
            You're offline. Placing an order needs a connection to the market; nothing is queued. It will work again once you're back online.
          </p>
        ) : !open ? (
          <p className="notice">This market is {market.status}: no new orders.</p>
        ) : null}
        <button type="submit" name="intent" value="review" className={`submit ${side}`} disabled={!canSend} aria-disabled={!canSend} aria-describedby={!valid ? `${id}-fix` : undefined}>
          {busy ? "Pending…" : `Review ${sideWord.toLowerCase()} order`}
        </button>
        {!valid && canSend ? (
          <p className="fix-note" id={`${id}-fix`}>
            Fix the {errors.price && errors.quantity ? "price and quantity" : errors.price ? "price" : "quantity"} above to review this order.
          </p>
        ) : null}
        <p className="sr-status" role="status" aria-live="polite">
          {busy ? "Order pending: waiting for the market to answer." : ""}
        </p>
        {result ? (
          <p className={result.ok ? "ok-note" : "form-error"} role={result.ok ? "status" : "alert"}>
            {result.message}
          </p>
        ) : null}
      </Form>
      {/* Where the "Turn on alerts" card appears after an order (app/components/push/AlertsPrompt.tsx). */}
      <div data-alerts-slot="" />

      <dialog ref={dialog} className="confirm" aria-labelledby={`${id}-confirm`} onClose={() => setConfirming(null)}>
        {confirming ? (
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <ConfirmBody r={confirming} market={market} headingId={`${id}-confirm`} onEdit={() => setConfirming(null)} onConfirm={() => void confirm()} />
          </Suspense>
        ) : null}
      </dialog>
    </div>
  );
}
