/**
 * /leaderboards, "Leaderboards": the top traders by realised profit (FIFO cost basis), traded value
 * and net worth, per window (this UTC day, this week, all time), read from the Redis copy of the
 * leaderboards (edge/leaderboards, ADR 033). A signed-in player also sees their own rank, also
 * outside the top 100. Players who hid themselves (settings) are not listed and the ranks skip
 * them; a hidden player sees their own place, and their row in the list, marked "only you see
 * this" (ADR 039).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { BOARDS, WINDOWS, type Board, type Window } from "../../db/leaderboards/periods";
import { getWebSession } from "../../edge/auth/web.server";
import { rankOf, topOf } from "../../edge/leaderboards/boards.server";
import { createRedis } from "../../edge/redis.server";
import { formatCount, formatGold } from "~/utils/money";

export const meta: MetaFunction = () => [{ title: "Leaderboards · Bazaar" }];

const BOARD_NAMES: Record<Board, string> = { profit: "Profit", volume: "Volume", worth: "Net worth" };
const WINDOW_NAMES: Record<Window, string> = { day: "Today", week: "This week", all: "All time" };
const EXPLAINED: Record<Board, string> = {
  profit:
    "Realised profit on market trades: what a sale brought in, less the fee, less what the same units cost when bought on the market (first in, first out, buying fees included). Units never bought on the market (loot, starter kits, offers) cost nothing here.",
  volume: "Copper traded on the markets, bought and sold.",
  worth: "Copper plus stackable items at each market's last price, now. Unique items are not counted.",
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const askedBoard = url.searchParams.get("board") ?? "profit";
  const board: Board = (BOARDS as readonly string[]).includes(askedBoard) ? (askedBoard as Board) : "profit";
  const askedWindow = url.searchParams.get("window") ?? "all";
  const window: Window = board === "worth" ? "all" : (WINDOWS as readonly string[]).includes(askedWindow) ? (askedWindow as Window) : "all";
  const boards = { redis: createRedis(context.env), db: context.db };
  const session = await getWebSession(request, context);
  const top = await topOf(boards, board, window, 100);
  const mine = session ? await rankOf(boards, session.player.id, board, window) : null;
  return { board, window, top, me: session ? { id: session.player.id, username: session.player.username, ...mine! } : null };
}

export default function Leaderboards() {
  const { board, window, top, me } = useLoaderData<typeof loader>();
  const inTop = me !== null && top.entries.some((e) => e.playerId === me.id);
  // A hidden player's own row, where they would be: shown to them only, above whoever has their rank.
  const ownRow = me?.hidden && me.rank !== null && me.rank <= top.entries.length + 1 && me.rank <= 100 ? me.rank - 1 : null;
  const rows: Array<(typeof top.entries)[number] & { own?: boolean }> = [...top.entries];
  if (ownRow !== null && me) rows.splice(ownRow, 0, { rank: me.rank!, playerId: me.id, username: me.username, bot: false, score: me.score ?? 0, own: true });
  const href = (b: Board, w: Window) => `/leaderboards?board=${b}${b === "worth" || w === "all" ? "" : `&window=${w}`}`;
  return (
    <>
      <div className="page-head">
        <h1>Leaderboards</h1>
        <span className="muted small-text">{top.asOf ? `as of ${top.asOf.replace("T", " ").replace("Z", " UTC")}` : "not computed yet"}</span>
      </div>
      <nav className="segmented" aria-label="Board">
        {BOARDS.map((b) => (
          <Link key={b} to={href(b, window)} className={b === board ? "seg on" : "seg"} aria-current={b === board ? "page" : undefined}>
            {BOARD_NAMES[b]}
          </Link>
        ))}
      </nav>
      {board !== "worth" ? (
        <nav className="segmented" aria-label="Window">
          {WINDOWS.map((w) => (
            <Link key={w} to={href(board, w)} className={w === window ? "seg on" : "seg"} aria-current={w === window ? "page" : undefined}>
              {WINDOW_NAMES[w]}
            </Link>
          ))}
        </nav>
      ) : null}

      {me ? (
        <section className="card" aria-labelledby="me-head">
          <h2 id="me-head">Your place</h2>
          <p className="num">
            {me.rank === null ? "Not on this board yet: trade on a market to join it." : `#${formatCount(me.rank)} of ${formatCount(me.players)} · ${formatGold(me.score ?? 0)}`}
          </p>
          {me.hidden ? (
            <p className="muted small-text" data-testid="hidden-note">
              <span className="tag">Hidden</span> Only you see this: other players do not see you on the leaderboards, and their ranks skip you.{" "}
              <Link to="/settings#privacy">Show me</Link>
            </p>
          ) : null}
        </section>
      ) : null}

      <section className="card flush" aria-labelledby="lb-head">
        <h2 id="lb-head" className="pad">
          {BOARD_NAMES[board]} · {board === "worth" ? "now" : WINDOW_NAMES[window].toLowerCase()}
        </h2>
        {rows.length === 0 ? (
          <p className="pad muted">No trades in this window yet.</p>
        ) : (
          <table className="history">
            <thead>
              <tr>
                <th scope="col" className="num">#</th>
                <th scope="col">Trader</th>
                <th scope="col" className="num">{BOARD_NAMES[board]}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.playerId} aria-current={(inTop || e.own) && e.playerId === me?.id ? "true" : undefined} className={e.playerId === me?.id ? "mine" : undefined}>
                  <td className="num">{e.rank}</td>
                  <td>
                    {e.username}
                    {e.bot ? <span className="muted small-text"> · NPC</span> : null}
                    {e.own ? <> <span className="tag">Hidden</span><span className="muted small-text"> only you see this</span></> : null}
                  </td>
                  <td className="num">{formatGold(e.score)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="pad muted small-text">
          {EXPLAINED[board]} {formatCount(top.players)} {top.players === 1 ? "trader" : "traders"} on this board. See also the <Link to="/economy">economy</Link>.
        </p>
      </section>
    </>
  );
}
