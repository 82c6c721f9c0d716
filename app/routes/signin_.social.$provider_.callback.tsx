/**
 * GET /signin/social/:provider/callback: where the provider sends the player back (ADR 037). Signs
 * in, links (back to Security), or goes on to pick a player name; any refusal is shown here with
 * what to do, and nothing changed.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { StatusError } from "~/components/StatusError";
import { Link, useLoaderData } from "@remix-run/react";
import { socialCallback } from "../../edge/auth/social/web.server";

export const meta: MetaFunction = () => [{ title: "Social sign-in · Bazaar" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return socialCallback(request, context, params.provider ?? "");
}

export default function SocialCallback() {
  const problem = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{problem.provider} sign-in did not finish</h1>
      <p className="form-error" role="alert">
        {problem.error}
      </p>
      <p>
        <Link to="/signin">Back to sign-in</Link> · <Link to="/security">Security</Link>
      </p>
    </>
  );
}

export const ErrorBoundary = StatusError;
