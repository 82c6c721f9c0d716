/** A small /api/v1 client for the NPC traders: bearer token, JSON, a bounded wait per request. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Api {
  call<T = Record<string, unknown>>(method: string, path: string, o?: { token?: string; json?: unknown }): Promise<T>;
}

export function httpApi(baseUrl: string, timeoutMs = 10_000): Api {
  return {
    async call<T>(method: string, path: string, o: { token?: string; json?: unknown } = {}): Promise<T> {
      const res = await fetch(`${baseUrl}/api/v1${path}`, {
        method,
        headers: {
          ...(o.json === undefined ? {} : { "content-type": "application/json" }),
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        },
        body: o.json === undefined ? undefined : JSON.stringify(o.json),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        body = { message: text.slice(0, 200) };
      }
      if (!res.ok) {
        const error = (body.error ?? body) as { code?: string; message?: string };
        throw new ApiError(res.status, String(error.code ?? res.status), String(error.message ?? res.statusText));
      }
      return body as T;
    },
  };
}
