/// <reference types="@remix-run/cloudflare" />
/// <reference types="vite/client" />

import type { AppLoadContext as BazaarContext } from "./edge/context.server";

declare module "@remix-run/cloudflare" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends BazaarContext {}
}
