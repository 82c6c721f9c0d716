import { describe, expect, it } from "vitest";
import { ACTIONS, can, decide, demand, Forbidden, isStepUpPurpose, needsStepUp, rolesAllow, rolesOf, SECOND_FACTOR_REQUIRED, STEP_UP, STEP_UP_MINUTES, stepUpFresh, stepUpOf, stepUpWhy, type Action, type StepUpPurpose } from "./policy";

/** Who may do what, written out by hand: a new action without a row here fails the first test. */
const MATRIX: Record<Action, { support: boolean; moderator: boolean; admin: boolean }> = {
  "console:open": { support: true, moderator: true, admin: true },
  "audit:read": { support: true, moderator: true, admin: true },
  "player:read-any": { support: true, moderator: true, admin: true },
  "economy:read-detail": { support: true, moderator: true, admin: true },
  "rollback:preview": { support: true, moderator: true, admin: true },
  "player:freeze": { support: false, moderator: true, admin: true },
  "flag:create": { support: false, moderator: true, admin: true },
  "flag:resolve": { support: false, moderator: true, admin: true },
  "rollback:apply": { support: false, moderator: false, admin: true },
  "rollback:approve": { support: false, moderator: false, admin: true },
  "grant:apply": { support: false, moderator: false, admin: true },
  "roles:change": { support: false, moderator: false, admin: true },
  "game-server:manage": { support: false, moderator: false, admin: true },
  "feature-flag:change": { support: false, moderator: false, admin: true },
  "trading-limits:change": { support: false, moderator: false, admin: true },
  "metrics:read": { support: true, moderator: true, admin: true },
  "second-factor:reset": { support: false, moderator: false, admin: true },
};

/** Which actions need a fresh code when they change something (reads never). */
const STEP_UP_ACTIONS: Record<Action, boolean> = {
  "console:open": false, "audit:read": false, "player:read-any": false, "economy:read-detail": false, "metrics:read": false,
  "rollback:preview": false, "flag:create": false, "flag:resolve": true,
  "player:freeze": true, "rollback:apply": true, "rollback:approve": true, "grant:apply": true, "roles:change": true,
  "game-server:manage": true, "feature-flag:change": true, "trading-limits:change": true, "second-factor:reset": true,
};

const staff = (roles: string[], secondFactor = true) => ({ roles: ["player", ...roles], secondFactor });

describe("policy", () => {
  it("has a matrix row for every action and no row for an unknown one", () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...ACTIONS].sort());
  });

  for (const action of ACTIONS) {
    it(`${action}: anonymous and players never; staff as the matrix says, and only with a second factor`, () => {
      expect(can(undefined, action)).toBe(false);
      expect(can({ roles: [], secondFactor: true }, action)).toBe(false);
      expect(can({ roles: ["player"], secondFactor: true }, action)).toBe(false);
      expect(can({ roles: ["player", "bot"], secondFactor: true }, action)).toBe(false);
      for (const role of ["support", "moderator", "admin"] as const) {
        expect([role, can(staff([role]), action)]).toEqual([role, MATRIX[action][role]]);
        expect(rolesAllow(["player", role], action)).toBe(MATRIX[action][role]);
        // without a confirmed second factor: no staff power at all, whatever the role
        expect([role, "no 2FA", can(staff([role], false), action)]).toEqual([role, "no 2FA", false]);
        const d = decide(staff([role], false), action);
        expect(d).toEqual(MATRIX[action][role]
          ? { ok: false, status: 403, code: "second_factor_required", message: SECOND_FACTOR_REQUIRED }
          : { ok: false, status: 403, code: "forbidden", message: expect.stringMatching(/^your role may not /) });
      }
      expect(can({ roles: ["operator"], secondFactor: true }, action)).toBe(MATRIX[action].admin);
      expect(can({ roles: ["operator"], secondFactor: false }, action)).toBe(false);
    });

    it(`${action}: step-up ${STEP_UP_ACTIONS[action] ? "needed" : "not needed"} to change something`, () => {
      expect(stepUpOf(action) !== undefined).toBe(STEP_UP_ACTIONS[action]);
    });
  }

  it("ignores unknown role names and maps the old operator role to admin", () => {
    expect(rolesOf(["player", "root", "operator", "admin"]).sort()).toEqual(["admin", "player"]);
  });

  it("demand throws a 403 naming what was refused", () => {
    expect(() => demand(staff(["support"]), "player:freeze")).toThrowError(Forbidden);
    expect(() => demand({ roles: ["player"], secondFactor: true }, "rollback:apply")).toThrowError("your role may not apply (rollback)");
    expect(() => demand(staff(["admin"], false), "rollback:apply")).toThrowError(SECOND_FACTOR_REQUIRED);
    try {
      demand(staff(["admin"], false), "rollback:apply");
    } catch (error) {
      expect([(error as Forbidden).status, (error as Forbidden).code]).toEqual([403, "second_factor_required"]);
    }
    expect(() => demand(staff(["admin"]), "rollback:apply")).not.toThrow();
  });

  it("the second-factor message points to /security", () => {
    expect(SECOND_FACTOR_REQUIRED).toBe("turn on two-factor sign-in at /security to use operator tools");
  });
});

