import type {
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import {
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { getPublicEnv } from "../edge/env.server";
import { getWebSession } from "../edge/auth/web.server";
import { pendingOfferCount } from "../edge/offers/players.server";
import { unreadCount } from "../db/alerts/read";
import { unresolvedFlagCount } from "../db/fraud/review";
import { can } from "../edge/policy/policy";
import { flagsFor } from "../edge/flags/flags.server";
import { readTheme } from "../edge/web/prefs.server";
import { OfflineBanner, useOffline } from "./components/Offline";
import { ServiceWorker } from "./components/pwa";
import { StatusError } from "./components/StatusError";
import { useRootData } from "./utils/root-data";
import { useNonce } from "./utils/nonce";
import styles from "./styles.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  // A PNG, not the SVG: Chromium decodes the favicon in the page's renderer, and an SVG one is a
  // whole SVG document built on the main thread while the page loads (docs/PERFORMANCE.md).
  { rel: "icon", href: "/icons/favicon-48.png", type: "image/png", sizes: "48x48" },
  { rel: "manifest", href: "/manifest.webmanifest" },
  { rel: "apple-touch-icon", href: "/icons/apple-touch-icon.png" },
];

export const meta: MetaFunction = () => [
  { title: "Bazaar" },
  { name: "description", content: "The trading floor of the game's economy." },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getWebSession(request, context);
  return {
    player: session
      ? { username: session.player.username, csrf: session.csrfToken ?? "" }
      : null,
    /** Offers waiting for my answer (the badge on the Offers link); one indexed count. */
    pendingOffers: session
      ? await pendingOfferCount(context.db, session.player.id)
      : 0,
    /** Unread alerts (the bell), counted up to 100 on a partial index. */
    unreadAlerts: session ? await unreadCount(context.db, session.player.id) : 0,
    /** Moderators' badge (issue 18): unresolved fraud flags, for those who may decide on them. */
    flagsToReview: session && can(session.player, "flag:resolve") ? await unresolvedFlagCount(context.db) : null,
    /** The feature flags decided for this visitor at the edge (ADR 026): `useFlags()`. */
    flags: await flagsFor(context, session?.player),
    ENV: getPublicEnv(context.env),
    theme: readTheme(request),
    /** When this page's data was read: the offline banner says "as of" this time. */
    asOf: Date.now(),
  };
}

function Header() {
  const data = useRootData();
  const player = data?.player;
  // Offline, client-side navigations would need data the cache may not hold: load whole
  // documents instead, which the service worker serves from its cache.
  const offline = useOffline();
  return (
    <header className="top">
      <div className="bar">
        <Link
          to="/"
          className="brand"
          aria-label="Bazaar home"
          reloadDocument={offline}
        >
          <img src="/icons/brand-84.png" alt="" width="28" height="28" />
          <span>Bazaar</span>
        </Link>
        <div className="bar-end">
          {player ? <span className="who">{player.username}</span> : null}
          {data?.flagsToReview ? <FlagsBadge count={data.flagsToReview} /> : null}
          {player ? <Bell unread={data?.unreadAlerts ?? 0} offline={offline} /> : null}
          <NavLink
            to="/settings"
            className="icon-button"
            aria-label="Settings"
            reloadDocument={offline}
          >
            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
              <path
                fill="currentColor"
                d="M12 8.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7Zm8.94 2.06-1.8-.3a7.4 7.4 0 0 0-.7-1.7l1.06-1.49a1 1 0 0 0-.1-1.28l-1.2-1.2a1 1 0 0 0-1.28-.1l-1.49 1.06a7.4 7.4 0 0 0-1.7-.7l-.3-1.8A1 1 0 0 0 12.44 2h-1.7a1 1 0 0 0-.99.84l-.3 1.8a7.4 7.4 0 0 0-1.7.7L6.26 4.28a1 1 0 0 0-1.28.1l-1.2 1.2a1 1 0 0 0-.1 1.28l1.06 1.49a7.4 7.4 0 0 0-.7 1.7l-1.8.3A1 1 0 0 0 1.4 11.3v1.7a1 1 0 0 0 .84.99l1.8.3c.16.6.4 1.17.7 1.7l-1.06 1.49a1 1 0 0 0 .1 1.28l1.2 1.2a1 1 0 0 0 1.28.1l1.49-1.06c.53.3 1.1.54 1.7.7l.3 1.8a1 1 0 0 0 .99.84h1.7a1 1 0 0 0 .99-.84l.3-1.8a7.4 7.4 0 0 0 1.7-.7l1.49 1.06a1 1 0 0 0 1.28-.1l1.2-1.2a1 1 0 0 0 .1-1.28l-1.06-1.49c.3-.53.54-1.1.7-1.7l1.8-.3a1 1 0 0 0 .84-.99v-1.7a1 1 0 0 0-.84-.99Z"
              />
            </svg>
          </NavLink>
        </div>
      </div>
      <nav aria-label="Main" className="tabs">
        <NavLink to="/" end reloadDocument={offline}>
          Home
        </NavLink>
        <NavLink to="/markets" reloadDocument={offline}>
          Markets
        </NavLink>
        {player ? (
          <>
            <NavLink to="/inventory" reloadDocument={offline}>
              Inventory
            </NavLink>
            <NavLink to="/orders" reloadDocument={offline}>
              Orders
            </NavLink>
            <NavLink to="/offers" reloadDocument={offline}>
              Offers
              {(data?.pendingOffers ?? 0) > 0 ? (
                <span className="badge">
                  {" "}
                  {data?.pendingOffers}
                  <span className="visually-hidden">
                    {" "}
                    waiting for your answer
                  </span>
                </span>
              ) : null}
            </NavLink>
          </>
        ) : (
          <>
            <NavLink to="/items" reloadDocument={offline}>
              Items
            </NavLink>
            <NavLink to="/signin">Sign in</NavLink>
          </>
        )}
      </nav>
    </header>
  );
}

/** Moderators: the review queue, with the number of unresolved flags (99+ beyond). */
function FlagsBadge({ count }: { count: number }) {
  const shown = count > 99 ? "99+" : String(count);
  return (
    <NavLink to="/console/flags" className="icon-button flags-badge" aria-label={`Flags to review: ${shown}`}>
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path fill="currentColor" d="M5 21V4h9l.4 2H20v9h-6.6l-.4-2H7v8H5Z" />
      </svg>
      <span className="bell-count" aria-hidden="true">{shown}</span>
    </NavLink>
  );
}

/** The bell: the notification center, with the unread count (99+ beyond). */
function Bell({ unread, offline }: { unread: number; offline: boolean }) {
  const label = unread > 0 ? `Alerts, ${unread > 99 ? "99+" : unread} unread` : "Alerts";
  return (
    <NavLink to="/alerts" className="icon-button bell" aria-label={label} reloadDocument={offline}>
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
      </svg>
      {unread > 0 ? <span className="bell-count" aria-hidden="true">{unread > 99 ? "99+" : unread}</span> : null}
    </NavLink>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRootData();
  const theme = data?.theme ?? "dark";
  const nonce = useNonce();
  return (
    <html lang="en" data-theme={theme}>
      <head>
        <meta charSet="utf-8" />
        <meta
          name="viewport"
          content="width=device-width, initial-scale=1, viewport-fit=cover"
        />
        {theme === "light" ? (
          <meta name="theme-color" content="#f5f6f8" />
        ) : theme === "dark" ? (
          <meta name="theme-color" content="#0e1116" />
        ) : (
          <>
            <meta
              name="theme-color"
              content="#f5f6f8"
              media="(prefers-color-scheme: light)"
            />
            <meta
              name="theme-color"
              content="#0e1116"
              media="(prefers-color-scheme: dark)"
            />
          </>
        )}
        <meta
          name="color-scheme"
          content={theme === "system" ? "dark light" : theme}
        />
        <Meta />
        <Links />
      </head>
      <body>
        <a href="#main" className="skip">
          Skip to content
        </a>
        <Header />
        {data ? <OfflineBanner asOf={data.asOf} /> : null}
        <main id="main">{children}</main>
        {data ? <ServiceWorker signedIn={Boolean(data.player)} /> : null}
        <ScrollRestoration nonce={nonce} />
        {data ? (
          <script
            nonce={nonce}
            suppressHydrationWarning
            dangerouslySetInnerHTML={{
              __html: `window.ENV=${JSON.stringify(data.ENV).replace(
                /</g,
                "\\u003c"
              )}`,
            }}
          />
        ) : null}
        <Scripts nonce={nonce} />
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
