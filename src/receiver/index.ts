/**
 * The receiver (design.md 9): an HTTP server that speaks Langfuse's ingestion API to any Langfuse
 * client (`POST /api/public/ingestion`, Basic auth, per-event 207 answers) and forwards what it
 * gets as OTLP spans, through the pure reverse mapping (IngestionSpanStream).
 *
 * Traces are held until no event for them came in `idleEvents` events, or until the receiver has
 * been quiet for `quietMillis`; then their spans go to the span exporter one export at a time.
 * When more than `maxHeldSpans` spans wait for the exporter, new requests get 503 with
 * Retry-After, so clients keep their data and retry: nothing accepted is dropped silently.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ConfigurationError } from '../config/errors.js';
import { isPlainObject } from '../mapping/json.js';
import type { MappingIssue } from '../mapping/result.js';
import type { AttributeDialect } from '../mapping/to-otel/attributes.js';
import { clientIdentity } from '../mapping/to-otel/index.js';
import { IngestionSpanStream } from '../mapping/to-otel/stream.js';

export interface ReceiverKeyPair {
  readonly publicKey: string;
  readonly secretKey: string;
}

export interface ReceiverOptions {
  /** Where the spans go: any OTel `SpanExporter` (the stock OTLP exporters, a file, memory). */
  readonly exporter: SpanExporter;
  /** Interface to bind. Default `127.0.0.1`; anything else requires `keys`. */
  readonly host?: string;
  /** Port; default 0 (any free port: read `port` on the receiver). */
  readonly port?: number;
  /** Accepted key pairs (Basic auth `publicKey:secretKey`). None: open, loopback only. */
  readonly keys?: readonly ReceiverKeyPair[];
  /** Largest request body, compressed or not, in bytes. Default 5,000,000. */
  readonly maxBodyBytes?: number;
  /** A trace is forwarded once this many events came after its last one. Default 10,000. */
  readonly idleEvents?: number;
  /** Everything held is forwarded once no request came for this long. Default 5,000 ms. */
  readonly quietMillis?: number;
  /** Above this many spans waiting for the exporter, requests get 503. Default 100,000. */
  readonly maxHeldSpans?: number;
  /** Resource `service.name` of the spans. Default: the request's `metadata.sdk_integration`. */
  readonly serviceName?: string;
  /** Attribute keys written: `langfuse`, `genai` or `both` (default). */
  readonly attributes?: AttributeDialect;
}

export interface ReceiverStats {
  readonly requests: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly forwardedSpans: number;
  readonly failedSpans: number;
  readonly heldSpans: number;
}

export interface Receiver {
  /** `http://host:port`, the value for a client's `baseUrl` / `LANGFUSE_BASE_URL`. */
  readonly url: string;
  readonly port: number;
  stats(): ReceiverStats;
  /** Forwards everything held now (normally done after `quietMillis`). */
  flush(): Promise<void>;
  /** Stops accepting, forwards everything held, waits for the exporter, shuts it down. */
  close(): Promise<void>;
}

export const INGESTION_PATH = '/api/public/ingestion';
const DEFAULT_MAX_BODY_BYTES = 5_000_000;
const DEFAULT_IDLE_EVENTS = 10_000;
const DEFAULT_QUIET_MILLIS = 5_000;
const DEFAULT_MAX_HELD_SPANS = 100_000;
const RETRY_AFTER_SECONDS = 5;
/** Client identities with a stream of their own; more share one (bounds memory against odd clients). */
const MAX_CLIENT_STREAMS = 100;
/** How long close() lets requests in flight finish before it cuts the connections. */
const CLOSE_GRACE_MILLIS = 2_000;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** Issue codes that mean Langfuse would refuse the event (per-event 400). */
const REFUSED: ReadonlySet<string> = new Set(['SCHEMA_VIOLATION', 'UNSUPPORTED_EVENT', 'INVALID_ID']);

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

function checkOptions(options: ReceiverOptions): void {
  const host = options.host ?? '127.0.0.1';
  if ((options.keys ?? []).length === 0 && !LOOPBACK.has(host)) {
    throw new ConfigurationError(`Configuration: binding ${host} needs at least one key pair; an open receiver binds loopback only`);
  }
  for (const [name, v] of [
    ['maxBodyBytes', options.maxBodyBytes],
    ['idleEvents', options.idleEvents],
    ['quietMillis', options.quietMillis],
    ['maxHeldSpans', options.maxHeldSpans],
  ] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new ConfigurationError(`Configuration: ${name} must be a positive integer`);
  }
  for (const k of options.keys ?? []) {
    if (k.publicKey === '' || k.secretKey === '') throw new ConfigurationError('Configuration: a key pair has an empty key');
  }
}

