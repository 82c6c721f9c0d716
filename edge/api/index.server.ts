/** Entry point of the JSON API (called by edge/worker.ts for /api/v1/*): routes + OpenAPI document. */
import type { AppLoadContext } from "../context.server";
import { buildOpenApi } from "./openapi.server";
import { dispatch, route, type ApiRoute } from "./router.server";
import { API_PREFIX, apiRoutes } from "./routes.server";

let document: ReturnType<typeof buildOpenApi> | undefined;

export const allApiRoutes: ApiRoute[] = [
  ...apiRoutes,
  route({
    method: "GET",
    path: `${API_PREFIX}/openapi.json`,
    operationId: "getOpenApi",
    summary: "This document",
    auth: "none",
    status: 200,
    async handler() {
      return (document ??= buildOpenApi(allApiRoutes));
    },
  }),
];

export const handleApi = (request: Request, context: AppLoadContext) => dispatch(allApiRoutes, request, context);
