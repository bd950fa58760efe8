/**
 * Loopback fakes for the package test, copied into each consumer project (they use node:http only):
 * a Langfuse that takes both of its trace endpoints, and an OTLP/HTTP sink.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/** Langfuse's legacy ingestion endpoint (207, every event accepted) and its OTLP endpoint (200). */
export const INGESTION_PATH = '/api/public/ingestion';
export const LANGFUSE_OTLP_PATH = '/api/public/otel/v1/traces';

async function start(answer: (r: Received) => { status: number; type: string; body: string | Buffer }): Promise<FakeServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', path: (req.url ?? '/').split('?')[0] ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      const a = answer(r);
      res.writeHead(a.status, { 'content-type': a.type }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An empty ExportTraceServiceResponse: full success. */
const OTLP_OK = { status: 200, type: 'application/x-protobuf', body: Buffer.alloc(0) };

export function startFakeLangfuse(): Promise<FakeServer> {
  return start((r) => {
    if (r.method === 'POST' && r.path === LANGFUSE_OTLP_PATH) return OTLP_OK;
    if (r.method !== 'POST' || r.path !== INGESTION_PATH) return { status: 404, type: 'application/json', body: '{"message":"not found"}' };
    const batch = (JSON.parse(r.body.toString('utf8')) as { batch: Array<{ id: string }> }).batch;
    return { status: 207, type: 'application/json', body: JSON.stringify({ successes: batch.map((e) => ({ id: e.id, status: 201 })), errors: [] }) };
  });
}

export function startOtlpSink(): Promise<FakeServer> {
  return start(() => OTLP_OK);
}
