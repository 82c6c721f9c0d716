/** /api/v1/push: the VAPID public key, and my devices' Web Push subscriptions (ADR 014). */
import { z } from "zod";
import { listDevices, subscribeDevice, unsubscribeDevice, vapidPublicKey } from "../push/devices.server";
import { PushSubscriptionInput } from "../push/subscription";
import { ApiError } from "./http.server";
import { route, type ApiRoute } from "./router.server";

const P = "/api/v1/push";

export const VapidKey = z.object({ publicKey: z.string().meta({ description: "base64url P-256 point: the applicationServerKey for pushManager.subscribe()" }) });
export const Device = z.object({
  id: z.uuid(),
  endpoint: z.string(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastSuccessAt: z.string().nullable().meta({ description: "when a push service last took an alert for this device" }),
});
export const DeviceAnswer = z.object({ subscription: Device });
export const DeviceList = z.object({ subscriptions: z.array(Device) });
export const DeviceParams = z.strictObject({ id: z.string().max(64) });

function failed(r: { status: number; code: string; message: string }): never {
  throw new ApiError(r.status, r.code, r.message);
}

export const pushRoutes: ApiRoute[] = [
  route({
    method: "GET", path: `${P}/vapid-key`, operationId: "getVapidKey",
    summary: "The server's VAPID public key (applicationServerKey); 503 when push alerts are not set up",
    auth: "none", status: 200, response: VapidKey, errors: [503],
    async handler({ context }) {
      const r = vapidPublicKey(context.env);
      return r.ok ? r.value : failed(r);
    },
  }),
  route({
    method: "GET", path: `${P}/subscriptions`, operationId: "listPushSubscriptions", summary: "My devices with push alerts on",
    auth: "bearer", status: 200, response: DeviceList,
    async handler({ context, session }) {
      return { subscriptions: await listDevices(context.db, session.player.id) };
    },
  }),
  route({
    method: "POST", path: `${P}/subscriptions`, operationId: "createPushSubscription",
    summary: "Turn on push alerts for a device: the body is PushSubscription.toJSON(). The same endpoint again updates it (and moves it to me)",
    auth: "bearer", body: PushSubscriptionInput, status: 201, response: DeviceAnswer, errors: [409, 413, 415, 503],
    async handler({ context, body, session, request }) {
      const r = await subscribeDevice(context.db, context.env, { playerId: session.player.id, subscription: body, userAgent: request.headers.get("User-Agent") });
      return r.ok ? { subscription: r.value } : failed(r);
    },
  }),
  route({
    method: "DELETE", path: `${P}/subscriptions/:id`, operationId: "deletePushSubscription", summary: "Turn off push alerts for one of my devices",
    auth: "bearer", params: DeviceParams, status: 204, errors: [404],
    async handler({ context, params, session }) {
      const r = await unsubscribeDevice(context.db, { playerId: session.player.id, id: params.id });
      return r.ok ? null : failed(r);
    },
  }),
];
