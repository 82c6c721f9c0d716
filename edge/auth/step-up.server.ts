/**
 * Step-up (issue 20, ADR 035): a high-value act asks for a code (TOTP or recovery code) entered
 * within the last STEP_UP_MINUTES in this session. Which acts, and why in words, is the policy
 * module's (STEP_UP in edge/policy/policy.ts); this file only asks and records.
 *   pages: a redirect to /step-up?for=<purpose>&redirectTo=<back>, which says why and comes back;
 *   API:   403 { error: { code: "step_up_required", message } } unless the body carries a right `code`.
 * A right code moves the session's stepped_up_at to now; it is the same rate-limited, replay-proof
 * check as at sign-in (checkCodeLimited), so a code used once is refused for step-up too.
 */
import { redirect } from "@remix-run/cloudflare";
import { ApiError } from "../api/http.server";
import type { AppLoadContext } from "../context.server";
import { needsStepUp, STEP_UP_MINUTES, stepUpWhy, type StepUpPurpose } from "../policy/policy";
import { createRedis } from "../redis.server";
import { masterSecret } from "../server-api/auth.server";
import { checkCodeLimited, type FactorFailure } from "./second-factor.server";
import { recordStepUp, type ActiveSession } from "./sessions.server";

export const STEP_UP_PATH = "/step-up";

/** The step-up page for a purpose, coming back to `back` (a same-site path) afterwards. */
export function stepUpUrl(purpose: StepUpPurpose, back: string): string {
  return `${STEP_UP_PATH}?${new URLSearchParams({ for: purpose, redirectTo: back })}`;
}

/** Pages: throw a redirect to the step-up page when this session needs a fresh code for the purpose. */
export function requireStepUpWeb(request: Request, session: ActiveSession, purpose: StepUpPurpose, back?: string): void {
  if (!needsStepUp({ ...session.player, steppedUpAt: session.steppedUpAt }, purpose)) return;
  const url = new URL(request.url);
  throw redirect(stepUpUrl(purpose, back ?? url.pathname + url.search));
}

/** Check a code for this session's player and, when right, record the step-up on the session. */
export async function stepUpWithCode(context: AppLoadContext, session: ActiveSession, code: string): Promise<{ ok: true; via: "totp" | "recovery" } | FactorFailure> {
  const check = await checkCodeLimited(context.db, createRedis(context.env), masterSecret(context.env), session.player.id, code);
  if (!check.ok) return check;
  await recordStepUp(context.db, session.id);
  session.steppedUpAt = new Date();
  return check;
}

/**
 * API: go on when the session stepped up lately (or needs no step-up); else a right `code` from the
 * body steps up now; else 403 step_up_required saying why and how. A wrong code: 401/429 as at sign-in.
 */
export async function requireStepUpApi(context: AppLoadContext, session: ActiveSession, purpose: StepUpPurpose, code: string | undefined): Promise<void> {
  if (!needsStepUp({ ...session.player, steppedUpAt: session.steppedUpAt }, purpose)) return;
  if (code === undefined || code.trim() === "") {
    throw new ApiError(403, "step_up_required", `${stepUpWhy(purpose)}: send a current code from your authenticator app (or a recovery code) as "code" in the request body; it counts for ${STEP_UP_MINUTES} minutes.`);
  }
  const check = await stepUpWithCode(context, session, code);
  if (!check.ok) throw new ApiError(check.status, check.code, check.message);
}
