/**
 * Settings › Push alerts on your devices (ADR 014): this device's push alerts (on, off, blocked by the browser, or not
 * possible here) with a switch, and the player's other devices, each with "Turn off".
 */
import { useEffect, useState } from "react";
import { currentSubscription, loadDevices, permission, pushSupported, REENABLE, turnOff, turnOn, type Device } from "./client";

type View = { loading: true } | { loading: false; supported: boolean; blocked: boolean; mine: Device | null; others: Device[]; configured: boolean };

const when = (iso: string) => new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });

/** "Chrome on Android" from a User-Agent, roughly: enough to tell one's devices apart. */
export function deviceName(ua: string | null): string {
  if (!ua) return "A device";
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "A browser";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad|iOS/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}

export function AlertsSettings({ csrf }: { csrf: string }) {
  const [view, setView] = useState<View>({ loading: true });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const refresh = async () => {
    const supported = pushSupported();
    const [list, sub] = await Promise.all([loadDevices(), supported ? currentSubscription() : Promise.resolve(null)]);
    const mine = sub ? (list.subscriptions.find((d) => d.endpoint === sub.endpoint) ?? null) : null;
    setView({ loading: false, supported, blocked: permission() === "denied", mine, others: list.subscriptions.filter((d) => d !== mine), configured: Boolean(list.publicKey) });
  };
  useEffect(() => {
    refresh().catch((error: Error) => setMessage(error.message));
  }, []);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setMessage(null);
    try {
      await fn();
      await refresh();
    } catch (error) {
      setMessage((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (view.loading) return <p className="muted">Checking this device…</p>;
  return (
    <div className="stack alerts-settings">
      <div className="alerts-device" data-alerts-device={view.mine ? "on" : view.blocked ? "blocked" : view.supported ? "off" : "unsupported"}>
        <p>
          <strong>This device: </strong>
          {view.mine ? `alerts on since ${when(view.mine.createdAt)}` : view.blocked ? "notifications are blocked" : view.supported ? "alerts off" : "this browser cannot receive push alerts"}
        </p>
        {view.mine ? (
          <button type="button" className="ghost" disabled={busy} onClick={() => void act(() => turnOff(csrf))}>
            Turn off on this device
          </button>
        ) : view.blocked ? (
          <p className="muted">{REENABLE}</p>
        ) : view.supported && view.configured ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                const r = await turnOn(csrf);
                if (r === "denied") throw new Error("Your browser is blocking notifications from Bazaar. " + REENABLE);
              })
            }
          >
            Turn on alerts
          </button>
        ) : null}
      </div>
      {view.others.length > 0 ? (
        <>
          <h3 className="label">Other devices with alerts on</h3>
          <ul className="alerts-others">
            {view.others.map((d) => (
              <li key={d.id}>
                <span>
                  {deviceName(d.userAgent)} <span className="muted">since {when(d.createdAt)}</span>
                </span>
                <button type="button" className="ghost small" disabled={busy} onClick={() => void act(() => turnOff(csrf, d))}>
                  Turn off
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {message ? (
        <p className="form-error" role="alert">
          {message}
        </p>
      ) : null}
    </div>
  );
}
