import { useRouteLoaderData } from "@remix-run/react";
import type { loader } from "~/root";

/** The root loader's data (player, public env, theme, asOf) from any route or component. */
export const useRootData = () => useRouteLoaderData<typeof loader>("root");

/** The feature flags the edge decided for this visitor (ADR 026): off unless the edge said on. */
export const useFlags = (): Record<string, boolean> => useRootData()?.flags ?? {};
