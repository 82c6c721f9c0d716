/** Pure checks of Postgres connection strings, shared by the edge and the rooms (ADR 031). */

/**
 * A Neon connection string that bypasses Neon's pooler (host "ep-...-pooler.<region>..." is pooled):
 * every edge request and every market room opens its own pool, so without the pooler a busy edge runs out of connections.
 */
export function neonUnpooled(databaseUrl: string): boolean {
  const host = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?([^/:?]+)/.exec(databaseUrl)?.[1] ?? "";
  return /\.neon\.tech$/i.test(host) && !/-pooler\./i.test(host);
}
