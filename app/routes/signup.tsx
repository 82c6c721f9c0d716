import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { credentialsAction } from "../../edge/auth/credentials-form.server";
import { guestCsrf } from "../../edge/auth/csrf.server";
import { signUp } from "../../edge/auth/signup.server";
import { CredentialsForm } from "~/components/CredentialsForm";
import { SocialSignIn } from "~/components/SocialSignIn";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Sign up · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token, setCookie } = guestCsrf(request, context.env.SESSION_SECRET);
  const providers = (context.env.oidcProviders ?? []).map((p) => ({ id: p.id, name: p.name }));
  const redirectTo = new URL(request.url).searchParams.get("redirectTo");
  return data({ csrf: token, providers, redirectTo }, setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined);
}

export async function action({ request, context }: ActionFunctionArgs) {
  return credentialsAction(request, context, (input) => signUp(context.db, input), "/inventory");
}

export default function SignUp() {
  const { csrf, providers, redirectTo } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Join the Bazaar</h1>
      <p>New traders start with 1,000 gold and a small kit of goods.</p>
      <CredentialsForm csrf={csrf} mode="signup" />
      <SocialSignIn providers={providers} csrf={csrf} redirectTo={redirectTo} verb="Sign up" />
      <p>
        Already trading here? <Link to="/signin">Sign in</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
