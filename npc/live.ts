/**
 * The demo world's NPC traders, live: they sign in through the API like any player and keep the
 * world's markets moving at a modest rate (one market step every `stepMs`, markets taking turns
 * by weight, evenly spread): a maker re-quotes its ladder around the market's drifting reference price (amend in
 * place, place what is missing, cancel the rest; a few changes per step), a taker now and then
 * crosses the spread. Every few seconds each NPC answers the offers in its inbox (npc/offers.ts).
 * Orders go through the same worker and rooms as a player's; nothing here touches the database.
 */
import { Rng } from "../party/engine/random-stream";
import { ApiError, type Api } from "./api";
import { npcPassword } from "./accounts";
import { judgeOffer, uniqueValues, type OfferLine } from "./offers";
import { ladder, reconcile, take, walk, type Change, type Rules } from "./quotes";
import { Turns } from "./turns";
import { isOuterMaker, marketProfiles, npcs, type MarketProfile, type Npc } from "./world";

export interface LiveOptions {
  api: Api;
  secret: string;
  /** Milliseconds between market steps (default 1,500). */
  stepMs?: number;
  /** Milliseconds between offer rounds (default 2,000); each round `offersPerRound` NPCs (default 3) read their inbox. */
  offersMs?: number;
  offersPerRound?: number;
  /** At most this many order changes per maker per step (default 3). */
  changesPerStep?: number;
  seed?: number;
  log?: (line: string) => void;
}

interface MarketState {
  profile: MarketProfile;
  rules: Rules;
  itemTypeId: number;
  reference: number;
  last?: number;
}

interface Trader {
  npc: Npc;
  token: string;
  tokenId?: string;
  /** "slug:side" that were refused for want of gold or items, until this time (ms). */
  shortUntil: Map<string, number>;
}

interface Summary {
  slug: string;
  itemTypeId: number;
  tickSize: number;
  lotSize: number;
  last: number | null;
}

export interface LiveStats {
  steps: number;
  orders: number;
  refused: number;
  errors: number;
  offersAccepted: number;
  offersDeclined: number;
}

export class LiveTraders {
  readonly stats: LiveStats = { steps: 0, orders: 0, refused: 0, errors: 0, offersAccepted: 0, offersDeclined: 0 };
  private traders = new Map<string, Trader>();
  private markets = new Map<string, MarketState>();
  private rng: Rng;
  private running = false;
  private timers = new Set<NodeJS.Timeout>();
  private n = 0;
  private inboxTurn = 0;
  /** Unique item values by item type id (the catalog does not change while running). */
  private uniques?: Map<number, number>;
  private readonly run = Date.now().toString(36);
  private turns?: { size: number; order: Turns<string> };

  constructor(private readonly o: LiveOptions) {
    this.rng = new Rng(o.seed ?? Date.now() % 2 ** 31);
  }

  private log(line: string) {
    this.o.log?.(line);
  }

  /** Signs every NPC in and reads the markets; throws when the API does not answer (the caller retries). */
  async start(): Promise<void> {
    const { api } = this.o;
    await this.signIn();
    const { markets } = await api.call<{ markets: Summary[] }>("GET", "/markets");
    for (const m of markets) {
      const profile = marketProfiles.find((p) => p.slug === m.slug);
      if (!profile) continue;
      const rules = { tickSize: m.tickSize, lotSize: m.lotSize };
      this.markets.set(m.slug, { profile, rules, itemTypeId: m.itemTypeId, reference: m.last ?? profile.reference, last: m.last ?? undefined });
    }
    this.running = true;
    this.log(`${this.traders.size} NPC traders signed in; trading ${this.markets.size} markets, a step every ${this.o.stepMs ?? 1_500} ms`);
    this.loop(() => this.step(), this.o.stepMs ?? 1_500);
    this.loop(() => this.answerOffers(), this.o.offersMs ?? 2_000);
  }

