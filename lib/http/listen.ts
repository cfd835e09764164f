import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on host:port (0 = any free port) and resolves with the base URL. */
export function listen(server: Server, port: number, host: string): Promise<string> {
  // Idle keep-alive sockets outlive every client's (Apollo's fetcher frees them after 4 s): the
  // client always closes first, so it never sends on a socket the server is closing (a mutation
  // failed with "socket hang up" under load with Node's 5 s default).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // A burst of thousands of WebSocket handshakes overflows Node's default backlog of 511.
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const hostname = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${hostname}:${address.port}`);
    });
  });
}

/** Stops accepting connections, lets in-flight requests finish, then closes idle keep-alive sockets. */
export function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
