/**
 * The console's gate: a signed-in player whose roles allow the action and who has a confirmed second
 * factor (edge/policy), else 403 with the policy's words (the page links /security for the factor).
 */
import type { ActiveSession } from "../auth/sessions.server";
import { requireWebSession } from "../auth/web.server";
import type { AppLoadContext } from "../context.server";
import { decide, type Action } from "../policy/policy";

export async function requireStaff(request: Request, context: AppLoadContext, action: Action): Promise<ActiveSession> {
  const session = await requireWebSession(request, context);
  const decision = decide(session.player, action);
  if (!decision.ok) throw new Response(decision.message, { status: decision.status });
  return session;
}