  /** API tokens for every NPC (again when one was refused: tokens expire, a database may be reset). */
  private async signIn(): Promise<void> {
    const { api, secret } = this.o;
    for (const npc of npcs) {
      const t = await api.call<{ token: string; id?: string }>("POST", "/tokens", {
        json: { username: npc.username, password: npcPassword(secret, npc.username), label: "demo world NPC" },
      });
      const before = this.traders.get(npc.username);
      this.traders.set(npc.username, { npc, token: t.token, tokenId: t.id, shortUntil: before?.shortUntil ?? new Map() });
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // Their API tokens are revoked; their resting orders stay (the book is the world's).
    await Promise.all(
      [...this.traders.values()].map((t) => (t.tokenId ? this.o.api.call("DELETE", `/tokens/${t.tokenId}`, { token: t.token }).catch(() => undefined) : undefined)),
    );
  }

  /** Runs `fn` every `ms` (jittered +-25%), never two at once; errors are counted and logged, never thrown. */
  private loop(fn: () => Promise<void>, ms: number) {
    const next = () => {
      if (!this.running) return;
      const t = setTimeout(async () => {
        this.timers.delete(t);
        try {
          await fn();
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) await this.signIn().catch(() => undefined);
          this.stats.errors++;
          if (this.stats.errors <= 5 || this.stats.errors % 100 === 0) this.log(`error (${this.stats.errors} so far): ${(error as Error).message}`);
        }
        next();
      }, Math.round(ms * (0.75 + this.rng.float() * 0.5)));
      this.timers.add(t);
    };
    next();
  }

  /** Markets take turns by weight, evenly spread (npc/turns.ts): none is left still for long. */
  private pickMarket(): MarketState | undefined {
    if (this.turns?.size !== this.markets.size) {
      this.turns = { size: this.markets.size, order: new Turns(new Map([...this.markets].map(([k, m]) => [k, m.profile.weight]))) };
    }
    const slug = this.turns.order.next();
    return slug === undefined ? undefined : this.markets.get(slug);
  }

  /** One market step: the reference moves, one maker re-quotes, a taker may trade. */
  async step(): Promise<void> {
    const market = this.pickMarket();
    if (!market) return;
    const { api } = this.o;
    const slug = market.profile.slug;
    this.stats.steps++;
    const before = market.reference;
    market.reference = walk(market.reference, market.profile.reference, market.rules, this.rng);
    const makers = [...this.traders.values()].filter((t) => t.npc.role === "maker" && t.npc.markets.includes(slug));
    const maker = makers.length > 0 ? this.rng.pick(makers) : undefined;
    if (maker) {
      const outer = isOuterMaker(maker.npc);
      const quotes = ladder(market.reference, market.rules, { levels: outer ? 2 : 3, offset: outer ? 3 : 0, lots: market.profile.lots, rng: this.rng });
      const { orders } = await api.call<{ orders: Array<{ id: string; side: "buy" | "sell"; price: number | null; remaining: number }> }>(
        "GET", `/orders?status=open&market=${slug}&limit=50`, { token: maker.token });
      const resting = orders
        .filter((r) => r.price !== null)
        .sort((a, b) => (a.side === "buy" ? b.price! - a.price! : a.price! - b.price!))
        .map((r) => ({ id: r.id, side: r.side, price: r.price!, remaining: r.remaining }));
      const changes = reconcile(resting, quotes).slice(0, this.o.changesPerStep ?? 3);
      for (const change of changes) await this.apply(maker, market, change);
    }
    const takers = [...this.traders.values()].filter((t) => t.npc.role === "taker");
    const taker = takers.length > 0 ? this.rng.pick(takers) : undefined;
    if (!taker) return;
    const book = await api.call<{ bids: Array<[number, number]>; asks: Array<[number, number]> }>("GET", `/markets/${slug}/book?depth=1`);
    const order = take({ bestBid: book.bids[0]?.[0], bestAsk: book.asks[0]?.[0] }, market.reference, market.last ?? before, market.rules, { lots: market.profile.lots, rng: this.rng });
    if (order) await this.place(taker, market, { ...order, timeInForce: "IOC" });
  }

  private short(t: Trader, slug: string, side: string): boolean {
    return (t.shortUntil.get(`${slug}:${side}`) ?? 0) > Date.now();
  }

  private async apply(t: Trader, market: MarketState, change: Change) {
    const slug = market.profile.slug;
    if (change.type === "place") return this.place(t, market, change.quote);
    if (change.type === "cancel") {
      await this.o.api.call("DELETE", `/markets/${slug}/orders/${change.id}`, { token: t.token }).catch(ignoreGone);
      return;
    }
    await this.o.api
      .call("POST", `/markets/${slug}/orders/${change.id}/amend`, { token: t.token, json: { price: change.price, quantity: change.quantity } })
      .catch((error) => this.refused(t, slug, undefined, error));
  }

