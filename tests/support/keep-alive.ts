/**
 * Requests sent one after another over ONE kept-alive connection (node:http, maxSockets 1), the way a
 * client's pool reuses a socket: for the servers' answers that must leave it usable (party/drain.ts).
 */
import http from "node:http";

export interface Sent {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export async function onOneSocket(url: string, requests: Sent[]): Promise<{ answers: Array<{ status: number; text: string }>; sockets: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  const send = (r: Sent) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(url, { method: r.method ?? "POST", agent, headers: r.headers ?? {} }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c)).on("end", () => resolve({ status: res.statusCode!, text }));
      });
      req.on("socket", (s) => sockets.add(s)).on("error", reject);
      req.end(r.body);
    });
  try {
    const answers = [];
    for (const r of requests) answers.push(await send(r));
    return { answers, sockets: sockets.size };
  } finally {
    agent.destroy();
  }
}
