/** A small mixed load for the room suites: crossing limit orders and cancels from many players. */
import { Trader } from "../../bench/market/trader";
import type { Answer } from "../../party/settlement/types";
import { issueToken } from "../../party/tokens";

export interface LoadResult {
  answers: Array<{ at: number; answer: Answer }>;
}

export async function connectAll(host: string, secret: string, slug: string, players: string[]): Promise<Trader[]> {
  return Promise.all(players.map(async (p) => Trader.connect(host, slug, await issueToken(secret, "player", p, 600), p)));
}

/** Each trader loops place/cancel until `stop()` is true or its socket closes. */
export async function runLoad(traders: Trader[], stop: () => boolean, tag: string): Promise<LoadResult> {
  const answers: LoadResult["answers"] = [];
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  await Promise.all(traders.map(async (t, i) => {
    const open: string[] = [];
    let n = 0;
    while (!stop() && !t.closed) {
      const answer = rand() < 0.25 && open.length > 0
        ? await t.send({ type: "cancel", orderId: open.shift() })
        : await t.send({ type: "place", clientOrderId: `${tag}-${i}-${n++}`, side: rand() < 0.5 ? "buy" : "sell", orderType: "limit", price: 95 + Math.floor(rand() * 10), quantity: 1 + Math.floor(rand() * 5) });
      answers.push({ at: Date.now(), answer });
      if (answer.ok && answer.order?.status === "open") open.push(answer.order.id);
      if (answer.code === 500 || answer.code === 231) await new Promise((r) => setTimeout(r, 50)); // retryable (or the room busy, ADR 048): back off
    }
  }));
  return { answers };
}
