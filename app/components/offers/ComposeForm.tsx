/**
 * The offer form (new offer and counter offer): pick what you give from your inventory and what
 * you ask for from the other player's. Plain form fields, so it works without JavaScript; the
 * server (edge/offers/form.server.ts) parses and checks everything.
 */
import { Form, Link, useNavigation } from "@remix-run/react";
import { CsrfField, FormAlert } from "~/components/forms";
import { formatCount, formatGold } from "~/utils/money";
import { ItemMetadata } from "./OfferLines";
import { markOfferSent } from "~/components/push/moment";

export interface PickStack {
  itemTypeId: number;
  name: string;
  icon: string;
  category: string;
  available: number;
}
export interface PickUnique {
  id: string;
  name: string;
  icon: string;
  metadata: Record<string, unknown> | null;
}
export interface PickSide {
  /** Available gold in copper, when it may be shown (mine: yes; the other player's: never). */
  copper?: number;
  stacks: PickStack[];
  uniques: PickUnique[];
}

export type Values = Record<string, string | string[] | undefined>;

const EXPIRY: Array<[number, string]> = [
  [1, "1 hour"],
  [6, "6 hours"],
  [24, "1 day"],
  [72, "3 days"],
  [168, "1 week"],
  [336, "2 weeks"],
];

const str = (v: string | string[] | undefined) => (typeof v === "string" ? v : "");
const has = (v: string | string[] | undefined, id: string) => (Array.isArray(v) ? v.includes(id) : v === id);

function ErrorText({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p className="field-error" id={id}>
      {error}
    </p>
  ) : null;
}

function SidePicker({ side, pick, values, errors, owner }: { side: "give" | "ask"; pick: PickSide; values: Values; errors: Record<string, string>; owner: string }) {
  const gold = `${side}.gold`;
  return (
    <>
      <div className="field">
        <label htmlFor={gold}>Gold</label>
        <input
          id={gold}
          name={gold}
          inputMode="decimal"
          autoComplete="off"
          placeholder="0"
          defaultValue={str(values[gold])}
          aria-invalid={errors[gold] ? true : undefined}
          aria-describedby={`${gold}-hint${errors[gold] ? ` ${gold}-error` : ""}`}
        />
        <p className="muted" id={`${gold}-hint`}>
          {pick.copper !== undefined ? `${owner} ${formatGold(pick.copper)} gold available. ` : ""}Whole gold or up to 2 decimals (100 copper = 1 gold).
        </p>
        <ErrorText id={`${gold}-error`} error={errors[gold]} />
      </div>
      {pick.stacks.length > 0 ? (
        <div role="group" aria-label={side === "give" ? "Goods you give" : "Goods you ask for"}>
          <h3>Goods</h3>
          {pick.stacks.map((s) => {
            const name = `${side}.stack.${s.itemTypeId}`;
            return (
              <div key={s.itemTypeId}>
                <div className="offer-pick">
                  <span className="icon" aria-hidden="true">
                    {s.icon}
                  </span>
                  <label htmlFor={name}>
                    {s.name} <small className="muted">({formatCount(s.available)} available)</small>
                  </label>
                  <input
                    id={name}
                    name={name}
                    type="number"
                    inputMode="numeric"
                    min={0}
                    max={s.available}
                    step={1}
                    placeholder="0"
                    defaultValue={str(values[name])}
                    aria-invalid={errors[name] ? true : undefined}
                    aria-describedby={errors[name] ? `${name}-error` : undefined}
                  />
                </div>
                <ErrorText id={`${name}-error`} error={errors[name]} />
              </div>
            );
          })}
        </div>
      ) : null}
      {pick.uniques.length > 0 ? (
        <div role="group" aria-label={side === "give" ? "Unique items you give" : "Unique items you ask for"}>
          <h3>Unique items</h3>
          {pick.uniques.map((u) => {
            const id = `${side}.unique.${u.id}`;
            return (
              <div className="offer-pick" key={u.id}>
                <span className="icon" aria-hidden="true">
                  {u.icon}
                </span>
                <label htmlFor={id}>
                  {u.name}
                  <ItemMetadata metadata={u.metadata} />
                </label>
                <input id={id} type="checkbox" name={`${side}.unique`} value={u.id} defaultChecked={has(values[`${side}.unique`], u.id)} />
              </div>
            );
          })}
          <ErrorText id={`${side}.unique-error`} error={errors[`${side}.unique`]} />
        </div>
      ) : null}
      {pick.stacks.length === 0 && pick.uniques.length === 0 ? <p className="muted">No goods or unique items to pick from.</p> : null}
    </>
  );
}

export function ComposeForm(props: {
  csrf: string;
  to: string;
  mine: PickSide;
  theirs: PickSide;
  values: Values;
  fieldErrors?: Record<string, string>;
  formError?: string;
  /** The step-up page to visit before sending again (a high-value offer with two-factor sign-in on, ADR 035). */
  stepUp?: string;
  submitLabel: string;
}) {
  const errors = props.fieldErrors ?? {};
  const busy = useNavigation().state === "submitting";
  return (
    <Form
      method="post"
      noValidate
      // The offer page it lands on may offer push alerts (app/components/push/moment.ts).
      onSubmit={markOfferSent}
    >
      <CsrfField token={props.csrf} />
      <input type="hidden" name="to" value={props.to} />
      <FormAlert message={props.formError} />
      {props.stepUp ? (
        <p>
          <Link to={props.stepUp}>Confirm it's you</Link>, then send the offer again: what you picked is kept below.
        </p>
      ) : null}
      <fieldset className="offer-compose">
        <legend>You give</legend>
        <SidePicker side="give" pick={props.mine} values={props.values} errors={errors} owner="You have" />
      </fieldset>
      <fieldset className="offer-compose">
        <legend>You get from {props.to}</legend>
        <SidePicker side="ask" pick={props.theirs} values={props.values} errors={errors} owner="" />
      </fieldset>
      <div className="field">
        <label htmlFor="message">Message (optional)</label>
        <textarea
          id="message"
          name="message"
          rows={3}
          maxLength={500}
          defaultValue={str(props.values.message)}
          aria-invalid={errors.message ? true : undefined}
          aria-describedby={errors.message ? "message-error" : undefined}
        />
        <ErrorText id="message-error" error={errors.message} />
      </div>
      <div className="field">
        <label htmlFor="expiresInHours">Offer stands for</label>
        <select id="expiresInHours" name="expiresInHours" defaultValue={str(props.values.expiresInHours) || "72"}>
          {EXPIRY.map(([h, words]) => (
            <option key={h} value={h}>
              {words}
            </option>
          ))}
        </select>
        <ErrorText id="expiresInHours-error" error={errors.expiresInHours} />
      </div>
      <p className="muted">Nothing moves until {props.to} accepts. You can withdraw the offer until then.</p>
      <button type="submit" disabled={busy}>
        {busy ? "Sending..." : props.submitLabel}
      </button>
    </Form>
  );
}
