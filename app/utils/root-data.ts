import { useRouteLoaderData } from "@remix-run/react";
import type { loader } from "~/root";

/** The root loader's data (player, public env, theme, asOf) from any route or component. */
export const useRootData = () => useRouteLoaderData<typeof loader>("root");
