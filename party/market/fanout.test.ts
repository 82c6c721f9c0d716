import { describe, expect, it } from "vitest";
import { Fanout, type Recipient } from "./fanout";

/** A socket that records what it got, in order; `closed` ones throw like a closed WebSocket. */
const socket = (log: string[][], i: number, closed = false): Recipient => ({
  send(text: string) {
    if (closed) throw new Error("Can't call WebSocket send() after close()");
    (log[i] ??= []).push(text);
  },
});

/** A fan-out whose "later" is run by hand, so each slice can be watched. */
function manual(slice: number) {
  const queue: Array<() => void> = [];
  let idle = 0;
  let drops = 0;
  const fanout = new Fanout(() => idle++, () => drops++, slice, (run) => queue.push(run));
  return { fanout, step: () => queue.shift()?.(), pending: () => queue.length, idle: () => idle, drops: () => drops };
}

describe("Fanout: one update to every socket in slices, rounds in order", () => {
  it("sends the first slice at once and the rest one slice per turn, then says it is idle", () => {
    const log: string[][] = [];
    const m = manual(3);
    const to = Array.from({ length: 7 }, (_, i) => socket(log, i));
    m.fanout.send("u1", to);
    expect(log.filter(Boolean)).toHaveLength(3);
    expect(m.fanout.busy).toBe(true);
    m.step();
    expect(log.filter(Boolean)).toHaveLength(6);
    m.step();
    expect(log.filter(Boolean)).toHaveLength(7);
    expect(m.fanout.busy).toBe(false);
    expect(m.idle()).toBe(1);
    expect(m.pending()).toBe(0);
  });

  it("finishes a round before the next, so every socket gets the updates in order", () => {
    const log: string[][] = [];
    const m = manual(2);
    const to = Array.from({ length: 5 }, (_, i) => socket(log, i));
    m.fanout.send("u1", to);
    m.fanout.send("u2", to); // queued behind u1: nothing of it goes out yet
    expect(log.flat()).not.toContain("u2");
    while (m.pending() > 0) m.step();
    expect(log).toEqual(Array.from({ length: 5 }, () => ["u1", "u2"]));
    expect(m.idle()).toBe(1);
  });

  it("counts a socket that closed during its round and goes on with the others", () => {
    const log: string[][] = [];
    const m = manual(10);
    m.fanout.send("u1", [socket(log, 0), socket(log, 1, true), socket(log, 2)]);
    expect(log[0]).toEqual(["u1"]);
    expect(log[2]).toEqual(["u1"]);
    expect(m.drops()).toBe(1);
    expect(m.fanout.busy).toBe(false);
  });

  it("a room with fewer sockets than a slice sends in one go", () => {
    const log: string[][] = [];
    const m = manual(256);
    m.fanout.send("u1", [socket(log, 0), socket(log, 1)]);
    expect(log).toEqual([["u1"], ["u1"]]);
    expect(m.pending()).toBe(0);
    expect(m.idle()).toBe(1);
  });
});
