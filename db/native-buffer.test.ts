import { Buffer as NodeBuffer } from "node:buffer";
import { afterEach, describe, expect, it, vi } from "vitest";

const scope = globalThis as { Buffer?: unknown };
const original = scope.Buffer;

describe("db/native-buffer", () => {
  afterEach(() => {
    scope.Buffer = original;
    vi.resetModules();
  });

  it("gives a scope without a global Buffer the native node:buffer one (the rooms' workerd)", async () => {
    delete scope.Buffer;
    expect(scope.Buffer).toBeUndefined();
    await import("./native-buffer");
    expect(scope.Buffer).toBe(NodeBuffer);
  });

  it("leaves a Buffer already there alone (Node, the edge)", async () => {
    const own = function OwnBuffer() {};
    scope.Buffer = own;
    await import("./native-buffer");
    expect(scope.Buffer).toBe(own);
  });
});
