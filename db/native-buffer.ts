/**
 * The Neon driver takes `globalThis.Buffer` if there is one, and its own bundled copy of the
 * `buffer` polyfill if not. The polyfill decodes every text field of every row in JavaScript, one
 * code point at a time into a growing array (its `utf8Slice`): under bench:market that array growth
 * was 6-15% of the rooms' thread (docs/PERFORMANCE.md, 2026-12-06). The rooms' workerd has
 * nodejs_compat but, at partykit.json's compatibility date, no global Buffer; its `node:buffer` is
 * native. Imported by db/neon.ts before the driver, so the driver sees it when it loads. Node and
 * the edge (a later compatibility date) already have the global: nothing changes there.
 */
import { Buffer } from "node:buffer";

const scope = globalThis as { Buffer?: unknown };
if (typeof scope.Buffer !== "function") scope.Buffer = Buffer;
