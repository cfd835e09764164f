import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer; `body` defaults to `{ ok: <2xx> }`. */
export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A request the server received, with its own clock readings. */
export interface ScriptedCall {
  /** `Date.now()` when the request's body had arrived. */
  receivedAt: number;
  /** `Date.now()` just before the answer was written: the client cannot have read it earlier. */
  answeredAt: number;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP server answering from a script, recording every call. */
export interface ScriptedServer {
  url: string;
  /** `host:port`, as outbound breakers and buckets name it. */
  host: string;
  calls: ScriptedCall[];
  /** Queues answers; when the queue is empty, `fallback` answers. */
  reply(...replies: ScriptedReply[]): void;
  stop(): Promise<void>;
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startScriptedServer(
  fallback: ScriptedReply = { status: 200 },
): Promise<ScriptedServer> {
  const queue: ScriptedReply[] = [];
  const calls: ScriptedCall[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const receivedAt = Date.now();
      const reply = queue.shift() ?? fallback;
      const ok = reply.status >= 200 && reply.status < 300;
      calls.push({
        receivedAt,
        answeredAt: Date.now(),
        status: reply.status,
        headers: req.headers,
        body,
      });
      res
        .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        .end(JSON.stringify(reply.body ?? { ok }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    host: `127.0.0.1:${port}`,
    calls,
    reply: (...replies) => void queue.push(...replies),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
