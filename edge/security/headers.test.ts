import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce, securityHeaders, withSecurityHeaders } from "./headers";

const directive = (csp: string, name: string) => csp.split("; ").find((d) => d.split(" ")[0] === name);

describe("content security policy", () => {
  it("allows scripts only with the response's nonce (and what they load)", () => {
    const csp = contentSecurityPolicy({ nonce: "abc", url: new URL("https://bazaar.example/markets"), partyHost: "rooms.example" });
    expect(directive(csp, "script-src")).toBe("script-src 'nonce-abc' 'strict-dynamic' 'self' 'unsafe-inline' https:");
    expect(directive(csp, "frame-ancestors")).toBe("frame-ancestors 'none'");
    expect(directive(csp, "object-src")).toBe("object-src 'none'");
    expect(directive(csp, "base-uri")).toBe("base-uri 'none'");
    expect(directive(csp, "connect-src")).toBe("connect-src 'self' wss://rooms.example https://rooms.example");
    expect(directive(csp, "worker-src")).toBe("worker-src 'self'");
    expect(csp).toContain("upgrade-insecure-requests");
  });

  it("reaches the local rooms over ws: on a plain-http page, and never upgrades there", () => {
    const csp = contentSecurityPolicy({ nonce: "n", url: new URL("http://127.0.0.1:8787/"), partyHost: "127.0.0.1:1999" });
    expect(directive(csp, "connect-src")).toBe("connect-src 'self' ws://127.0.0.1:1999 http://127.0.0.1:1999");
    expect(directive(csp, "script-src")).not.toContain("https:");
    expect(csp).not.toContain("upgrade-insecure-requests");
  });

  it("a new 128-bit nonce every time", () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newNonce()).not.toBe(a);
  });
});

describe("security headers", () => {
  it("HSTS only over https", () => {
    expect(securityHeaders(new URL("https://b.example/"))["Strict-Transport-Security"]).toMatch(/max-age=\d{8}/);
    expect(securityHeaders(new URL("http://127.0.0.1/"))["Strict-Transport-Security"]).toBeUndefined();
  });

  it("the policy goes on HTML only; the rest on everything, even immutable responses", async () => {
    const url = new URL("https://b.example/");
    const page = withSecurityHeaders(new Response("<p>", { headers: { "Content-Type": "text/html; charset=utf-8" } }), url, "default-src 'self'");
    expect(page.headers.get("Content-Security-Policy")).toBe("default-src 'self'");
    const fetched = Response.redirect("https://b.example/x", 302);
    const moved = withSecurityHeaders(fetched, url, "default-src 'self'");
    expect(moved.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(moved.headers.get("Location")).toBe("https://b.example/x");
    expect(moved.headers.get("Content-Security-Policy")).toBeNull();
    expect(moved.headers.get("Permissions-Policy")).toContain("camera=()");
  });
});
