/**
 * Feature flags (issue 21, ADR 026), the pure part: a flag is on/off, rolled out to a percentage of
 * players by a stable hash of (flag, player id), with per-player and per-role overrides that win
 * over the rollout. The A/B arm ("on"/"off") of a player is the same on every isolate and after
 * every restart: it depends only on the flag's key and the player's id.
 * The rules live in feature_flags (db/feature-flags.ts: admins change them, each change an event);
 * edge/flags/flags.server.ts decides them once per request and passes them to the app. The A/B arm
 * of every decision reaches the metrics and the request's log line through `observeFlags`.
 */
export interface FlagRule {
  key: string;
  /** Off for everyone unless an override says otherwise. */
  enabled: boolean;
  /** 0..100: the share of players (by hash) who get it while enabled. */
  rolloutPercent: number;
  /** player id -> on/off: wins over everything. */
  players?: Readonly<Record<string, boolean>>;
  /** role -> on/off: wins over the rollout (any role that says on turns it on, unless one says off). */
  roles?: Readonly<Record<string, boolean>>;
}

export type FlagReason = "player-override" | "role-override" | "disabled" | "rollout";

export interface FlagDecision {
  on: boolean;
  reason: FlagReason;
  /** The A/B arm for metrics and logs. */
  arm: "on" | "off";
}

/** FNV-1a 32-bit over UTF-16 code units: stable, fast, no allocation. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The player's bucket 0..9999 for this flag (hundredths of a percent). */
export function bucketOf(flagKey: string, playerId: string): number {
  return fnv1a(`${flagKey}:${playerId}`) % 10_000;
}

export function evaluate(rule: FlagRule, who: { playerId: string | null; roles: readonly string[] }): FlagDecision {
  const decide = (on: boolean, reason: FlagReason): FlagDecision => ({ on, reason, arm: on ? "on" : "off" });
  const byPlayer = who.playerId ? rule.players?.[who.playerId] : undefined;
  if (byPlayer !== undefined) return decide(byPlayer, "player-override");
  if (rule.roles) {
    const said = who.roles.map((r) => rule.roles![r]).filter((v): v is boolean => v !== undefined);
    if (said.length > 0) return decide(!said.includes(false), "role-override");
  }
  if (!rule.enabled || !who.playerId) return decide(false, "disabled");
  return decide(bucketOf(rule.key, who.playerId) < Math.round(rule.rolloutPercent * 100), "rollout");
}

/**
 * The flags as loaded, kept for `ttlMs` (brief caching at the edge): a change is visible to every
 * isolate at most `ttlMs` after it is written. `Src` is what the loader reads from (the edge passes
 * the request's database; one cache per isolate serves every request). A failed reload keeps the
 * rules it had, if any: a flag does not flip because one read failed.
 */
export class FlagCache<Src = void> {
  private rules: Map<string, FlagRule> | undefined;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<Map<string, FlagRule>> | undefined;
  constructor(
    private readonly load: (src: Src) => Promise<FlagRule[]>,
    readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
    /**
     * Told of every decision, so that an experiment can be read (ADR 026, 040): the edge counts it
     * (`bazaar_flag_decisions_total{flag,arm}`, edge/metrics/outcomes.ts) and puts the request's
     * arms on its log line (edge/request-log.ts `flags`). See `observeFlags`. A call may pass its own.
     */
    private readonly onDecision?: (key: string, decision: FlagDecision) => void,
  ) {}

  async get(src: Src): Promise<Map<string, FlagRule>> {
    if (this.rules && this.now() - this.loadedAt < this.ttlMs) return this.rules;
    // One reload at a time per isolate: the requests that arrive meanwhile share it.
    this.loading ??= this.load(src)
      .then((rules) => {
        this.rules = new Map(rules.map((r) => [r.key, r]));
        this.loadedAt = this.now();
        return this.rules;
      })
      .catch((error: unknown) => {
        if (this.rules) return this.rules;
        throw error;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }

  async decide(key: string, who: Who, src: Src, observe = this.onDecision): Promise<FlagDecision> {
    const rule = (await this.get(src)).get(key);
    const decision: FlagDecision = rule ? evaluate(rule, who) : { on: false, reason: "disabled", arm: "off" };
    // Only known flags: an unknown key (a typo, a removed flag) must not grow the metrics' labels.
    if (rule) observe?.(key, decision);
    return decision;
  }

  /** Every known flag decided for one visitor: what the edge passes to the app, once per request. */
  async decideAll(who: Who, src: Src, observe = this.onDecision): Promise<Record<string, FlagDecision>> {
    const decided: Record<string, FlagDecision> = {};
    for (const [key, rule] of await this.get(src)) {
      decided[key] = evaluate(rule, who);
      observe?.(key, decided[key]);
    }
    return decided;
  }
}

export interface Who {
  playerId: string | null;
  roles: readonly string[];
}

/**
 * The edge's observer for a FlagCache: counts each decision by flag and arm in `counter`, and keeps
 * the arms of the request being served in `arms` (its log line's `flags`).
 */
export function observeFlags(counter: { flagDecision(flag: string, arm: "on" | "off"): void }, arms: Record<string, "on" | "off">) {
  return (key: string, decision: FlagDecision) => {
    counter.flagDecision(key, decision.arm);
    arms[key] = decision.arm;
  };
}
