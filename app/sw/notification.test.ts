import { describe, expect, it } from "vitest";
import { actionsFor, clickTarget, notificationFor, parsePushMessage, sitePath } from "./notification";

const msg = { id: "a1", kind: "fill", title: "Sold 20 Iron Ore at 1.27 gold", body: "Filled.", url: "/markets/iron-ore", icon: "/icons/items/iron-ore.svg", tag: "a1", ts: 1_700_000_000_000 };

describe("the service worker's notifications", () => {
  it("shows the alert's text and icon, tagged with its id, with a click going to its url", () => {
    const n = notificationFor(parsePushMessage(msg)!);
    expect(n.title).toBe(msg.title);
    expect(n.options).toMatchObject({ body: "Filled.", icon: msg.icon, tag: "a1", renotify: false, data: { id: "a1", kind: "fill", url: "/markets/iron-ore" }, timestamp: msg.ts });
    expect(n.options.actions.map((a) => a.title)).toEqual(["Open market", "My orders"]);
  });
  it("chooses actions by kind", () => {
    expect(actionsFor("offer_received").map((a) => a.action)).toEqual(["open", "offers"]);
    expect(actionsFor("price").map((a) => a.title)).toEqual(["Open market", "My orders"]);
    expect(actionsFor("something_new")).toEqual([{ action: "open", title: "Open" }]);
  });
  it("clicks open the alert's page, or the list an action names, always on this origin", () => {
    const o = "https://bazaar.example";
    expect(clickTarget({ url: "/offers/9" }, "", o)).toBe("https://bazaar.example/offers/9");
    expect(clickTarget({ url: "/offers/9" }, "open", o)).toBe("https://bazaar.example/offers/9");
    expect(clickTarget({ url: "/offers/9" }, "offers", o)).toBe("https://bazaar.example/offers");
    expect(clickTarget({ url: "/markets/iron-ore" }, "orders", o)).toBe("https://bazaar.example/orders");
    expect(clickTarget({ url: "https://evil.example/" }, "", o)).toBe("https://bazaar.example/");
    expect(clickTarget(null, "", o)).toBe("https://bazaar.example/");
    expect(sitePath("//evil.example")).toBe("/");
  });
  it("ignores messages that are not alerts, and defaults what is missing", () => {
    expect(parsePushMessage(null)).toBeNull();
    expect(parsePushMessage("text")).toBeNull();
    expect(parsePushMessage({ title: "no id" })).toBeNull();
    expect(parsePushMessage({ id: "x" })).toEqual({ id: "x", kind: "", title: "Bazaar", body: "", url: "/", icon: null, tag: "x", ts: null });
    expect(notificationFor(parsePushMessage({ id: "x" })!).options.icon).toBe("/icons/icon-192.png");
  });
});
