/** GET: a fresh one-hour connection token for the market socket (reconnects after the page's token expires). */
import { data, type LoaderFunctionArgs } from "@remix-run/cloudflare";
import { getWebSession } from "../../edge/auth/web.server";
import { connectToken } from "../../edge/market/room.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getWebSession(request, context);
  if (!session) throw data({ error: "sign in to trade" }, { status: 401 });
  return Response.json({ token: await connectToken(context.env, session.player.id) }, { headers: { "Cache-Control": "no-store" } });
}
