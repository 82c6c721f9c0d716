/**
 * POST /security/passkeys (a resource route, JSON): the options for a passkey ceremony on the
 * security page (ADR 036). intent=register: add a passkey; intent=step-up: prove it is you before
 * removing one. The answer goes back to the /security action with the page's form.
 */
import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { authenticationOptions, registrationOptions, relyingParty } from "../../edge/auth/passkeys.server";
import { requireWebSession } from "../../edge/auth/web.server";
import { field, readForm } from "../../edge/forms.server";
import { requireCsrf } from "../../edge/offers/pages.server";

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireWebSession(request, context);
  const form = await readForm(request);
  requireCsrf(request, form, session);
  const rp = relyingParty(request);
  const intent = field(form, "intent");
  const options =
    intent === "register"
      ? await registrationOptions(context.db, rp, session.player)
      : intent === "step-up"
        ? await authenticationOptions(context.db, rp, "step-up", session.player.id)
        : undefined;
  if (!options) return Response.json({ code: "bad_intent", message: "Unknown passkey action: reload the page and try again." }, { status: 400 });
  if ("ok" in options) return Response.json({ code: options.code, message: options.message }, { status: options.status });
  return Response.json({ options }, { headers: { "Cache-Control": "no-store" } });
}
