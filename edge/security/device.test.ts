import { describe, expect, it } from "vitest";
import { describeDevice, describePlace } from "./device";

describe("device words", () => {
  it("names browser and system from a User-Agent", () => {
    expect(describeDevice("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36")).toBe("Chrome on Android");
    expect(describeDevice("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")).toBe("Safari on iOS");
    expect(describeDevice("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")).toBe("Firefox on Windows");
    expect(describeDevice("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0")).toBe("Edge on Windows");
    expect(describeDevice("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/142.0 Safari/537.36")).toBe("Chrome on Linux");
    expect(describeDevice("curl/8.5.0")).toBe("API client");
    expect(describeDevice(null)).toBe("Unknown device");
  });

  it("place from Cloudflare's request.cf, or null locally", () => {
    const r = Object.assign(new Request("https://b.example/"), { cf: { city: "Berlin", country: "DE" } });
    expect(describePlace(r)).toBe("Berlin, DE");
    expect(describePlace(new Request("http://127.0.0.1/"))).toBeNull();
  });
});
