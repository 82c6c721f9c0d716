/**
 * The notification center's grouping, pure: alerts (newest first) into days in the player's time
 * zone, with "Today" / "Yesterday" / a date, and each alert's local time. Computed on the server,
 * so the page shows the same words with or without JavaScript.
 */
export interface Dated {
  createdAt: string;
}

export function groupByDay<T extends Dated>(alerts: T[], timeZone: string, now: number): Array<{ day: string; label: string; alerts: Array<T & { time: string }> }> {
  const dayOf = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const timeOf = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const longOf = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short", year: "numeric" });
  const today = dayOf.format(now);
  const yesterday = dayOf.format(now - 86_400_000);
  const groups: Array<{ day: string; label: string; alerts: Array<T & { time: string }> }> = [];
  for (const a of alerts) {
    const at = Date.parse(a.createdAt);
    const day = dayOf.format(at);
    let g = groups.at(-1);
    if (!g || g.day !== day) {
      g = { day, label: day === today ? "Today" : day === yesterday ? "Yesterday" : longOf.format(at), alerts: [] };
      groups.push(g);
    }
    g.alerts.push({ ...a, time: timeOf.format(at) });
  }
  return groups;
}
