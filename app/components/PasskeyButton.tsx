/**
 * A button that runs a passkey ceremony (ADR 036) and then posts the form it sits in, with the
 * authenticator's answer in a hidden `answer` field and its own `intent`. The form's other fields
 * (csrf, a passkey's name, which passkey) go along. A refusal by the browser is shown beside it.
 */
import { useSubmit } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { describePasskeyError, passkeysSupported } from "~/utils/passkeys";

export function PasskeyButton({ label, intent, run, className }: { label: string; intent: string; run: () => Promise<string>; className?: string }) {
  const submit = useSubmit();
  const ref = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [supported, setSupported] = useState(true);
  useEffect(() => setSupported(passkeysSupported()), []);

  async function onClick() {
    const form = ref.current?.form;
    if (!form || !form.reportValidity()) return;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await run();
      const fields = new FormData(form);
      fields.set("intent", intent);
      fields.set("answer", answer);
      submit(fields, { method: "post" });
    } catch (e) {
      setError(describePasskeyError(e));
    } finally {
      setBusy(false);
    }
  }

  if (!supported) return <p className="muted">This browser cannot use passkeys.</p>;
  return (
    <>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button ref={ref} type="button" className={className} disabled={busy} onClick={() => void onClick()}>
        {busy ? "Waiting for your passkey..." : label}
      </button>
    </>
  );
}
