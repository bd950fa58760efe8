/**
 * The receiver's HTTP server: node:http with limits of its own, so a slow or greedy client gets a
 * bounded answer: headers within `headersTimeoutMillis`, the whole request within
 * `requestTimeoutMillis`, idle keep-alive sockets closed, at most `maxConnections` at once.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServerLimits {
  readonly headersTimeoutMillis: number;
  readonly requestTimeoutMillis: number;
  readonly keepAliveTimeoutMillis: number;
  readonly maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMillis: 10_000,
  requestTimeoutMillis: 30_000,
  keepAliveTimeoutMillis: 5_000,
  maxConnections: 1_024,
};

export interface Listening {
  readonly server: Server;
  readonly port: number;
  /** `http://host:port` (IPv6 in brackets). */
  readonly url: string;
}

export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  host: string,
  port: number,
  limits: ServerLimits,
): Promise<Listening> {
  const server = createServer(
    { headersTimeout: limits.headersTimeoutMillis, requestTimeout: limits.requestTimeoutMillis, keepAliveTimeout: limits.keepAliveTimeoutMillis },
    (req, res) => void handler(req, res),
  );
  server.maxConnections = limits.maxConnections;
  server.listen(port, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  const address = server.address() as AddressInfo;
  const hostText = address.address.includes(':') ? `[${address.address}]` : address.address;
  return { server, port: address.port, url: `http://${hostText}:${address.port}` };
}
