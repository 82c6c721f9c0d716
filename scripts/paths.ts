import { fileURLToPath } from "node:url";

/** The repository root (scripts/..), whatever the current directory. */
export const repoRoot = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
