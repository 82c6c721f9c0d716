import { describe, expect, it } from "vitest";
import { Credentials, describeIssues, positiveSafeInt, queryPositiveInt, text, Username } from "../../edge/validation";

describe("usernames", () => {
  it.each(["abc", "Trader_42", "a-b_c", "x".repeat(24)])("accepts %s", (name) => {
    expect(Username.safeParse(name).success).toBe(true);
  });
  it.each(["ab", "x".repeat(25), "has space", "emoji😀", "dot.name", "tab\tname", "", "ümlaut"])("rejects %j", (name) => {
    expect(Username.safeParse(name).success).toBe(false);
  });
});

describe("credentials", () => {
  it("rejects unknown fields, naming them", () => {
    const r = Credentials.safeParse({ username: "alice", password: "long enough", admin: true });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssues(r.error).message).toContain("unknown field: admin");
  });
  it("names missing fields and wrong types", () => {
    const r = Credentials.safeParse({ username: 42 });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssues(r.error).message).toBe("The username must be a string. The password is required.");
  });
  it("bounds the password: 8 to 128 characters, no control characters", () => {
    expect(Credentials.safeParse({ username: "alice", password: "short" }).success).toBe(false);
    expect(Credentials.safeParse({ username: "alice", password: "p".repeat(129) }).success).toBe(false);
    expect(Credentials.safeParse({ username: "alice", password: "p".repeat(128) }).success).toBe(true);
    expect(Credentials.safeParse({ username: "alice", password: "nul\u0000inside" }).success).toBe(false);
  });
  it("says 'must be a JSON object' for arrays and scalars", () => {
    for (const v of [[], "x", 1, null]) {
      const r = Credentials.safeParse(v);
      expect(r.success).toBe(false);
      if (!r.success) expect(describeIssues(r.error).message).toMatch(/must be a JSON object/);
    }
  });
});

describe("text", () => {
  const label = text("label", 10);
  it.each(["\u0000", "a\nb", "a\u007fb", "a\u0085b", "a\u2028b", "\ud800"])("rejects control characters and broken UTF-16 (%j)", (s) => {
    expect(label.safeParse(s).success).toBe(false);
  });
  it("rejects empty and overlong", () => {
    expect(label.safeParse("").success).toBe(false);
    expect(label.safeParse("x".repeat(11)).success).toBe(false);
    expect(label.safeParse("laptop 💻").success).toBe(true);
  });
});

describe("numbers", () => {
  const amount = positiveSafeInt("amount");
  it.each([0, -1, 1.5, NaN, Infinity, 2 ** 53, 1e300, "5", null, true])("rejects %j", (v) => {
    expect(amount.safeParse(v).success).toBe(false);
  });
  it("accepts 1 and 2^53-1", () => {
    expect(amount.safeParse(1).success).toBe(true);
    expect(amount.safeParse(Number.MAX_SAFE_INTEGER).success).toBe(true);
  });
  const limit = queryPositiveInt("limit", 100);
  it.each(["0", "-1", "1.5", "1e2", " 5", "0x10", "NaN", "", "101", "9007199254740993", "abc"])("query int rejects %j", (v) => {
    expect(limit.safeParse(v).success).toBe(false);
  });
  it("query int accepts digits in range", () => {
    expect(limit.parse("100")).toBe(100);
    expect(limit.parse("007")).toBe(7);
  });
});
