/** /api/v1/* is the JSON API (edge/api): every method goes to its router, never to React. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/cloudflare";
import { handleApi } from "../../edge/api/index.server";

export const loader = ({ request, context }: LoaderFunctionArgs) => handleApi(request, context);
export const action = ({ request, context }: ActionFunctionArgs) => handleApi(request, context);
