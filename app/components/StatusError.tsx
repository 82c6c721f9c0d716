import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { statusWords } from "~/utils/status";

const SECURITY = "/security";

/** The shared ErrorBoundary body: status in words, the server's message when it sent one. */
export function StatusError() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const { title, hint } = statusWords(status);
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" && error.data ? error.data : undefined;
  if (!isRouteErrorResponse(error)) console.error(error);
  return (
    <section className="card error" role="alert">
      <h1>{title}</h1>
      {detail?.includes(SECURITY) ? (
        // "turn on two-factor sign-in at /security to use operator tools": the path as a link.
        <p>
          {detail.charAt(0).toUpperCase() + detail.slice(1, detail.indexOf(SECURITY))}
          <Link to={SECURITY}>{SECURITY}</Link>
          {detail.slice(detail.indexOf(SECURITY) + SECURITY.length)}
        </p>
      ) : (
        <p>{detail ?? hint}</p>
      )}
      <p>
        <Link to="/">Back to the Bazaar</Link>
      </p>
    </section>
  );
}
