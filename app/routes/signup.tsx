import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { credentialsAction } from "../../edge/auth/credentials-form.server";
import { guestCsrf } from "../../edge/auth/csrf.server";
import { signUp } from "../../edge/auth/signup.server";
import { CredentialsForm } from "~/components/CredentialsForm";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Sign up · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token, setCookie } = guestCsrf(request, context.env.SESSION_SECRET);
  return data({ csrf: token }, setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined);
}

export async function action({ request, context }: ActionFunctionArgs) {
  return credentialsAction(request, context, (input) => signUp(context.db, input), "/inventory");
}

export default function SignUp() {
  const { csrf } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Join the Bazaar</h1>
      <p>New traders start with 1,000 gold and a small kit of goods.</p>
      <CredentialsForm csrf={csrf} mode="signup" />
      <p>
        Already trading here? <Link to="/signin">Sign in</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
