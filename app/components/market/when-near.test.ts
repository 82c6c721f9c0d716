import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { whenNear } from "./when-near";

/** One IntersectionObserver at a time, driven by the test: `report` is what the browser would call. */
let observer: { report: (isIntersecting: boolean, top: number) => void; disconnected: boolean; margin?: string } | null;
let scrollListeners: Array<() => void>;
const win = { scrollY: 0, innerHeight: 800, addEventListener: (_: string, f: () => void) => void scrollListeners.push(f), removeEventListener: (_: string, f: () => void) => void (scrollListeners = scrollListeners.filter((x) => x !== f)) };

class FakeObserver {
  constructor(cb: (entries: Array<{ isIntersecting: boolean; boundingClientRect: { top: number; bottom: number } }>) => void, options: { rootMargin?: string }) {
    observer = { report: (isIntersecting, top) => cb([{ isIntersecting, boundingClientRect: { top, bottom: top + 300 } }]), disconnected: false, margin: options.rootMargin };
  }
  observe() {}
  disconnect() {
    observer!.disconnected = true;
  }
}

const scroll = () => scrollListeners.forEach((f) => f());

beforeEach(() => {
  observer = null;
  scrollListeners = [];
  win.scrollY = 0;
  Object.assign(globalThis, { window: win, IntersectionObserver: FakeObserver });
});
afterEach(() => {
  delete (globalThis as Record<string, unknown>).window;
  delete (globalThis as Record<string, unknown>).IntersectionObserver;
});

describe("whenNear", () => {
  it("starts at once when the chart is on screen at load", () => {
    let started = 0;
    whenNear({} as Element, () => started++);
    observer!.report(true, 400);
    expect(started).toBe(1);
    expect(observer!.disconnected).toBe(true);
    expect(scrollListeners).toHaveLength(0);
  });

  it("below the screen but within the margin, waits for the player to scroll", () => {
    let started = 0;
    whenNear({} as Element, () => started++);
    expect(observer!.margin).toBe("600px 0px");
    observer!.report(true, 1_020);
    expect(started).toBe(0);
    scroll();
    expect(started).toBe(1);
    scroll();
    expect(started).toBe(1);
    expect(scrollListeners).toHaveLength(0);
  });

  it("scrolled but still far away, waits until it comes near", () => {
    let started = 0;
    whenNear({} as Element, () => started++);
    observer!.report(false, 2_500);
    scroll();
    expect(started).toBe(0);
    observer!.report(true, 1_300);
    expect(started).toBe(1);
  });

  it("a page restored scrolled down counts as scrolled", () => {
    win.scrollY = 300;
    let started = 0;
    whenNear({} as Element, () => started++);
    observer!.report(true, 1_100);
    expect(started).toBe(1);
  });

  it("cancelled, never starts", () => {
    let started = 0;
    const cancel = whenNear({} as Element, () => started++);
    observer!.report(true, 1_020);
    cancel();
    scroll();
    expect(started).toBe(0);
    expect(observer!.disconnected).toBe(true);
  });

  it("without IntersectionObserver (or a host), starts at once", () => {
    delete (globalThis as Record<string, unknown>).IntersectionObserver;
    let started = 0;
    whenNear({} as Element, () => started++);
    whenNear(null, () => started++);
    expect(started).toBe(2);
  });
});
