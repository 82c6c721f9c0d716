/**
 * Who may do what: the ONE place (issue 18). Every loader, action, API route and room command that
 * is not plain "a player acting on their own things" asks `can(roles, action)` here, or `demand`,
 * which throws a 403 the API and the pages already know how to answer.
 *
 * Roles (players.roles, a text array; everyone has "player"):
 *   player     trades, offers, own alerts, own settings, own API tokens
 *   support    reads everything operators see, acts on nothing
 *   moderator  support + freeze/unfreeze, flag, claim and resolve fraud flags
 *   admin      moderator + rollback, grants through the console, roles, game-server keys, feature flags
 * "operator" is the name the game-server console used before these roles: it means admin.
 *
 * Actions are named "<thing>:<verb>". Adding one means adding it to GRANTS and to the matrix test
 * (edge/policy/policy.test.ts), which fails on any action without an explicit row.
 *
 * Two more rules (issue 20, ADR 035):
 * - Staff power needs a confirmed second factor. Every action here is staff power, so `can` asks for
 *   the actor's roles AND `secondFactor: true`; a staff member without it gets 403 with
 *   SECOND_FACTOR_REQUIRED's words. `rolesAllow` is the bare role matrix (what the role would grant).
 * - Step-up: high-value acts need a code entered within STEP_UP_MINUTES in this session. STEP_UP
 *   names each one and says why, in words the step-up page shows ("Confirm it's you to freeze a player").
 *   Operator acts always need it (operators have a factor); a player's own acts need it only when the
 *   player has a factor on (players without one are never blocked by step-up).
 */
export const ROLES = ["player", "support", "moderator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  // the console's reads
  "console:open",
  "audit:read",
  "player:read-any",
  "economy:read-detail",
  "metrics:read",
  // moderation
  "player:freeze",
  "flag:create",
  "flag:resolve",
  // administration
  "rollback:preview",
  "rollback:apply",
  "rollback:approve",
  "grant:apply",
  "roles:change",
  "game-server:manage",
  "feature-flag:change",
  "trading-limits:change",
  "second-factor:reset",
] as const;
export type Action = (typeof ACTIONS)[number];

const SUPPORT: readonly Action[] = ["console:open", "audit:read", "player:read-any", "economy:read-detail", "metrics:read", "rollback:preview"];
const MODERATOR: readonly Action[] = [...SUPPORT, "player:freeze", "flag:create", "flag:resolve"];
const ADMIN: readonly Action[] = [...MODERATOR, "rollback:apply", "rollback:approve", "grant:apply", "roles:change", "game-server:manage", "feature-flag:change", "trading-limits:change", "second-factor:reset"];

export const GRANTS: Readonly<Record<Role, readonly Action[]>> = {
  player: [],
  support: SUPPORT,
  moderator: MODERATOR,
  admin: ADMIN,
};

/** The roles a stored roles array grants, unknown names ignored ("operator" is the old name of admin). */
export function rolesOf(stored: readonly string[] | undefined | null): Role[] {
  const out = new Set<Role>();
  for (const r of stored ?? []) {
    if (r === "operator") out.add("admin");
    else if ((ROLES as readonly string[]).includes(r)) out.add(r as Role);
  }
  return [...out];
}

/** The bare role matrix: whether the roles would grant the action (with a second factor on). */
export function rolesAllow(stored: readonly string[] | undefined | null, action: Action): boolean {
  return rolesOf(stored).some((r) => GRANTS[r].includes(action));
}

/** Who is asking: the stored roles and whether a confirmed second factor is on (sessions carry both). */
export interface Actor {
  roles: readonly string[] | undefined | null;
  secondFactor: boolean;
}

export const SECOND_FACTOR_REQUIRED = "turn on two-factor sign-in at /security to use operator tools";

export type Decision = { ok: true } | { ok: false; status: 403; code: "forbidden" | "second_factor_required"; message: string };

