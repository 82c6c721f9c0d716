/** The signing rules as the OpenAPI document states them (securitySchemes.gameServer.description). */
import { SCHEME, WINDOW_SECONDS } from "./signature";

export const SIGNING_DESCRIPTION = [
  "Game servers sign every request with HMAC-SHA256 (docs/game-servers.md). Headers:",
  "X-Bazaar-Key: the key id (gsk_...); X-Bazaar-Timestamp: unix seconds; X-Bazaar-Nonce: 16-64 characters of [A-Za-z0-9_-], new for every request;",
  "Idempotency-Key: on every mutating call; X-Bazaar-Signature: lower-case hex HMAC-SHA256, key = the UTF-8 bytes of the secret, message = the canonical string.",
  "Canonical string: these seven lines joined by \"\\n\" (LF), no trailing newline:",
  `1. ${SCHEME}`,
  "2. the method in upper case (GET, POST, PATCH, DELETE)",
  "3. the path and query exactly as sent (e.g. /api/v1/server/players/<id>/inventory)",
  "4. the timestamp (same string as X-Bazaar-Timestamp)",
  "5. the nonce (same string as X-Bazaar-Nonce)",
  "6. the Idempotency-Key, or an empty line when the request has none",
  "7. the lower-case hex SHA-256 of the exact body bytes (of the empty string when there is no body)",
  `Refused with 401: a missing or malformed header, a timestamp more than ${WINDOW_SECONDS} s from the server's clock (older or in the future), an unknown or revoked key,`,
  "a signature that does not match, a nonce the key already used (a replay). 403: the key's game server lacks the route's scope (x-scope).",
  "A retry of a mutating call is signed again (new timestamp and nonce) with the same Idempotency-Key and body: it gets the first answer (header Idempotent-Replayed: true).",
  "The same Idempotency-Key with another method, path or body is a 409 idempotency_key_reused.",
].join("\n");
