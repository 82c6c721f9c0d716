import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { listOffers, type OfferBox } from "../../db/offers";
import { requireWebSession } from "../../edge/auth/web.server";
import { sides, STATUS_WORDS } from "~/components/offers/sides";
import { summarize } from "~/components/offers/OfferLines";
import offersCss from "~/components/offers/offers.css?url";
import { StatusError } from "~/components/StatusError";

export const meta: MetaFunction = () => [{ title: "Offers · Bazaar" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: offersCss }];

const BOXES: Array<[OfferBox, string]> = [
  ["inbox", "Inbox"],
  ["sent", "Sent"],
  ["history", "History"],
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireWebSession(request, context);
  const asked = new URL(request.url).searchParams.get("box");
  const box: OfferBox = asked === "sent" || asked === "history" ? asked : "inbox";
  const now = Date.now();
  const offers = (await listOffers(context.db, { playerId: session.player.id, box })).map((o) => {
    const s = sides(o, session.player.id);
    return {
      id: o.id,
      status: o.status,
      overdue: o.status === "pending" && Date.parse(o.expiresAt) <= now,
      role: s.role,
      other: s.other,
      youGive: summarize(s.youGive),
      youGet: summarize(s.youGet),
      createdAt: o.createdAt,
      expiresAt: o.expiresAt,
      isCounter: o.counterOfId !== null,
    };
  });
  return { box, offers };
}

const when = (iso: string) => iso.replace("T", " ").replace(/:\d\dZ$/, " UTC");

export default function Offers() {
  const { box, offers } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Offers</h1>
      <p>
        <Link to="/offers/new">Make an offer</Link> · <Link to="/offers/blocked">Blocked players</Link>
      </p>
      <nav aria-label="Offer boxes">
        <ul className="offer-tabs">
          {BOXES.map(([b, words]) => (
            <li key={b}>
              <Link to={`/offers?box=${b}`} aria-current={b === box ? "page" : undefined}>
                {words}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {offers.length === 0 ? (
        <p className="muted">
          {box === "inbox" ? "No offers waiting for your answer." : box === "sent" ? "You have no offers waiting for an answer." : "No finished offers yet."}
        </p>
      ) : (
        <ul className="offer-list">
          {offers.map((o) => (
            <li key={o.id}>
              <Link to={`/offers/${o.id}`} className="card">
                <strong>{o.role === "sender" ? `To ${o.other}` : `From ${o.other}`}</strong>
                {o.isCounter ? <small className="muted"> (counter offer)</small> : null}{" "}
                <span className="offer-status">{o.overdue ? "Expired" : STATUS_WORDS[o.status]}</span>
                <br />
                You give: {o.youGive}
                <br />
                You get: {o.youGet}
                <br />
                <small className="muted">
                  {o.status === "pending" ? `Expires ${when(o.expiresAt)}` : `Sent ${when(o.createdAt)}`}
                </small>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export const ErrorBoundary = StatusError;
