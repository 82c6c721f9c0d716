/**
 * The page's side of push alerts (ADR 014), a resource route answering JSON to the lazy-loaded
 * alerts code (app/components/push/):
 *   GET  /push   { publicKey, subscriptions }: the VAPID key and my devices (signed in)
 *   POST /push   form: csrf, intent=subscribe & subscription=<PushSubscription.toJSON() as JSON>
 *                      or intent=unsubscribe & endpoint=<this device's endpoint> (or id=<device id>)
 * The same checks as POST /api/v1/push/subscriptions; a refusal is 4xx with { error } in words.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { getWebSession } from "../../edge/auth/web.server";
import { verifySessionCsrf } from "../../edge/auth/csrf.server";
import { field, readForm } from "../../edge/forms.server";
import { listDevices, subscribeDevice, unsubscribeDevice, vapidPublicKey } from "../../edge/push/devices.server";
import { PushSubscriptionInput } from "../../edge/push/subscription";
import { describeIssues } from "../../edge/validation";

const answer = (body: unknown, status = 200) => Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
const refuse = (status: number, message: string) => answer({ error: message }, status);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getWebSession(request, context);
  if (!session) return refuse(401, "Sign in to turn on alerts.");
  const key = vapidPublicKey(context.env);
  return answer({ publicKey: key.ok ? key.value.publicKey : null, subscriptions: await listDevices(context.db, session.player.id) });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await getWebSession(request, context);
  if (!session) return refuse(401, "Sign in to turn on alerts.");
  let form: FormData;
  try {
    form = await readForm(request);
  } catch (thrown) {
    const status = (thrown as { init?: { status?: number } })?.init?.status ?? 400;
    return refuse(status, typeof (thrown as { data?: unknown })?.data === "string" ? ((thrown as { data: string }).data) : "The form could not be read.");
  }
  const csrf = verifySessionCsrf(request, form, session);
  if (csrf) return refuse(csrf.status, `${csrf.message[0]!.toUpperCase()}${csrf.message.slice(1)}.`);
  const intent = field(form, "intent");
  if (intent === "subscribe") {
    let raw: unknown;
    try {
      raw = JSON.parse(field(form, "subscription"));
    } catch {
      return refuse(400, "The subscription must be the browser's PushSubscription as JSON.");
    }
    const parsed = PushSubscriptionInput.safeParse(raw);
    if (!parsed.success) return refuse(400, describeIssues(parsed.error).message);
    const r = await subscribeDevice(context.db, context.env, { playerId: session.player.id, subscription: parsed.data, userAgent: request.headers.get("User-Agent") });
    return r.ok ? answer({ subscription: r.value }, 201) : refuse(r.status, r.message);
  }
  if (intent === "unsubscribe") {
    const id = field(form, "id");
    const endpoint = field(form, "endpoint");
    if (!id && !endpoint) return refuse(400, "Say which device: its endpoint or its id.");
    const r = await unsubscribeDevice(context.db, { playerId: session.player.id, ...(id ? { id } : { endpoint }) });
    return r.ok ? answer({ ok: true }) : refuse(r.status, r.message);
  }
  return refuse(400, "The intent must be subscribe or unsubscribe.");
}
