/**
 * workerd (the rooms under partykit dev) breaks a kept-alive connection when an answer goes out with the
 * request's body unread ("can't read more data after a previous read didn't complete"), and the
 * caller's next request on that connection fails; cancelling the body does not help. So refusals
 * (401, 403, 404, 429...) read what is left of it first, up to a bound: past DRAIN_LIMIT bytes the
 * connection is given up rather than reading an abuser's upload.
 */
export const DRAIN_LIMIT = 1 << 20;

export async function afterBodyRead<T>(request: Request, response: T): Promise<T> {
  if (!request.body || request.bodyUsed) return response;
  if (Number(request.headers.get("content-length") ?? 0) > DRAIN_LIMIT) return response;
  const reader = request.body.getReader();
  try {
    for (let read = 0; read <= DRAIN_LIMIT; ) {
      const chunk = await reader.read();
      if (chunk.done) break;
      read += chunk.value.byteLength;
    }
  } catch {
    /* the caller went away: nothing to keep alive */
  } finally {
    reader.releaseLock();
  }
  return response;
}
