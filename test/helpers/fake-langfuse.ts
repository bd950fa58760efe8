/**
 * A loopback fake of Langfuse for exporter and receiver tests, reusable as the one server of a
 * test: `POST /api/public/ingestion` validates every event as the server does and answers 207 with
 * per-event results (`langfuse-ingestion.md` §4.3), or, in Langfuse v4's `events_only` mode (what
 * Cloud runs), refuses every event but `score-create`; `POST /api/public/otel/v1/traces` is
 * Langfuse v4's OTLP endpoint (fake-langfuse-otlp.ts); `GET /api/public/projects` checks a key
 * pair. A script can replace any call's answer by call index (over all routes) with a status, a
 * reset connection, a slow answer or a connection cut in the middle of the body.
 */
import { createServer } from 'node:http';
import { isRecord, listenLoopback, readBody } from './loopback.js';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { parseIngestionEvent } from '../../src/mapping/schema.js';
import { OTLP_TRACES_PATH, otlpVerdict } from './fake-langfuse-otlp.js';
import type { StoredSpan } from './fake-langfuse-otlp.js';

export type { StoredSpan } from './fake-langfuse-otlp.js';

/** The ingestion endpoint's path. */
export const INGESTION_PATH = '/api/public/ingestion';
/** The project of a key pair (the Python SDK's `auth_check()`). */
export const PROJECTS_PATH = '/api/public/projects';

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
  /** The request body as received. */
  readonly raw: Buffer;
}

/** An HTTP answer; `body` as a string is sent as text/plain, bytes as they are, anything else as JSON. */
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

/** A key pair the fake knows, and the project it selects. */
export interface FakeKeyPair {
  readonly publicKey: string;
  readonly secretKey: string;
  /** Default `project-<publicKey>`. */
  readonly projectId?: string;
}

export interface FakeLangfuseOptions {
  /**
   * `'all'` (default): the ingestion endpoint takes every event type (self-hosted v2/v3, v4 in
   * `legacy`/`dual` write mode). `'scores-only'`: Langfuse Cloud and v4's default `events_only`
   * mode: every event but `score-create` gets a per-event 400 "Event type not accepted".
   */
  readonly ingestion?: 'all' | 'scores-only';
  /** When given, only these pairs pass Basic auth (401 otherwise); else any Basic header does. */
  readonly keyPairs?: readonly FakeKeyPair[];
}

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
  /** Every span the OTLP endpoint stored (answered 200), in arrival order, duplicates kept. */
  otlpSpans(): StoredSpan[];
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

/** Langfuse v4's per-event refusal in `events_only` mode (web/src/pages/api/public/ingestion.ts). */
function notAccepted(type: unknown): { status: number; message: string; error: string } {
  const name = typeof type === 'string' ? type : 'unknown';
  return {
    status: 400,
    message: 'Event type not accepted',
    error: `Event type "${name}" is not accepted by /api/public/ingestion when LANGFUSE_MIGRATION_V4_WRITE_MODE is events_only. This endpoint only accepts score events.`,
  };
}

const UNAUTHORIZED: PlainReply = { status: 401, body: { error: 'UnauthorizedError', message: 'Invalid authorization header' } };

/** The key pair of a Basic authorization header, or undefined. */
function basicPair(headers: IncomingHttpHeaders): { publicKey: string; secretKey: string } | undefined {
  const value = String(headers.authorization ?? '');
  if (!value.startsWith('Basic ')) return undefined;
  const text = Buffer.from(value.slice(6), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { publicKey: text.slice(0, colon), secretKey: text.slice(colon + 1) };
}

/** The known pair a request authenticates as (any Basic pair when none are configured), or undefined. */
function authenticate(headers: IncomingHttpHeaders, options: FakeLangfuseOptions): FakeKeyPair | undefined {
  const pair = basicPair(headers);
  if (pair === undefined || options.keyPairs === undefined) return pair;
  return options.keyPairs.find((k) => k.publicKey === pair.publicKey && k.secretKey === pair.secretKey);
}

/** What Langfuse answers by default: the server's schema plus the fake's stricter usage check. */
export function validatingReply(req: RecordedIngestion, options: FakeLangfuseOptions = {}): PlainReply {
  if (authenticate(req.headers, options) === undefined) return UNAUTHORIZED;
  if (!isRecord(req.body) || !Array.isArray(req.body.batch)) {
    return { status: 400, body: { message: 'Invalid request data', errors: ['batch must be an array'] } };
  }
  return perEventReply(req, (raw) => {
    if (options.ingestion === 'scores-only' && raw.type !== 'score-create') return notAccepted(raw.type);
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

/** Langfuse's default answer on each route. */
function defaultReply(req: RecordedIngestion, options: FakeLangfuseOptions): PlainReply & { stores?: readonly StoredSpan[] } {
  if (req.method === 'POST' && req.path === INGESTION_PATH) return validatingReply(req, options);
  if (req.method === 'POST' && req.path === OTLP_TRACES_PATH) {
    if (authenticate(req.headers, options) === undefined) return UNAUTHORIZED;
    const verdict = otlpVerdict(req.headers, req.raw);
    return { status: verdict.status, body: verdict.body, stores: verdict.spans };
  }
  if (req.method === 'GET' && req.path === PROJECTS_PATH) {
    const pair = authenticate(req.headers, options);
    if (pair === undefined) return UNAUTHORIZED;
    const id = 'projectId' in pair && pair.projectId !== undefined ? pair.projectId : `project-${pair.publicKey}`;
    return { status: 200, body: { data: [{ id, name: id, metadata: {} }] } };
  }
  return { status: 404, body: { message: 'Resource not found' } };
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeLangfuse(script: FakeScript = () => undefined, options: FakeLangfuseOptions = {}): Promise<FakeLangfuse> {
  const requests: RecordedIngestion[] = [];
  const accepted: string[] = [];
  const spans: StoredSpan[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const recorded = record(req, raw);
    const callIndex = requests.push(recorded) - 1;
    const reply = script(callIndex, recorded) ?? defaultReply(recorded, options);
    if (!('kind' in reply)) answer(res, recorded, reply);
    else if (reply.kind === 'refuse') req.socket.destroy();
    else if (reply.kind === 'reset-mid-body') {
      res.writeHead(207, { 'content-type': 'application/json', 'content-length': '4096' });
      res.write('{"successes":[{"id":');
      setImmediate(() => req.socket.destroy());
    } else {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed && !req.socket.destroyed) answer(res, recorded, defaultReply(recorded, options));
      }, reply.millis);
      timers.add(timer);
    }
  }

  function answer(res: ServerResponse, req: RecordedIngestion, reply: PlainReply & { stores?: readonly StoredSpan[] }): void {
    const raw = reply.body instanceof Uint8Array;
    const text = raw || typeof reply.body === 'string' ? (reply.body as string | Uint8Array) : reply.body === undefined ? '' : JSON.stringify(reply.body);
    const type = raw ? 'application/octet-stream' : typeof reply.body === 'string' ? 'text/plain' : 'application/json';
    res.writeHead(reply.status, { 'content-type': type, ...reply.headers });
    res.end(text);
    if (req.path === INGESTION_PATH) accepted.push(...acceptedIds(req, reply));
    if (reply.stores !== undefined) spans.push(...reply.stores);
  }

  const url = await listenLoopback(server);
  let closing: Promise<void> | undefined;
  return {
    url,
    requests,
    accepted: () => [...accepted],
    otlpSpans: () => [...spans],
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
  return { method: req.method ?? '', path, headers: req.headers, body, batch, bytes: raw.length, raw };
}


