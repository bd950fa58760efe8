/**
 * The receiver's HTTP handler: one straight line of stages (route -> method -> auth -> media type
 * -> capacity (spool room, request bytes in flight) -> body -> parse -> validate -> spool -> 207), each throwing what the client did
 * wrong, and one place that turns it into an answer (./errors.ts). A 201 inside the 207 is given
 * only once the event is durable in the spool.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestClient } from '../../ingestion-api/client.js';
import { clientResource } from '../../mapping/to-otel/index.js';
import { VERSION } from '../../version.js';
import type { Spool } from '../spool/types.js';
import type { Authenticate, Principal } from './auth.js';
import { checkBatch, multiStatus } from './batch.js';
import { readBody } from './body.js';
import type { InFlightBytes } from './in-flight.js';
import { answerFor, unavailable } from './errors.js';
import { parseJsonBody } from './json.js';
import { checkMediaType } from './media-type.js';
import { checkMethod, routeOf } from './route.js';
import type { Route } from './route.js';

/** What a spooled record's `meta` holds: when it came, and from whom. */
export interface RecordMeta {
  /** Receive time, ms since the epoch. */
  readonly at: number;
  /** The client identity (resource of its spans). */
  readonly client: Readonly<Record<string, string>>;
  /** The public key that passed auth: the project its dedupe keys belong to. */
  readonly project?: string;
  /** The forwarding route (Langfuse v4: the client's `Authorization`), when the target routes per client. */
  readonly route?: string;
}

/** Told about every request and event, for metrics and logs. */
export interface HandlerObserver {
  request(route: Route | 'unknown', status: number): void;
  events(counts: { accepted: number; rejected: number; duplicates: number; sdkLogs: number }): void;
  /** A failure of ours (never the client's), with a message free of secrets. */
  failure(message: string): void;
}

export interface HandlerDeps {
  readonly authenticate: Authenticate;
  readonly spool: Pick<Spool, 'append' | 'wouldOverflow'>;
  /** Cap on a body, before and after gunzip. */
  readonly maxBodyBytes: number;
  /** The budget of request bytes held at once (past it, 503). */
  readonly inFlight: InFlightBytes;
  readonly maxDepth: number;
  /** `service.name` of every span, else each client's `sdk_integration`. */
  readonly serviceName?: string;
  readonly now: () => number;
  /** True once shutdown began: new requests get 503 and keep their data. */
  readonly closing: () => boolean;
  /** Prometheus text of the receiver's metrics. */
  readonly metrics: () => Promise<{ contentType: string; text: string }>;
  readonly observe: HandlerObserver;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(status, { 'content-type': type, ...headers }).end(text);
}

export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const ingest = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const principal = await deps.authenticate(req.headers.authorization);
    checkMediaType(req.headers['content-type']);
    if (deps.closing()) throw unavailable('Shutting down; retry later', { connection: 'close' });
    const declared = Number(req.headers['content-length']);
    if (deps.spool.wouldOverflow(Number.isFinite(declared) ? declared : 0)) {
      throw unavailable('The receiver\'s spool is full (the backend is behind); retry later');
    }
    const share = deps.inFlight.open();
    try {
      return await spoolBody(req, res, principal, await readBody(req, deps.maxBodyBytes, share.take));
    } finally {
      share.release();
    }
  };

  const spoolBody = async (req: IncomingMessage, res: ServerResponse, principal: Principal, bytes: Buffer): Promise<number> => {
    const body = parseJsonBody(bytes, deps.maxDepth);
    const metadata = (body as { metadata?: unknown } | null)?.metadata;
    const client = requestClient(req.headers, metadata, principal.publicKey);
    const resource = clientResource({ serviceName: deps.serviceName, batchMetadata: client });
    const batch = checkBatch(body, principal.publicKey, resource);
    let duplicates = 0;
    if (batch.items.length > 0) {
      const meta: RecordMeta = {
        at: deps.now(),
        client: { ...client },
        ...(principal.publicKey === undefined ? {} : { project: principal.publicKey }),
        ...(principal.route === undefined ? {} : { route: principal.route }),
      };
      const { fresh } = await deps.spool.append({ meta: { ...meta }, body: bytes, keys: batch.keys, cached: batch });
      for (const isFresh of fresh) if (!isFresh) duplicates++;
    }
    deps.observe.events({ accepted: batch.accepted.length - duplicates, rejected: batch.errors.length, duplicates, sdkLogs: batch.sdkLogs });
    send(res, 207, multiStatus(batch));
    return 207;
  };

  const answer = async (route: Route, req: IncomingMessage, res: ServerResponse): Promise<number> => {
    checkMethod(route, req.method);
    if (route === 'ingestion') return ingest(req, res);
    if (route === 'health') {
      send(res, 200, { status: 'OK', version: VERSION });
      return 200;
    }
    if (route === 'projects') {
      const principal = await deps.authenticate(req.headers.authorization);
      const id = principal.publicKey ?? 'otel-langfuse-bridge';
      send(res, 200, { data: [{ id, name: 'otel-langfuse-bridge receiver', metadata: {} }] });
      return 200;
    }
    const metrics = await deps.metrics();
    send(res, 200, metrics.text, { 'content-type': metrics.contentType });
    return 200;
  };

  return async (req, res) => {
    let route: Route | 'unknown' = 'unknown';
    let status: number;
    try {
      route = routeOf(req.url);
      status = await answer(route, req, res);
    } catch (err) {
      const a = answerFor(err);
      if (a.internal) deps.observe.failure(err instanceof Error ? err.message : String(err));
      status = a.status;
      if (!res.headersSent) {
        // A body still arriving is not read on (a hostile client could send gigabytes): the
        // connection closes once the answer is out.
        send(res, a.status, { message: a.message }, req.complete ? a.headers : { ...a.headers, connection: 'close' });
      }
    }
    deps.observe.request(route, status);
  };
}
