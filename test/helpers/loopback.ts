/** What every loopback fake server in the tests shares: bind 127.0.0.1 on port 0, read bodies. */
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export { isPlainObject as isRecord } from '../../src/mapping/json.js';

/** Starts `server` on 127.0.0.1, any free port; resolves with its base URL. */
export async function listenLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface OtlpServer {
  /** The traces URL, `http://127.0.0.1:<port>/v1/traces`. */
  readonly url: string;
  readonly requests: Array<{ path: string; headers: IncomingHttpHeaders; body: Buffer }>;
  close(): Promise<void>;
}

/** A loopback OTLP/HTTP receiver that records every POST and answers it with `status`. */
export async function startOtlpServer(status = 200): Promise<OtlpServer> {
  const requests: OtlpServer['requests'] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const base = await listenLoopback(server);
  return { url: `${base}/v1/traces`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface ScriptedOtlpServer extends OtlpServer {
  /** Requests being answered right now, and the most there ever were at once. */
  readonly inFlight: { now: number; max: number };
}

/**
 * A loopback OTLP/HTTP receiver whose answer to each POST `answer(index)` decides: a status, and
 * how long to wait before giving it. Records every POST (refused ones too).
 */
export async function startScriptedOtlpServer(answer: (index: number) => { status: number; delayMillis?: number }): Promise<ScriptedOtlpServer> {
  const requests: OtlpServer['requests'] = [];
  const inFlight = { now: 0, max: 0 };
  const accepted: OtlpServer['requests'] = [];
  const server = createServer((req, res) => {
    inFlight.now++;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    void readBody(req).then((body) => {
      const { status, delayMillis = 0 } = answer(requests.length);
      const recorded = { path: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      setTimeout(() => {
        inFlight.now--;
        if (status === 200) accepted.push(recorded);
        res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end();
      }, delayMillis);
    });
  });
  const base = await listenLoopback(server);
  return {
    url: `${base}/v1/traces`,
    requests: accepted,
    inFlight,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
