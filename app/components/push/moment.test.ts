/** The moments that offer push alerts (ADR 014): an offer sent shortly before its page opens. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ALERTS_MOMENT, markOfferSent, offerSentMoment } from "./moment";

const store = new Map<string, string>();
const events: string[] = [];

beforeEach(() => {
  store.clear();
  events.length = 0;
  vi.stubGlobal("sessionStorage", { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) });
  vi.stubGlobal("window", { dispatchEvent: (e: CustomEvent<string>) => void events.push(`${e.type}:${e.detail}`) });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe("the offer-sent moment", () => {
  it("fires once on the offer page after the form was sent", () => {
    markOfferSent();
    offerSentMoment();
    offerSentMoment();
    expect(events).toEqual([`${ALERTS_MOMENT}:offer`]);
  });
  it("does not fire on an offer page opened without sending, or a minute later", () => {
    offerSentMoment();
    vi.useFakeTimers({ now: 1_000_000 });
    markOfferSent();
    vi.setSystemTime(1_000_000 + 61_000);
    offerSentMoment();
    expect(events).toEqual([]);
  });
});