  private async place(t: Trader, market: MarketState, q: { side: "buy" | "sell"; price: number; quantity: number; timeInForce?: "IOC" }) {
    const slug = market.profile.slug;
    if (this.short(t, slug, q.side)) return;
    this.stats.orders++;
    try {
      const answer = await this.o.api.call<{ fills?: Array<{ price: number }> }>("POST", `/markets/${slug}/orders`, {
        token: t.token,
        json: { clientOrderId: `npc:${this.run}:${this.n++}`, side: q.side, orderType: "limit", price: q.price, quantity: q.quantity, ...(q.timeInForce ? { timeInForce: q.timeInForce } : {}) },
      });
      const last = answer.fills?.at(-1);
      if (last) market.last = last.price;
    } catch (error) {
      this.refused(t, slug, q.side, error);
    }
  }

  /** Short of gold or items: that side of that market rests for five minutes. Gone orders are fine. */
  private refused(t: Trader, slug: string, side: string | undefined, error: unknown) {
    if (!(error instanceof ApiError)) throw error;
    this.stats.refused++;
    if (/insufficient/.test(error.code) && side) t.shortUntil.set(`${slug}:${side}`, Date.now() + 5 * 60_000);
    else if (error.status >= 500) throw error;
  }

  /**
   * A few NPCs (round robin, `offersPerRound`) read their inbox and accept or decline; prices are
   * read only when there is something to judge. A 425 "too soon" waits for that NPC's next turn.
   */
  async answerOffers(): Promise<void> {
    const all = [...this.traders.values()];
    const turn: Trader[] = [];
    for (let k = 0; k < Math.min(this.o.offersPerRound ?? 3, all.length); k++) turn.push(all[(this.inboxTurn + k) % all.length]!);
    this.inboxTurn = (this.inboxTurn + turn.length) % Math.max(1, all.length);
    let prices: Awaited<ReturnType<LiveTraders["prices"]>> | undefined;
    for (const t of turn) {
      const { offers } = await this.o.api.call<{ offers: Array<{ id: string; lines: OfferLine[] }> }>("GET", "/offers?box=inbox", { token: t.token });
      for (const offer of offers) {
        prices ??= await this.prices();
        const verdict = judgeOffer(offer.lines, prices);
        try {
          if (verdict.accept) {
            await this.accept(t, offer.id);
            this.stats.offersAccepted++;
          } else {
            await this.o.api.call("POST", `/offers/${offer.id}/decline`, { token: t.token, json: {} });
            this.stats.offersDeclined++;
          }
          this.log(`${t.npc.username} ${verdict.accept ? "accepted" : "declined"} offer ${offer.id} (${verdict.why})`);
        } catch (error) {
          if (error instanceof ApiError && error.status === 425) continue; // too soon after it was sent
          if (error instanceof ApiError && error.status < 500) {
            // It cannot be done (items gone, offer resolved meanwhile): say no rather than leave it hanging.
            await this.o.api.call("POST", `/offers/${offer.id}/decline`, { token: t.token, json: {} }).catch(() => undefined);
            this.log(`${t.npc.username} could not accept offer ${offer.id}: ${error.message}`);
            continue;
          }
          throw error;
        }
      }
    }
  }

  private async accept(t: Trader, offerId: string) {
    try {
      await this.o.api.call("POST", `/offers/${offerId}/accept`, { token: t.token, json: {} });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 428) throw error;
      await this.o.api.call("POST", `/offers/${offerId}/accept`, { token: t.token, json: { confirm: true } });
    }
  }

  private async prices() {
    const { markets } = await this.o.api.call<{ markets: Summary[] }>("GET", "/markets");
    const last = new Map(markets.filter((m) => m.last !== null).map((m) => [m.itemTypeId, m.last!]));
    if (!this.uniques) {
      const unique = new Map<number, number>();
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ id: number; slug: string }>; nextCursor: string | null } = await this.o.api.call("GET", `/item-types?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
        for (const t of page.items) if (uniqueValues[t.slug] !== undefined) unique.set(t.id, uniqueValues[t.slug]!);
        cursor = page.nextCursor;
      } while (cursor);
      this.uniques = unique;
    }
    const unique = this.uniques;
    return { stack: (id: number) => last.get(id), unique: (id: number) => unique.get(id) };
  }
}

function ignoreGone(error: unknown) {
  if (error instanceof ApiError && error.status < 500) return;
  throw error;
}
