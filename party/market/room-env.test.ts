import { describe, expect, it } from "vitest";
import { roomEnvMessage, roomEnvProblems } from "./room-env";

const good = { DATABASE_URL: "postgres://u:p@ep-x-pooler.neon.tech/bazaar", ROOM_SECRET: "r".repeat(32) };

describe("the market rooms' configuration check", () => {
  it("passes a complete configuration", () => {
    expect(roomEnvProblems(good)).toEqual([]);
    expect(roomEnvMessage({ ...good, DB_POOL_MAX: "4", DB_CONNECT_TIMEOUT_MS: "30000", ROOM_QUEUE_WAIT_MS: "2000", ROOM_QUEUE_MAX: "20000", PUSH_DRAIN_URL: "https://bazaar.example/__push/drain" })).toBeUndefined();
  });

  it("names each missing variable and how to set it", () => {
    expect(roomEnvMessage({})).toBe(
      "market rooms misconfigured: DATABASE_URL: missing (partykit env add DATABASE_URL, or partykit deploy --var DATABASE_URL=...); " +
        "ROOM_SECRET: missing (partykit env add ROOM_SECRET, or partykit deploy --var ROOM_SECRET=...)",
    );
    expect(roomEnvProblems({ ...good, ROOM_SECRET: "" })).toEqual([expect.stringMatching(/^ROOM_SECRET: missing/)]);
  });

  it("refuses a Neon connection string that bypasses the pooler", () => {
    expect(roomEnvProblems({ ...good, DATABASE_URL: "postgres://u:p@ep-x-1.eu-central-1.aws.neon.tech/bazaar" })).toEqual([expect.stringContaining("pooled connection string")]);
  });

  it("names a bad value without echoing it", () => {
    const problems = roomEnvProblems({ DATABASE_URL: "mysql://secret-host", ROOM_SECRET: "short-secret", DB_POOL_MAX: "50", DB_IDLE_MS: "0", DB_CONNECT_TIMEOUT_MS: "100", ROOM_QUEUE_WAIT_MS: "20000", ROOM_QUEUE_MAX: "10", PUSH_DRAIN_URL: "ftp://x" });
    expect(problems.map((p) => p.split(":")[0])).toEqual(["DATABASE_URL", "ROOM_SECRET", "DB_POOL_MAX", "DB_IDLE_MS", "DB_CONNECT_TIMEOUT_MS", "ROOM_QUEUE_WAIT_MS", "ROOM_QUEUE_MAX", "PUSH_DRAIN_URL"]);
    expect(problems.join(" ")).not.toMatch(/secret-host|short-secret/);
  });
});
