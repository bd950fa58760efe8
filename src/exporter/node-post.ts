/**
 * One POST over Node's own `node:http` / `node:https` client, with every network error and status
 * mapped to a {@link SendOutcome} exactly as the undici POST of http-post.ts maps them. The OTLP
 * transport uses it: Node's client is part of Node itself, so the first export loads no HTTP
 * library (undici is about 70 ms of loading and compiling in a fresh process) and the stock
 * OTel exporters' client path is the one a process has usually warmed already. Nothing here
 * retries or throws; `deliver` owns retries.
 */
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import * as http from 'node:http';
import { errorOutcome, MAX_RESPONSE_BYTES, outcomeOfStatus } from './http-post.js';
import type { SendOutcome } from './types.js';

/** How long an idle keep-alive connection is kept, as the undici Agent of http-post.ts keeps it. */
const KEEP_ALIVE_MILLIS = 10_000;

/** A keep-alive connection pool for one origin, made at the first request. */
export interface NodePool {
  readonly url: URL;
  agent(): Agent;
  /** Closes every connection; idempotent. */
  close(): void;
}

type Client = typeof http;

/** `node:https` is loaded at the first https request only (process.getBuiltinModule: Node >= 20.16). */
function clientFor(url: URL): Client {
  return url.protocol === 'https:' ? (process.getBuiltinModule('node:https') as unknown as Client) : http;
}

export function createNodePool(url: string): NodePool {
  const parsed = new URL(url);
  let agent: Agent | undefined;
  return {
    url: parsed,
    agent: () => (agent ??= new (clientFor(parsed).Agent)({ keepAlive: true, timeout: KEEP_ALIVE_MILLIS })),
    close: () => agent?.destroy(),
  };
}

/** The response body, or undefined when it is larger than `MAX_RESPONSE_BYTES` or breaks off. */
export function readBody(res: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (body: Buffer | undefined): void => {
      if (done) return;
      done = true;
      resolve(body);
    };
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        res.destroy();
        finish(undefined);
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => finish(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    res.on('error', () => finish(undefined));
    res.on('close', () => finish(undefined));
  });
}

/** The outcome a status alone decides, once the body is drained (up to the cap) so the connection can be reused. */
export async function nodeStatusOutcome(res: IncomingMessage): Promise<SendOutcome> {
  await readBody(res);
  return outcomeOfStatus(res.statusCode ?? 0, res.headers['retry-after']);
}

/**
 * POSTs `body`, bounding connect, headers and body together by `timeoutMillis`, and hands the
 * response to `read`. A network error or timeout becomes `retryable` or `failed`; never throws.
 */
export function nodePost(
  pool: NodePool,
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
  timeoutMillis: number,
  read: (res: IncomingMessage) => Promise<SendOutcome>,
): Promise<SendOutcome> {
  const timeout = Math.max(1, Math.floor(timeoutMillis));
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    let req: ClientRequest | undefined;
    const finish = (outcome: SendOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const fail = (err: unknown): void => finish(errorOutcome(err, timedOut, timeout));
    const timer = setTimeout(() => {
      timedOut = true;
      req?.destroy();
      finish(errorOutcome(undefined, true, timeout));
    }, timeout);
    timer.unref();
    try {
      const { url } = pool;
      req = clientFor(url).request(
        url,
        { method: 'POST', agent: pool.agent(), headers: { ...headers, 'content-length': String(body.length) } },
        (res) => read(res).then(finish, fail),
      );
      req.on('error', fail);
      req.end(body);
    } catch (err) {
      fail(err);
    }
  });
}
