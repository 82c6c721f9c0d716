/**
 * The "turn on alerts" card (ADR 014): offered once the player has done something worth hearing
 * back about (an order placed, an offer sent), never on first load; lazy-loaded by
 * app/components/pwa.tsx when that moment comes. "Not now" keeps it away for two weeks; a blocked
 * permission says so and how to undo it.
 */
import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useRootData } from "~/utils/root-data";
import { permission, REENABLE, snooze, snoozed, turnOn } from "./client";

/**
 * The card for this moment, or nothing: push unsupported, already decided (granted or blocked), or
 * "Not now" lately. In the page's flow where it has a place for it (under the ticket's answer, at the
 * top of the offer), so that it covers nothing; else a floating card.
 */
export function promptFor(moment: string, onDone: () => void) {
  if (permission() !== "default" || snoozed()) return null;
  const slot = document.querySelector("[data-alerts-slot]");
  const card = <AlertsPrompt moment={moment} onDone={onDone} inline={Boolean(slot)} />;
  return slot ? createPortal(card, slot) : card;
}

type State = { step: "ask" } | { step: "working" } | { step: "on" } | { step: "denied" } | { step: "error"; message: string };

export function AlertsPrompt({ moment, onDone, inline = false }: { moment: string; onDone: () => void; inline?: boolean }) {
  const csrf = useRootData()?.player?.csrf ?? "";
  const [state, setState] = useState<State>({ step: "ask" });
  const ref = useRef<HTMLElement>(null);
  // In the page's flow it may sit below the fold (a phone's ticket): bring it into view, and again
  // after the page's data is revalidated in the next seconds (the market page reloads its data after
  // an order, and the router puts the scroll position back then).
  const { state: revalidation } = useRevalidator();
  const shownAt = useRef(Date.now());
  useEffect(() => {
    if (!inline || revalidation !== "idle" || Date.now() - shownAt.current > 3_000) return;
    const timer = setTimeout(() => ref.current?.scrollIntoView({ block: "nearest" }), 150);
    return () => clearTimeout(timer);
  }, [inline, revalidation]);
  const start = async () => {
    setState({ step: "working" });
    try {
      const r = await turnOn(csrf);
      if (r === "on") setState({ step: "on" });
      else if (r === "denied") setState({ step: "denied" });
      else {
        snooze();
        onDone();
      }
    } catch (error) {
      setState({ step: "error", message: (error as Error).message });
    }
  };
  return (
    <aside ref={ref} className={inline ? "alerts-prompt inline" : "alerts-prompt"} aria-labelledby="alerts-prompt-title" data-alerts-prompt={state.step}>
      {state.step === "ask" || state.step === "working" ? (
        <>
          <p id="alerts-prompt-title" className="alerts-prompt-title">
            {moment === "offer" ? "Get an alert when they answer your offer?" : "Get alerts when your orders fill?"}
          </p>
          <p className="muted">Bazaar can tell you on this device when your orders fill and when offers arrive, even with the app closed.</p>
          <div className="alerts-prompt-actions">
            <button type="button" onClick={() => void start()} disabled={state.step === "working"}>
              {state.step === "working" ? "Turning on…" : "Turn on alerts"}
            </button>
            <button
              type="button"
              className="ghost"
              onClick={() => {
                snooze();
                onDone();
              }}
            >
              Not now
            </button>
          </div>
        </>
      ) : state.step === "on" ? (
        <>
          <p id="alerts-prompt-title" className="alerts-prompt-title" role="status">
            Alerts are on for this device.
          </p>
          <p className="muted">You can turn them off any time in Settings › Push alerts on your devices.</p>
          <div className="alerts-prompt-actions">
            <button type="button" className="ghost" onClick={onDone}>
              Close
            </button>
          </div>
        </>
      ) : (
        <>
          <p id="alerts-prompt-title" className="alerts-prompt-title" role="alert">
            {state.step === "denied" ? "Your browser is blocking notifications from Bazaar." : "Alerts could not be turned on."}
          </p>
          <p className="muted">{state.step === "denied" ? REENABLE : state.message}</p>
          <div className="alerts-prompt-actions">
            <button type="button" className="ghost" onClick={onDone}>
              Close
            </button>
          </div>
        </>
      )}
    </aside>
  );
}