/**
 * Basic auth against the configured pairs; the secret is compared in constant time. Returns the
 * public key that passed, undefined when the receiver is open.
 */
function authorize(req: IncomingMessage, keys: readonly ReceiverKeyPair[]): string | undefined {
  if (keys.length === 0) return undefined;
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const publicKey = colon < 0 ? '' : decoded.slice(0, colon);
  const secret = digest(colon < 0 ? '' : decoded.slice(colon + 1));
  let ok = false;
  for (const k of keys) if (k.publicKey === publicKey && timingSafeEqual(digest(k.secretKey), secret)) ok = true;
  if (!ok) throw new HttpError(401, 'Invalid credentials: Basic auth with a configured public and secret key is required');
  return publicKey;
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new HttpError(413, `Request body over ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `Request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return raw;
  if (encoding !== 'gzip') throw new HttpError(415, `Content-Encoding ${encoding} is not supported (identity or gzip)`);
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes * 10 });
  } catch {
    throw new HttpError(400, 'Request body is not valid gzip, or inflates past the limit');
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Starts a receiver; resolves once it listens. */
export async function createReceiver(options: ReceiverOptions): Promise<Receiver> {
  checkOptions(options);
  const keys = options.keys ?? [];
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const quietMillis = options.quietMillis ?? DEFAULT_QUIET_MILLIS;
  const maxHeldSpans = options.maxHeldSpans ?? DEFAULT_MAX_HELD_SPANS;
  const counts = { requests: 0, accepted: 0, rejected: 0, forwardedSpans: 0, failedSpans: 0, heldSpans: 0 };
  // One stream per client identity (SDK, version, integration, public key), so each client's
  // spans carry its own resource attributes.
  const streams = new Map<string, { stream: IngestionSpanStream; lastPush: number }>();
  let closing: Promise<void> | undefined;
  // One export at a time, in order; `tail` settles when everything handed over so far has.
  let tail: Promise<void> = Promise.resolve();

  const logIssues = (issues: readonly MappingIssue[]): void => {
    for (const i of issues) if (!REFUSED.has(i.code)) diag.debug(`otel-langfuse-bridge receiver: ${i.code} ${i.eventId ?? ''} ${i.message}`);
  };

  const forward = (spans: ReadableSpan[]): void => {
    if (spans.length === 0) return;
    counts.heldSpans += spans.length;
    tail = tail.then(async () => {
      const result = await new Promise<ExportResult>((resolve) => {
        try {
          options.exporter.export(spans, resolve);
        } catch (err) {
          resolve({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
        }
      });
      counts.heldSpans -= spans.length;
      if (result.code === ExportResultCode.SUCCESS) counts.forwardedSpans += spans.length;
      else {
        counts.failedSpans += spans.length;
        diag.error(`otel-langfuse-bridge receiver: ${spans.length} spans not forwarded: ${result.error?.message ?? 'export failed'}`);
      }
    });
  };

  /** Forwards what every client stream (or only those quiet since `before`) holds. */
  const flushHeld = (before = Number.POSITIVE_INFINITY): void => {
    for (const entry of streams.values()) {
      if (entry.lastPush > before || entry.stream.openEvents === 0) continue;
      const r = entry.stream.flush();
      logIssues(r.issues);
      forward(r.value);
    }
  };

  // Each client's traces go out once that client has been quiet for `quietMillis`, whatever the
  // others do: a sweep at half that period.
  const sweepTimer = setInterval(() => flushHeld(Date.now() - quietMillis), Math.max(1, Math.floor(quietMillis / 2)));
  sweepTimer.unref();

  /** The stream of the client that sent `req`: request metadata first, then the SDK headers. */
  const streamFor = (req: IncomingMessage, metadata: unknown, authenticated: string | undefined): IngestionSpanStream => {
    // The request's metadata first, the SDK headers where it says nothing, and the key that passed
    // auth over any key a body claims.
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const identity = clientIdentity({
      sdk_integration: header('x-langfuse-sdk-integration'),
      sdk_name: header('x-langfuse-sdk-name'),
      sdk_version: header('x-langfuse-sdk-version'),
      public_key: header('x-langfuse-public-key'),
      ...clientIdentity(metadata),
      ...(authenticated === undefined ? {} : { public_key: authenticated }),
    });
    let key = JSON.stringify(identity);
    if (!streams.has(key) && streams.size >= MAX_CLIENT_STREAMS) key = 'other clients';
    let entry = streams.get(key);
    if (entry === undefined) {
      const stream = new IngestionSpanStream({
        idleEvents: options.idleEvents ?? DEFAULT_IDLE_EVENTS,
        ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
        ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
        ...(key === 'other clients' ? {} : { batchMetadata: identity }),
      });
      entry = { stream, lastPush: 0 };
      streams.set(key, entry);
    }
    entry.lastPush = Date.now();
    return entry.stream;
  };

  const ingest = (req: IncomingMessage, authenticated: string | undefined, body: unknown, res: ServerResponse): void => {
    if (!isPlainObject(body) || !Array.isArray(body.batch)) throw new HttpError(400, 'Invalid request data: expected {"batch": [...], "metadata": {...}}');
    // A body that finished arriving after close() began: the streams are ended, so the client keeps it.
    if (closing !== undefined) throw new HttpError(503, 'Shutting down', { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' });
    const stream = streamFor(req, body.metadata, authenticated);
    const events = body.batch as unknown[];
    const r = stream.push(events);
    const refused = new Map<string, MappingIssue>();
    for (const issue of r.issues) if (REFUSED.has(issue.code) && issue.eventId !== undefined && !refused.has(issue.eventId)) refused.set(issue.eventId, issue);
    logIssues(r.issues);
    const successes: Array<{ id: string; status: number }> = [];
    const errors: Array<{ id: string; status: number; message: string; error?: string }> = [];
    for (const event of events) {
      const id = isPlainObject(event) && typeof event.id === 'string' ? event.id : '';
      const issue = refused.get(id);
      if (issue === undefined && id !== '') successes.push({ id, status: 201 });
      else errors.push({ id, status: 400, message: 'Invalid request data', error: issue?.message ?? 'event without an id' });
    }
    counts.accepted += successes.length;
    counts.rejected += errors.length;
    forward(r.value);
    send(res, 207, { successes, errors });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    counts.requests++;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.endsWith(INGESTION_PATH)) {
      throw new HttpError(404, `Not served here: otel-langfuse-bridge receives POST ${INGESTION_PATH} only (traces, observations, scores); prompts, datasets and the other Langfuse APIs stay with Langfuse`);
    }
    if (req.method !== 'POST') throw new HttpError(405, `Method ${req.method ?? ''} not allowed`, { allow: 'POST' });
    const authenticated = authorize(req, keys);
    if (!String(req.headers['content-type'] ?? '').toLowerCase().includes('application/json')) {
      throw new HttpError(415, 'Content-Type must be application/json');
    }
    if (closing !== undefined) throw new HttpError(503, 'Shutting down', { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' });
    if (counts.heldSpans > maxHeldSpans) {
      throw new HttpError(503, `The OTLP backend is behind (${counts.heldSpans} spans waiting); retry later`, { 'retry-after': String(RETRY_AFTER_SECONDS) });
    }
    const raw = await readBody(req, maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      throw new HttpError(400, 'Invalid JSON');
    }
    ingest(req, authenticated, body, res);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!(err instanceof HttpError)) diag.error(`otel-langfuse-bridge receiver: ${err instanceof Error ? err.message : String(err)}`);
      if (res.headersSent) return;
      // Unread request bytes would otherwise keep the socket busy.
      req.resume();
      send(res, status, { message: err instanceof Error ? err.message : 'Internal error' }, err instanceof HttpError ? err.headers : {});
    });
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  const { port, address } = server.address() as AddressInfo;
  const hostText = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${hostText}:${port}`,
    port,
    stats: () => ({ ...counts }),
    async flush() {
      flushHeld();
      await tail;
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweepTimer);
        // Everything accepted so far goes out now; later requests get 503 and keep their data.
        for (const { stream } of streams.values()) {
          const r = stream.end();
          logIssues(r.issues);
          forward(r.value);
        }
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Keep-alive clients that go on posting are answered `Connection: close`; any connection
        // still open after the grace period is cut.
        const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MILLIS);
        grace.unref();
        await stopped;
        clearTimeout(grace);
        await tail;
        await options.exporter.shutdown();
      })();
      return closing;
    },
  };
}

export { OtlpJsonLinesFileExporter } from './file-exporter.js';
