import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { getPublicEnv } from "../edge/env.server";
import { getWebSession } from "../edge/auth/web.server";
import { pendingOfferCount } from "../edge/offers/players.server";
import { CsrfField } from "./components/forms";
import { StatusError } from "./components/StatusError";
import styles from "./styles.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Bazaar" }, { name: "description", content: "The trading floor of the game's economy." }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getWebSession(request, context);
  return {
    player: session ? { username: session.player.username, csrf: session.csrfToken ?? "" } : null,
    /** Offers waiting for my answer (the badge on the Offers link); one indexed count. */
    pendingOffers: session ? await pendingOfferCount(context.db, session.player.id) : 0,
    ENV: getPublicEnv(context.env),
  };
}

function Header() {
  const data = useRouteLoaderData<typeof loader>("root");
  const player = data?.player;
  return (
    <header className="top">
      <Link to="/" className="brand">
        Bazaar
      </Link>
      <nav aria-label="Main">
        {player ? (
          <>
            <NavLink to="/inventory">Inventory</NavLink>
            <NavLink to="/offers">
              Offers
              {(data?.pendingOffers ?? 0) > 0 ? (
                <span className="badge">
                  {" "}
                  {data?.pendingOffers}
                  <span className="visually-hidden"> waiting for your answer</span>
                </span>
              ) : null}
            </NavLink>
            <Form method="post" action="/signout" className="inline">
              <CsrfField token={player.csrf} />
              <button type="submit" className="link">
                Sign out <span className="who">({player.username})</span>
              </button>
            </Form>
          </>
        ) : (
          <>
            <NavLink to="/signin">Sign in</NavLink>
            <NavLink to="/signup">Sign up</NavLink>
          </>
        )}
      </nav>
    </header>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <meta name="theme-color" content="#1d1a16" />
        <Meta />
        <Links />
      </head>
      <body>
        <Header />
        <main>{children}</main>
        <ScrollRestoration />
        {data ? <script dangerouslySetInnerHTML={{ __html: `window.ENV=${JSON.stringify(data.ENV).replace(/</g, "\\u003c")}` }} /> : null}
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <StatusError />;
}
