/**
 * A loopback fake of Langfuse's `POST /api/public/ingestion` for exporter tests. By default it
 * validates every event as the server does and answers 207 with per-event results
 * (`langfuse-ingestion.md` §4.3); a script can replace any call's answer by call index with a
 * status, a reset connection, a slow answer or a connection cut in the middle of the body.
 */
import { createServer } from 'node:http';
import { isRecord, listenLoopback, readBody } from './loopback.js';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { parseIngestionEvent } from '../../src/mapping/schema.js';

/** One request as the fake received it. */
export interface RecordedIngestion {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when it is not JSON. */
  readonly body: unknown;
  /** `body.batch` when it is an array, else empty. */
  readonly batch: readonly unknown[];
  /** Size of the request body in bytes. */
  readonly bytes: number;
}

/** An HTTP answer; `body` as a string is sent as text/plain, anything else as JSON. */
export interface PlainReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/**
 * A scripted answer: a plain reply, or a fault: `refuse` destroys the socket before answering,
 * `hang` gives the default answer after `millis`, `reset-mid-body` cuts a 207 body halfway.
 */
export type FakeReply =
  | PlainReply
  | { readonly kind: 'refuse' }
  | { readonly kind: 'hang'; readonly millis: number }
  | { readonly kind: 'reset-mid-body' };

/** Returns the answer for call `callIndex` (0-based), or undefined for the default validation. */
export type FakeScript = (callIndex: number, req: RecordedIngestion) => FakeReply | undefined;

export interface FakeLangfuse {
  /** Origin, e.g. `http://127.0.0.1:41234`: the transport's `baseUrl`. */
  readonly url: string;
  /** Every request in arrival order. */
  readonly requests: RecordedIngestion[];
  /**
   * Envelope ids the fake told a client it accepted, across calls, duplicates kept: listed in
   * `successes` of a 207 (scripted or default) or in the batch of a scripted 200/201/202. An
   * answer written to a socket the client already dropped accepts nothing.
   */
  accepted(): string[];
  /** Stops listening and destroys open sockets and pending slow answers. */
  close(): Promise<void>;
}

/** A 207 with one result per batch element: `decide` returns an error for an event, or undefined for 201. */
export function perEventReply(
  req: RecordedIngestion,
  decide: (event: Record<string, unknown>, index: number) => { status: number; message: string; error?: string } | undefined,
): PlainReply {
  const successes: Array<{ id: string; status: number }> = [];
  const errors: Array<{ id: string; status: number; message: string; error?: string }> = [];
  req.batch.forEach((raw, index) => {
    const event = isRecord(raw) ? raw : {};
    const id = typeof event.id === 'string' ? event.id : 'unknown';
    const err = decide(event, index);
    if (err === undefined) successes.push({ id, status: 201 });
    else errors.push({ id, ...err });
  });
  return { status: 207, body: { successes, errors } };
}

/** What Langfuse answers by default: the server's schema plus the fake's stricter usage check. */
export function validatingReply(req: RecordedIngestion): PlainReply {
  if (!String(req.headers.authorization ?? '').startsWith('Basic ')) {
    return { status: 401, body: { error: 'UnauthorizedError', message: 'Invalid authorization header' } };
  }
  if (!isRecord(req.body) || !Array.isArray(req.body.batch)) {
    return { status: 400, body: { message: 'Invalid request data', errors: ['batch must be an array'] } };
  }
  return perEventReply(req, (raw) => {
    const parsed = parseIngestionEvent(raw);
    const problem = parsed.ok ? usageDetailsProblem(raw) : parsed.message;
    return problem === undefined ? undefined : { status: 400, message: 'Invalid request data', error: problem };
  });
}

/**
 * Stricter than the server on purpose: Langfuse silently drops `usageDetails` values that are not
 * non-negative integers (§2.6); the fake rejects them so a bridge that sends such values fails a test.
 */
function usageDetailsProblem(event: Record<string, unknown>): string | undefined {
  const details = isRecord(event.body) ? event.body.usageDetails : undefined;
  if (!isRecord(details)) return undefined;
  for (const [key, value] of Object.entries(details)) {
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
      return `body.usageDetails.${key}: expected a non-negative integer (fake-langfuse strict check)`;
    }
  }
  return undefined;
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeLangfuse(script: FakeScript = () => undefined): Promise<FakeLangfuse> {
  const requests: RecordedIngestion[] = [];
  const accepted: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const recorded = record(req, raw);
    const callIndex = requests.push(recorded) - 1;
    if (recorded.method !== 'POST' || recorded.path !== '/api/public/ingestion') {
      answer(res, recorded, { status: 404, body: { message: 'Resource not found' } });
      return;
    }
    const reply = script(callIndex, recorded) ?? validatingReply(recorded);
    if (!('kind' in reply)) answer(res, recorded, reply);
    else if (reply.kind === 'refuse') req.socket.destroy();
    else if (reply.kind === 'reset-mid-body') {
      res.writeHead(207, { 'content-type': 'application/json', 'content-length': '4096' });
      res.write('{"successes":[{"id":');
      setImmediate(() => req.socket.destroy());
    } else {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed && !req.socket.destroyed) answer(res, recorded, validatingReply(recorded));
      }, reply.millis);
      timers.add(timer);
    }
  }

  function answer(res: ServerResponse, req: RecordedIngestion, reply: PlainReply): void {
    const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
    const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
    res.writeHead(reply.status, { 'content-type': type, ...reply.headers });
    res.end(text);
    accepted.push(...acceptedIds(req, reply));
  }

  const url = await listenLoopback(server);
  let closing: Promise<void> | undefined;
  return {
    url,
    requests,
    accepted: () => [...accepted],
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function acceptedIds(req: RecordedIngestion, reply: PlainReply): string[] {
  if (reply.status === 207 && isRecord(reply.body) && Array.isArray(reply.body.successes)) {
    return reply.body.successes.flatMap((s: unknown) => (isRecord(s) && typeof s.id === 'string' ? [s.id] : []));
  }
  if (reply.status >= 200 && reply.status <= 202) {
    return req.batch.flatMap((e) => (isRecord(e) && typeof e.id === 'string' ? [e.id] : []));
  }
  return [];
}

function record(req: IncomingMessage, raw: Buffer): RecordedIngestion {
  let body: unknown;
  try {
    body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    body = undefined;
  }
  const batch = isRecord(body) && Array.isArray(body.batch) ? (body.batch as unknown[]) : [];
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  return { method: req.method ?? '', path, headers: req.headers, body, batch, bytes: raw.length };
}