/** The one answer: the role must grant the action, and staff power needs a confirmed second factor. */
export function decide(actor: Actor | undefined | null, action: Action): Decision {
  if (!actor || !rolesAllow(actor.roles, action)) return { ok: false, status: 403, code: "forbidden", message: new Forbidden(action).message };
  if (!actor.secondFactor) return { ok: false, status: 403, code: "second_factor_required", message: SECOND_FACTOR_REQUIRED };
  return { ok: true };
}

export function can(actor: Actor | undefined | null, action: Action): boolean {
  return decide(actor, action).ok;
}

export class Forbidden extends Error {
  readonly status = 403;
  readonly code: "forbidden" | "second_factor_required" = "forbidden";
  constructor(readonly action: Action, secondFactorMissing = false) {
    super(secondFactorMissing ? SECOND_FACTOR_REQUIRED : `your role may not ${describe(action)}`);
    if (secondFactorMissing) this.code = "second_factor_required";
  }
}

/** Throws Forbidden (403) unless `decide` allows the action. */
export function demand(actor: Actor | undefined | null, action: Action): void {
  const d = decide(actor, action);
  if (!d.ok) throw new Forbidden(action, d.code === "second_factor_required");
}

// ---------------------------------------------------------------------------------------------
// Step-up (ADR 035)

export const STEP_UP_MINUTES = 10;

/** Each act that needs a fresh code, and the words after "Confirm it's you to ". */
export const STEP_UP = {
  // operators' acts
  "player:freeze": "freeze a player",
  "player:unfreeze": "unfreeze a player",
  "roles:change": "change a player's roles",
  "rollback:apply": "apply a rollback",
  "rollback:approve": "approve a rollback",
  "grant:apply": "grant items or currency",
  "game-server:manage": "change game servers and their keys",
  "feature-flag:change": "change a feature flag",
  "trading-limits:change": "change trading limits",
  "second-factor:reset": "reset a player's two-factor sign-in",
  "flag:resolve": "decide on a fraud flag",
  // a player's own acts (only when the player has a second factor on)
  "offer:high-value": "trade something this valuable",
  "token:create": "create an API token",
  "password:change": "change your password",
  "second-factor:disable": "turn off two-factor sign-in",
} as const;
export type StepUpPurpose = keyof typeof STEP_UP;

const PLAYER_PURPOSES: readonly StepUpPurpose[] = ["offer:high-value", "token:create", "password:change", "second-factor:disable"];

export const isStepUpPurpose = (value: unknown): value is StepUpPurpose => typeof value === "string" && Object.hasOwn(STEP_UP, value);

/** The step-up an action needs when it changes something (reads never need one). */
export function stepUpOf(action: Action): StepUpPurpose | undefined {
  return isStepUpPurpose(action) && !PLAYER_PURPOSES.includes(action) ? action : undefined;
}

export const stepUpWhy = (purpose: StepUpPurpose) => `Confirm it's you to ${STEP_UP[purpose]}`;

/** A code entered within STEP_UP_MINUTES (not in the future: a clock skew never makes it fresh for longer). */
export function stepUpFresh(steppedUpAt: Date | null | undefined, now = Date.now()): boolean {
  if (!steppedUpAt) return false;
  const age = now - steppedUpAt.getTime();
  return age >= -60_000 && age <= STEP_UP_MINUTES * 60_000;
}

/** Whether this session must enter a code before the act: never for a player without a factor doing their own things. */
export function needsStepUp(actor: Actor & { steppedUpAt: Date | null | undefined }, purpose: StepUpPurpose, now = Date.now()): boolean {
  if (PLAYER_PURPOSES.includes(purpose) && !actor.secondFactor) return false;
  return !stepUpFresh(actor.steppedUpAt, now);
}

function describe(action: Action): string {
  const [thing, verb] = action.split(":") as [string, string];
  return `${verb.replace(/-/g, " ")} (${thing.replace(/-/g, " ")})`;
}
