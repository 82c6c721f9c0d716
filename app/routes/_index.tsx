import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { getInventory } from "../../db/inventory";
import { getWebSession } from "../../edge/auth/web.server";
import { StatusError } from "~/components/StatusError";
import { formatGold } from "~/utils/money";

export const meta: MetaFunction = () => [{ title: "Bazaar · the game's trading floor" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getWebSession(request, context);
  if (!session) return { player: null };
  const { balance } = await getInventory(context.db, session.player.id);
  return { player: { username: session.player.username, balance } };
}

export default function Home() {
  const { player } = useLoaderData<typeof loader>();
  if (!player) {
    return (
      <>
        <h1>The trading floor of the realm</h1>
        <p>
          Bazaar is where players buy and sell what they earn in the game: ores, potions, weapons and rare
          finds. Trade goods on live order-book markets, swap one-of-a-kind items directly with other
          players, and keep an eye on your inventory from your phone.
        </p>
        <p>
          <Link to="/signup">Create an account</Link> and start with 1,000 gold and a starter kit, or{" "}
          <Link to="/signin">sign in</Link>.
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Welcome back, {player.username}</h1>
      <section className="card" aria-labelledby="purse">
        <h2 id="purse">Your purse</h2>
        <p className="balance">{formatGold(player.balance.available)} gold</p>
        {player.balance.reserved > 0 ? <p className="muted">{formatGold(player.balance.reserved)} gold held for open orders</p> : null}
      </section>
      <ul>
        <li>
          <Link to="/inventory">Your inventory</Link>
        </li>
      </ul>
    </>
  );
}

export const ErrorBoundary = StatusError;