describe("step-up", () => {
  const NOW = Date.UTC(2026, 11, 4, 22, 0, 0);
  const ago = (minutes: number) => new Date(NOW - minutes * 60_000);
  const operatorPurposes = Object.keys(STEP_UP).filter((p) => !["offer:high-value", "token:create", "password:change", "second-factor:disable"].includes(p)) as StepUpPurpose[];

  it("says why for every purpose", () => {
    expect(stepUpWhy("player:freeze")).toBe("Confirm it's you to freeze a player");
    for (const p of Object.keys(STEP_UP)) expect(stepUpWhy(p as StepUpPurpose)).toMatch(/^Confirm it's you to [a-z]/);
    expect(isStepUpPurpose("player:freeze")).toBe(true);
    expect(isStepUpPurpose("toString")).toBe(false);
    expect(isStepUpPurpose(undefined)).toBe(false);
  });

  it(`is fresh for ${STEP_UP_MINUTES} minutes, never when missing or far in the future`, () => {
    expect(stepUpFresh(null, NOW)).toBe(false);
    expect(stepUpFresh(ago(0), NOW)).toBe(true);
    expect(stepUpFresh(ago(STEP_UP_MINUTES - 0.1), NOW)).toBe(true);
    expect(stepUpFresh(ago(STEP_UP_MINUTES + 0.1), NOW)).toBe(false);
    expect(stepUpFresh(ago(-30), NOW)).toBe(false);
  });

  it("operators' acts always need a fresh code; players' own acts only with a factor on", () => {
    for (const p of operatorPurposes) {
      expect([p, needsStepUp({ ...staff(["admin"]), steppedUpAt: ago(11) }, p, NOW)]).toEqual([p, true]);
      expect([p, needsStepUp({ ...staff(["admin"]), steppedUpAt: ago(1) }, p, NOW)]).toEqual([p, false]);
      expect([p, needsStepUp({ ...staff(["admin"], false), steppedUpAt: null }, p, NOW)]).toEqual([p, true]);
    }
    for (const p of ["offer:high-value", "token:create", "password:change", "second-factor:disable"] as const) {
      expect(needsStepUp({ roles: ["player"], secondFactor: false, steppedUpAt: null }, p, NOW)).toBe(false);
      expect(needsStepUp({ roles: ["player"], secondFactor: true, steppedUpAt: null }, p, NOW)).toBe(true);
      expect(needsStepUp({ roles: ["player"], secondFactor: true, steppedUpAt: ago(11) }, p, NOW)).toBe(true);
      expect(needsStepUp({ roles: ["player"], secondFactor: true, steppedUpAt: ago(2) }, p, NOW)).toBe(false);
    }
  });
});
