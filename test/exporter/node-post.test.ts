/**
 * src/exporter/node-post.ts, the OTLP transport's POST over Node's own client, against loopback
 * servers: what it does with bodies larger than the cap, answers that stop half-way, keep-alive
 * connections and their closing, and https origins.
 */
import { Agent as HttpsAgent } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { MAX_RESPONSE_BYTES } from '../../src/exporter/http-post.js';
import { createNodePool, nodePost, nodeStatusOutcome, readBody } from '../../src/exporter/node-post.js';
import type { SendOutcome } from '../../src/exporter/types.js';
import { listenLoopback, readBody as readRequest } from '../helpers/loopback.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void readRequest(req).then(() => handle(req, res)));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const url = await listenLoopback(server);
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())), () => server.closeAllConnections());
  return { url: `${url}/v1/traces`, sockets };
}

/** Reads the body: `ok` with its size, or `failed` when there was none to read. */
const bodySize = async (res: IncomingMessage): Promise<SendOutcome> => {
  const body = await readBody(res);
  return body === undefined ? { kind: 'failed', reason: 'no body' } : { kind: 'ok', size: body.length } as unknown as SendOutcome;
};

describe('nodePost', () => {
  test('reads a body up to the cap; a larger one is dropped with its connection, never buffered whole', async () => {
    const { url } = await serve((req, res) => {
      const size = Number(req.headers['x-size']);
      res.writeHead(200, { 'content-length': String(size) });
      res.end(Buffer.alloc(size, 0x61));
    });
    const pool = createNodePool(url);
    cleanups.push(() => pool.close());
    const small = await nodePost(pool, { 'x-size': '1000' }, Buffer.from('x'), 5000, bodySize);
    expect(small).toEqual({ kind: 'ok', size: 1000 });
    const large = await nodePost(pool, { 'x-size': String(MAX_RESPONSE_BYTES + 1) }, Buffer.from('x'), 5000, bodySize);
    expect(large).toEqual({ kind: 'failed', reason: 'no body' });
  });

  test('an answer that stops half-way is a timeout, retryable, and the request is not left open', async () => {
    const { url, sockets } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const pool = createNodePool(url);
    cleanups.push(() => pool.close());
    expect(await nodePost(pool, {}, Buffer.from('x'), 150, bodySize)).toEqual({ kind: 'retryable', reason: 'request timed out after 150 ms' });
    await new Promise<void>((resolve) => (sockets.size === 0 ? resolve() : [...sockets][0]?.once('close', () => resolve())));
    expect(sockets.size).toBe(0);
  });

  test('statuses are decided as for the undici POST: drained, then ok, retryable with Retry-After, or failed', async () => {
    const { url } = await serve((req, res) => {
      res.writeHead(Number(req.headers['x-status']), { 'retry-after': '3' });
      res.end('{"message":"no"}');
    });
    const pool = createNodePool(url);
    cleanups.push(() => pool.close());
    const post = (status: number): Promise<SendOutcome> => nodePost(pool, { 'x-status': String(status) }, Buffer.from('x'), 5000, nodeStatusOutcome);
    expect(await post(202)).toEqual({ kind: 'ok' });
    expect(await post(429)).toEqual({ kind: 'retryable', reason: 'HTTP 429 Too Many Requests', retryAfterMillis: 3000 });
    expect(await post(401)).toEqual({ kind: 'failed', reason: 'HTTP 401 Unauthorized', status: 401 });
  });

  test('connections are kept alive between requests and closed by the pool', async () => {
    const { url, sockets } = await serve((_req, res) => res.writeHead(200).end());
    const pool = createNodePool(url);
    for (let i = 0; i < 3; i++) expect(await nodePost(pool, {}, Buffer.from('x'), 5000, nodeStatusOutcome)).toEqual({ kind: 'ok' });
    expect(sockets.size).toBe(1);
    const [socket] = sockets;
    const closed = new Promise<void>((resolve) => socket?.once('close', () => resolve()));
    pool.close();
    await closed;
    expect(sockets.size).toBe(0);
  });

  test('a refused connection is a retryable network error', async () => {
    const server = createServer();
    const url = await listenLoopback(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const pool = createNodePool(`${url}/v1/traces`);
    expect(await nodePost(pool, {}, Buffer.from('x'), 5000, nodeStatusOutcome)).toEqual({ kind: 'retryable', reason: 'network error ECONNREFUSED' });
  });

  test('an https origin gets an https Agent', () => {
    expect(createNodePool('https://cloud.langfuse.com/api/public/otel/v1/traces').agent()).toBeInstanceOf(HttpsAgent);
  });
});
