/**
 * Exactly-once answers for game servers' mutating calls. The key row is inserted FIRST, in the same
 * transaction as the action: a concurrent duplicate's insert waits on the unique key until the first
 * transaction ends, then finds the row and reads the stored answer (or, if the first rolled back,
 * acts itself). The answer is stored by the same commit as the action, so a retry after a crash
 * between commit and answer gets it too. Failures roll back and are not stored: a retry acts again.
 */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { nonceSeconds, type PendingNonce } from "./servers";

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type IdempotentResult = (StoredAnswer & { replayed: boolean }) | { conflict: string } | { replayedRequest: true };

/**
 * `nonce`: the signed request's nonce, recorded in the same statement as the key claim (one round
 * trip and one commit fewer than recording it alone). A nonce seen before refuses the request
 * (`replayedRequest`) before the key is claimed. If the action fails the transaction rolls back, so
 * the caller then records the nonce on its own (useNonce): a replay of a failed request stays refused.
 */
export async function idempotent(
  db: Db,
  scope: string,
  key: string,
  requestHash: string,
  act: (tx: Db) => Promise<StoredAnswer>,
  nonce?: PendingNonce,
): Promise<IdempotentResult> {
  return withTx(db, async (tx) => {
    let claimedCount: number;
    if (nonce) {
      const [r] = await rows<{ n: number; c: number }>(tx, sql`
        with n as (
          insert into server_request_nonces (key_id, nonce, expires_at)
          values (${nonce.keyId}, ${nonce.nonce}, now() + make_interval(secs => ${nonceSeconds(nonce.windowSeconds)}))
          on conflict do nothing returning 1),
        c as (
          insert into idempotency_keys (scope, key, request_hash, response)
          select ${scope}, ${key}, ${requestHash}, 'null'::jsonb where exists (select 1 from n)
          on conflict (scope, key) do nothing returning 1)
        select (select count(*) from n)::int as n, (select count(*) from c)::int as c`);
      if (r!.n === 0) return { replayedRequest: true as const };
      claimedCount = r!.c;
    } else {
      const claimed = await rows(tx, sql`
        insert into idempotency_keys (scope, key, request_hash, response) values (${scope}, ${key}, ${requestHash}, 'null'::jsonb)
        on conflict (scope, key) do nothing returning 1`);
      claimedCount = claimed.length;
    }
    if (claimedCount === 0) {
      const [first] = await rows<{ request_hash: string; response: StoredAnswer; created_at: string }>(tx, sql`
        select request_hash, response, created_at::text from idempotency_keys where scope = ${scope} and key = ${key}`);
      if (!first) throw new Error("idempotency key vanished while being read"); // pruned in between: retried by the caller
      if (first.request_hash !== requestHash) {
        return { conflict: `Idempotency-Key ${key} was already used at ${new Date(first.created_at).toISOString()} for a different request (method, path or body differ). Use a new key for a new request; send the same body to get the first answer.` };
      }
      return { ...first.response, replayed: true };
    }
    const answer = await act(tx);
    await tx.execute(sql`update idempotency_keys set response = ${JSON.stringify(answer)}::jsonb where scope = ${scope} and key = ${key}`);
    return { ...answer, replayed: false };
  });
}
