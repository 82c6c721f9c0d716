/** Why a frozen player's live token or session is refused: a 403 that says so, instead of "unknown token". */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/db";
import { ApiError } from "../api/http.server";
import { digest } from "../auth/tokens";
import { frozenMessage } from "../../db/game-servers/freeze";


export async function frozenRefusal(db: Db, token: string, kind: "web" | "api"): Promise<ApiError | undefined> {
  const [row] = await rows<{ reason: string | null }>(db, sql`
    select p.frozen_reason as reason from sessions s join players p on p.id = s.player_id
    where s.id = ${digest(token)} and s.kind = ${kind} and s.revoked_at is null and s.expires_at > now() and p.frozen_at is not null`);
  return row ? new ApiError(403, "account_frozen", frozenMessage(row.reason)) : undefined;
}
