/**
 * Subscribing a device, listing and turning off my devices: one domain layer for /api/v1/push and
 * the page's /push route (ADR 014). Refusals are typed results with a status and a sentence.
 */
import type { Db } from "../../db/db";
import { deleteSubscription, deleteSubscriptionByEndpoint, listSubscriptions, upsertSubscription, type PushSubscriptionRow } from "../../db/push";
import type { Env } from "../env.server";
import { checkKeys, deviceLabel, endpointProblem, MAX_SUBSCRIPTIONS_PER_PLAYER, type PushSubscriptionInput } from "./subscription";

export type DeviceResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409 | 503; code: string; message: string };

const refuse = (status: 400 | 404 | 409 | 503, code: string, message: string) => ({ ok: false as const, status, code, message });

export const pushConfigured = (env: Env) => Boolean(env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY);

export function vapidPublicKey(env: Env): DeviceResult<{ publicKey: string }> {
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) return refuse(503, "push_not_configured", "Push alerts are not set up on this server (no VAPID keys).");
  return { ok: true, value: { publicKey: env.VAPID_PUBLIC_KEY } };
}

export async function subscribeDevice(
  db: Db,
  env: Env,
  q: { playerId: string; subscription: PushSubscriptionInput; userAgent: string | null },
): Promise<DeviceResult<PushSubscriptionRow>> {
  if (!pushConfigured(env)) return refuse(503, "push_not_configured", "Push alerts are not set up on this server (no VAPID keys).");
  const problem = endpointProblem(q.subscription.endpoint, { allowLoopback: env.PUSH_ALLOW_LOOPBACK });
  if (problem) return refuse(400, "invalid_endpoint", problem);
  const keys = await checkKeys(q.subscription.keys);
  if (!keys.ok) return refuse(400, "invalid_keys", keys.message);
  const saved = await upsertSubscription(db, { playerId: q.playerId, endpoint: q.subscription.endpoint, p256dh: keys.p256dh, auth: keys.auth, userAgent: deviceLabel(q.userAgent) }, MAX_SUBSCRIPTIONS_PER_PLAYER);
  if (!saved) return refuse(409, "too_many_devices", `You have ${MAX_SUBSCRIPTIONS_PER_PLAYER} devices with alerts on. Turn one off in Settings first.`);
  return { ok: true, value: saved };
}

export const listDevices = (db: Db, playerId: string) => listSubscriptions(db, playerId);

export async function unsubscribeDevice(db: Db, q: { playerId: string; id?: string; endpoint?: string }): Promise<DeviceResult<null>> {
  const done = q.id !== undefined ? await deleteSubscription(db, { playerId: q.playerId, id: q.id }) : q.endpoint ? await deleteSubscriptionByEndpoint(db, { playerId: q.playerId, endpoint: q.endpoint }) : false;
  return done ? { ok: true, value: null } : refuse(404, "subscription_not_found", "You have no device with alerts on by that id.");
}
