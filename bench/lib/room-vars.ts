/** BENCH_ROOM_VAR_<NAME>=<value> in the bench's environment: room variables for A/B runs (e.g. ROOM_FEED_FLUSH_MS). */
export function benchRoomVars(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("BENCH_ROOM_VAR_")).map(([k, v]) => [k.slice("BENCH_ROOM_VAR_".length), v!]));
}
