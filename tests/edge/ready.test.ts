/** Which migration state readiness reports (edge/ready.server.ts). */
import { describe, expect, it } from "vitest";
import journal from "../../db/migrations/meta/_journal.json";
import { BUILD_MIGRATION, migrationState } from "../../edge/ready.server";

describe("migrationState", () => {
  it("knows the build's last migration from the bundled journal", () => {
    expect(BUILD_MIGRATION).toEqual({ tag: journal.entries.at(-1)!.tag, when: journal.entries.at(-1)!.when, count: journal.entries.length });
  });
  it("is current with every migration recorded (or newer ones: a rollback of the code keeps serving)", () => {
    expect(migrationState({ count: BUILD_MIGRATION.count, lastWhen: BUILD_MIGRATION.when })).toBe("current");
    expect(migrationState({ count: BUILD_MIGRATION.count + 1, lastWhen: BUILD_MIGRATION.when + 1 })).toBe("current");
  });
  it("is behind with one missing, an older last one, or none at all", () => {
    expect(migrationState({ count: BUILD_MIGRATION.count - 1, lastWhen: BUILD_MIGRATION.when })).toBe("behind");
    expect(migrationState({ count: BUILD_MIGRATION.count, lastWhen: BUILD_MIGRATION.when - 1 })).toBe("behind");
    expect(migrationState(undefined)).toBe("behind");
  });
});
