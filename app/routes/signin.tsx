import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { credentialsAction } from "../../edge/auth/credentials-form.server";
import { guestCsrf } from "../../edge/auth/csrf.server";
import { checkCredentials } from "../../edge/auth/signin.server";
import { createRedis } from "../../edge/redis.server";
import { CredentialsForm } from "~/components/CredentialsForm";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Sign in · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token, setCookie } = guestCsrf(request, context.env.SESSION_SECRET);
  return data({ csrf: token }, setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined);
}

export async function action({ request, context }: ActionFunctionArgs) {
  return credentialsAction(request, context, (input) => checkCredentials(context.db, input, createRedis(context.env)), "/");
}

export default function SignIn() {
  const { csrf } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Sign in</h1>
      <CredentialsForm csrf={csrf} mode="signin" />
      <p>
        New here? <Link to="/signup">Create an account</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
