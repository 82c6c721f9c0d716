/**
 * The chart's indicator toggles and periods: one plain form posting to /settings/chart, so it
 * works without JavaScript (the server renders it to static HTML for the market page) and, once
 * the chart's code has loaded, as this component with `onChange`: the chart redraws at once and
 * the choice is saved in the background. Never in the market page's first-load JavaScript.
 */
import { useState, type FormEvent } from "react";
import { chartPrefsFromForm, type ChartPrefs, type ChartToggle } from "~/utils/indicators/prefs";
import { MAX_PERIOD, MAX_WIDTH, MIN_PERIOD, MIN_WIDTH } from "~/utils/indicators/spec";

const label = (k: ChartToggle, p: ChartPrefs) =>
  k === "sma" ? `SMA ${p.sma.period}` : k === "ema" ? `EMA ${p.ema.period}` : k === "bb" ? `BB ${p.bb.period}·${p.bb.width}` : k === "vwap" ? "VWAP" : "Volume";
const NAMES: Record<ChartToggle, string> = {
  sma: "Simple moving average",
  ema: "Exponential moving average",
  vwap: "Volume-weighted average price (today, UTC)",
  bb: "Bollinger bands",
  volume: "Volume",
};
const ORDER: ChartToggle[] = ["sma", "ema", "vwap", "bb", "volume"];

export function ChartSettings({ prefs, csrf, back, onChange }: { prefs: ChartPrefs; csrf: string; back: string; onChange?: (p: ChartPrefs) => void }) {
  const [problem, setProblem] = useState("");
  const submit = (e: FormEvent<HTMLFormElement>) => {
    if (!onChange) return;
    e.preventDefault();
    const submitter = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const body = new FormData(e.currentTarget, submitter);
    const next = chartPrefsFromForm(prefs, body);
    if (typeof next === "string") return setProblem(next);
    setProblem("");
    onChange(next);
    void fetch("/settings/chart", { method: "POST", body, headers: { accept: "application/json" } }).catch(() => undefined);
  };
  const period = (name: string, text: string, value: number) => (
    <label>
      {text}
      <input name={name} type="number" inputMode="numeric" min={MIN_PERIOD} max={MAX_PERIOD} step={1} defaultValue={value} required />
    </label>
  );
  return (
    <form method="post" action="/settings/chart" className="chart-settings" onSubmit={onChange ? submit : undefined}>
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="back" value={back} />
      <div className="indicator-toggles" role="group" aria-label="Indicators">
        {ORDER.map((k) => (
          <button key={k} type="submit" name="toggle" value={k} className={`ind-chip${prefs[k].on ? " on" : ""}`} aria-pressed={prefs[k].on} title={NAMES[k]} data-indicator={k}>
            {label(k, prefs)}
          </button>
        ))}
      </div>
      <details className="indicator-periods" key={JSON.stringify(prefs)}>
        <summary>Indicator settings</summary>
        <fieldset>
          <legend>Show</legend>
          {ORDER.map((k) => (
            <label key={k} className="check">
              <input type="checkbox" name="on" value={k} defaultChecked={prefs[k].on} /> {NAMES[k]}
            </label>
          ))}
        </fieldset>
        <div className="period-fields">
          {period("smaPeriod", "SMA candles", prefs.sma.period)}
          {period("emaPeriod", "EMA candles", prefs.ema.period)}
          {period("bbPeriod", "Bollinger candles", prefs.bb.period)}
          <label>
            Bollinger width (σ)
            <input name="bbWidth" type="number" inputMode="decimal" min={MIN_WIDTH} max={MAX_WIDTH} step={0.1} defaultValue={prefs.bb.width} required />
          </label>
        </div>
        <button type="submit" className="button small">
          Save
        </button>
      </details>
      {problem ? (
        <p className="form-error" role="alert">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
