import { useEffect, useState } from "react";

const pad = (n: number) => String(n).padStart(2, "0");

/** Deterministic UTC text for the server render; the browser switches to local time after hydration. */
function utc(ms: number, withDate: boolean) {
  const d = new Date(ms);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return withDate ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${time} UTC` : `${time} UTC`;
}

function local(ms: number, withDate: boolean, seconds: boolean) {
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ""}`;
  return withDate ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}` : time;
}

let hydratedOnce = false;

/** False during the server render and hydration, true afterwards (and at once for later mounts). */
export function useHydrated() {
  const [hydrated, setHydrated] = useState(hydratedOnce);
  useEffect(() => {
    hydratedOnce = true;
    setHydrated(true);
  }, []);
  return hydrated;
}

export function Time({ ms, date = false, seconds = false }: { ms: number; date?: boolean; seconds?: boolean }) {
  const hydrated = useHydrated();
  return <time dateTime={new Date(ms).toISOString()}>{hydrated ? local(ms, date, seconds) : utc(ms, date)}</time>;
}
