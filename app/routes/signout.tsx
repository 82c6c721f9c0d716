import { data, redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import { verifySessionCsrf } from "../../edge/auth/csrf.server";
import { endWebSession, getWebSession } from "../../edge/auth/web.server";
import { readForm } from "../../edge/forms.server";
import { StatusError } from "~/components/StatusError";

/** POST only: a GET (link, prefetch, crawler) must never sign anyone out. */
export async function loader() {
  throw redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const session = await getWebSession(request, context);
  if (!session) return redirect("/");
  const csrf = verifySessionCsrf(request, form, session);
  if (csrf) throw data(csrf.message, { status: csrf.status });
  const cookie = await endWebSession(request, context, session);
  return redirect("/", { headers: { "Set-Cookie": cookie } });
}

export const ErrorBoundary = StatusError;

export default function SignOut() {
  return null;
}
