/** The game-server side of the economy (issue 17, ADR 015). */
export * from "./scopes";
export * from "./servers";
export * from "./idempotency";
export * from "./limits";
export * from "./grants";
export * from "./catalog";
export * from "./freeze";
export { metadataProblem, schemaProblem } from "./metadata";
