/**
 * A bench stopped with Ctrl-C or SIGTERM stops what it started (partykit dev's process group, the
 * proxy, PgBouncer) before it exits, instead of leaving them on their ports for the next run.
 */
type Stop = () => Promise<unknown> | unknown;
const stops: Stop[] = [];
let installed = false;

export function stopOnSignal(...more: Array<Stop | undefined>): void {
  for (const s of more) if (s) stops.push(s);
  if (installed) return;
  installed = true;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping what the bench started`);
      const bound = setTimeout(() => process.exit(130), 10_000);
      void Promise.allSettled(stops.reverse().map((s) => s())).then(() => {
        clearTimeout(bound);
        process.exit(130);
      });
    });
  }
}
