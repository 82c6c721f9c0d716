/**
 * The fraud rules as a consumer of the event feed (db/consumers/run.ts): each page's market events
 * name their fills (db/economy/trades.ts); for each fill the consumer reads what the rules need
 * around it (the pair's last hour, the market's 24 h median, the buyer's hours and age) and
 * stores the flags the pure rules raise in fraud_flags. One flag per rule and fill: a page applied
 * twice adds nothing. Off the room's hot path: the cron runs it with its own cursor (`fraud_flags`),
 * apart from the economy's consumers, so their rebuild never touches a flag.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { Consumer } from "../consumers/run";
import { namedFills } from "../economy/trades";
import { defaultFraudConfig, newAccountValue, priceOutlier, sharedDeviceFunnel, velocity, washTrading, type Flag, type FraudConfig, type Trade } from "./rules";

interface FillRow { id: string; asset: number; seller: string; buyer: string; price: string; qty: string; at: string; market: string }

const tradeOf = (r: FillRow): Trade => ({ fillId: Number(r.id), asset: r.asset, seller: r.seller, buyer: r.buyer, price: Number(r.price), quantity: Number(r.qty), at: Date.parse(r.at) });

const FILL_COLUMNS = sql`f.id::text as id, m.item_type_id as asset, f.market_slug as market,
  (case when f.taker_side = 'buy' then f.maker_player_id else f.taker_player_id end)::text as seller,
  (case when f.taker_side = 'buy' then f.taker_player_id else f.maker_player_id end)::text as buyer,
  f.price::text as price, f.quantity::text as qty, to_char(f.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at`;

export function fraudConsumer(config: FraudConfig = defaultFraudConfig): Consumer {
  return {
    name: "fraud_flags",
    types: ["order_placed", "order_amended"],
    async apply(tx, events) {
      const named = namedFills(events);
      if (named.length === 0) return;
      const fills = await rows<FillRow>(tx, sql`
        select ${FILL_COLUMNS} from jsonb_to_recordset(${JSON.stringify(named)}::jsonb) as n(market text, seq bigint, ord int)
        join fills f on f.market_slug = n.market and f.seq = n.seq join markets m on m.slug = f.market_slug order by n.ord`);
      const flags: Array<Flag & { subject: string }> = [];
      for (const row of fills) {
        const t = tradeOf(row);
        for (const f of await judge(tx, t, row, config)) flags.push({ ...f, subject: `fill:${t.fillId}` });
        // The device rule: one flag per device, recipient and day (not per fill), so a ring that
        // keeps trading does not fill the queue.
        const device = await deviceFunnel(tx, t, row, config);
        if (device) flags.push(device);
      }
      if (flags.length === 0) return;
      await tx.execute(sql`
        insert into fraud_flags (rule, score, players, explanation, subject)
        select x.rule, x.score, array(select jsonb_array_elements_text(x.players))::uuid[], x.explanation, x.subject
        from jsonb_to_recordset(${JSON.stringify(flags)}::jsonb) as x(rule text, score int, players jsonb, explanation text, subject text)
        on conflict (rule, subject) do nothing`);
    },
    // Flags are operators' review work, not a projection: a rebuild replays the feed and the
    // unique (rule, subject) adds only what is missing; open, dismissed and escalated flags stay.
    async reset() {},
  };
}

async function judge(tx: Db, t: Trade, row: FillRow, c: FraudConfig): Promise<Flag[]> {
  const pairHour = (await rows<FillRow>(tx, sql`
    select ${FILL_COLUMNS} from fills f join markets m on m.slug = f.market_slug
    where f.created_at > ${row.at}::timestamptz - interval '1 hour' and f.created_at <= ${row.at}::timestamptz and f.id <= ${t.fillId}
      and (f.maker_player_id = any(${`{${t.seller},${t.buyer}}`}::uuid[]) or f.taker_player_id = any(${`{${t.seller},${t.buyer}}`}::uuid[]))
    order by f.id limit 500`)).map(tradeOf);
  const [median] = await rows<{ median: string | null; n: string }>(tx, sql`
    select percentile_disc(0.5) within group (order by price)::text as median, count(*)::text as n from fills
    where market_slug = ${row.market} and id < ${t.fillId} and created_at > ${row.at}::timestamptz - interval '24 hours'`);
  const [buyer] = await rows<{ age: string; hour: string; day: string; received: string }>(tx, sql`
    select extract(epoch from ${row.at}::timestamptz - p.created_at)::bigint::text as age,
      coalesce(sum(f.price * f.quantity) filter (where f.created_at > ${row.at}::timestamptz - interval '1 hour'), 0)::text as hour,
      coalesce(sum(f.price * f.quantity) filter (where f.created_at <= ${row.at}::timestamptz - interval '1 hour'), 0)::text as day,
      coalesce(sum(f.price * f.quantity) filter (where (f.taker_side = 'buy' and f.taker_player_id = p.id) or (f.taker_side = 'sell' and f.maker_player_id = p.id)), 0)::text as received
    from players p left join fills f on (f.maker_player_id = p.id or f.taker_player_id = p.id)
      and f.id <= ${t.fillId} and f.created_at > ${row.at}::timestamptz - interval '24 hours'
    where p.id = ${t.buyer}::uuid group by p.id, p.created_at`);
  return [
    washTrading(t, pairHour, c),
    priceOutlier(t, median?.median === null || median === undefined ? null : Number(median.median), Number(median?.n ?? 0), c),
    velocity(t.buyer, Number(buyer?.hour ?? 0), Number(buyer?.day ?? 0) / 23, c),
    newAccountValue(t.buyer, Number(buyer?.age ?? 0), Number(buyer?.received ?? 0), c),
  ].filter((f): f is Flag => f !== null);
}

/**
 * Many accounts trading with each other from one device (session_devices, migration 0016): when
 * the fill's two players signed in from a common device, every account seen on that device and
 * what it traded with the fill's buyer in the last 24 h go to the pure rule (sharedDeviceFunnel).
 * One indexed probe per fill when the players share no device.
 */
async function deviceFunnel(tx: Db, t: Trade, row: FillRow, c: FraudConfig): Promise<(Flag & { subject: string }) | null> {
  const [shared] = await rows<{ key: string }>(tx, sql`
    select a.device_key as key from session_devices a join session_devices b on b.player_id = ${t.buyer}::uuid and b.device_key = a.device_key
    where a.player_id = ${t.seller}::uuid and a.device_key is not null order by a.device_key limit 1`);
  if (!shared) return null;
  const senders = (await rows<{ player: string; sent: string }>(tx, sql`
    select p.player_id::text as player, coalesce(sum(f.price * f.quantity), 0)::text as sent
    from (select distinct player_id from session_devices where device_key = ${shared.key} and player_id <> ${t.buyer}::uuid) p
    left join fills f on f.id <= ${t.fillId} and f.created_at > ${row.at}::timestamptz - interval '24 hours'
      and ((f.maker_player_id = p.player_id and f.taker_player_id = ${t.buyer}::uuid) or (f.taker_player_id = p.player_id and f.maker_player_id = ${t.buyer}::uuid))
    group by p.player_id order by p.player_id`)).map((r) => ({ player: r.player, sent: Number(r.sent) }));
  const flag = sharedDeviceFunnel(t.buyer, shared.key, senders, c);
  return flag ? { ...flag, subject: `device:${shared.key.slice(0, 16)}:${t.buyer}:${row.at.slice(0, 10)}` } : null;
}
