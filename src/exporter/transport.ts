/**
 * HTTP transport for `POST <baseUrl>/api/public/ingestion` over undici, mapping every response
 * and network error to a {@link SendOutcome} (contract: `langfuse-ingestion.md` §4). It never
 * retries by itself and never throws; `deliver` owns retries, as OTel JS's retrying transport does.
 */
import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import type * as Undici from 'undici';
import type { z } from 'zod';
import type { IngestionEvent } from '../mapping/schema.js';
import { VERSION } from '../version.js';
import { httpBase } from '../ingestion-api/base-url.js';
import { ConfigurationError } from '../config/errors.js';
import { INGESTION_PATH, ingestionResponseSchema, isRetryableStatus } from '../ingestion-api/api.js';
import type { RejectedEvent } from '../ingestion-api/api.js';
import { parseRetryAfter } from '../ingestion-api/retry-after.js';
import { requestBodyParts } from '../ingestion-api/split.js';
import type { IngestionTransport, SendOutcome } from './types.js';

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** Langfuse origin, optionally with a path prefix, e.g. `https://cloud.langfuse.com`. */
  readonly baseUrl: string;
  readonly publicKey: string;
  /** Only ever sent inside the `Authorization` header. */
  readonly secretKey: string;
  /** Extra request headers; they cannot replace auth, content type or the `x-langfuse-*` headers. */
  readonly headers?: Record<string, string>;
  /** Merged into the request body's `metadata`. */
  readonly metadata?: Record<string, unknown>;
  /** Dispatcher to use instead of an owned keep-alive `Agent`; the caller then closes it. */
  readonly dispatcher?: Dispatcher;
}

/** SDK name sent in headers and body metadata. */
export const SDK_NAME = 'otel-langfuse-bridge';
/** Response bodies are read up to 4 MiB, then the connection is dropped (as OTel JS does). */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Per-event messages from a 207 are cut to 300 characters. */
export const MAX_EVENT_MESSAGE_CHARS = 300;

// Node and undici codes for a connection that failed or broke; the request may succeed later.
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH',
  'EHOSTUNREACH', 'ENETDOWN', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_ABORTED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

// undici's own timers and our abort race; either way the request ran out of time.
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Creates a transport that POSTs ingestion batches with Basic auth (`publicKey:secretKey`) over a
 * keep-alive undici `Agent` it owns and closes on `shutdown()` (unless `dispatcher` is given).
 * `send(events, timeoutMillis)` bounds connect, headers and body together by `timeoutMillis`.
 * @throws ConfigurationError when `baseUrl` is not an http(s) URL or a key is empty.
 */
export function createHttpTransport(options: HttpTransportOptions): IngestionTransport {
  const url = ingestionUrl(options.baseUrl);
  if (options.publicKey === '') throw new ConfigurationError('Configuration: publicKey is empty');
  if (options.secretKey === '') throw new ConfigurationError('Configuration: secretKey is empty');
  const secret = options.secretKey;
  const auth = Buffer.from(`${options.publicKey}:${secret}`).toString('base64');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  Object.assign(headers, {
    'content-type': 'application/json',
    authorization: `Basic ${auth}`,
    'x-langfuse-sdk-name': SDK_NAME,
    'x-langfuse-sdk-version': VERSION,
    'x-langfuse-public-key': options.publicKey,
  });
  // The owned keep-alive Agent is made at the first send: undici loads only once something is sent.
  let owned: Promise<Dispatcher> | undefined;
  const dispatcherNow = (): Promise<Dispatcher> =>
    options.dispatcher !== undefined ? Promise.resolve(options.dispatcher) : (owned ??= loadUndici().then((u) => new u.Agent({ keepAliveTimeout: 10_000 })));
  let closed: Promise<void> | undefined;

  async function send(
    events: readonly IngestionEvent[],
    timeoutMillis: number,
    batchPieces?: readonly string[],
  ): Promise<SendOutcome> {
    if (closed) return { kind: 'failed', reason: 'transport is shut down' };
    let body: Buffer;
    try {
      const batch = batchPieces ?? events.map((e) => JSON.stringify(e));
      const metadata = JSON.stringify({
        batch_size: events.length,
        sdk_integration: SDK_NAME,
        sdk_name: SDK_NAME,
        sdk_version: VERSION,
        public_key: options.publicKey,
        ...options.metadata,
      });
      // Reusing the events' text when given.
      body = utf8Concat(requestBodyParts(batch, metadata));
    } catch (err) {
      return { kind: 'failed', reason: `request body could not be serialized (${errorName(err)})` };
    }
    let request: typeof Undici.request;
    let dispatcher: Dispatcher;
    try {
      [{ request }, dispatcher] = await Promise.all([loadUndici(), dispatcherNow()]);
    } catch (err) {
      return { kind: 'failed', reason: `HTTP client could not be loaded (${errorName(err)})` };
    }
    const timeout = Math.max(1, Math.floor(timeoutMillis));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    timer.unref();
    try {
      const res = await request(url, {
        dispatcher, method: 'POST', headers, body, signal: controller.signal, headersTimeout: timeout, bodyTimeout: timeout,
      });
      return await toOutcome(res, secret);
    } catch (err) {
      const code = errorCode(err);
      if (controller.signal.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
        return { kind: 'retryable', reason: `request timed out after ${timeout} ms` };
      }
      if (code !== undefined && RETRYABLE_CODES.has(code)) return { kind: 'retryable', reason: `network error ${code}` };
      return { kind: 'failed', reason: `request failed (${code ?? errorName(err)})` };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    send,
    shutdown: () => (closed ??= owned ? owned.then((agent) => agent.close()).catch(() => undefined) : Promise.resolve()),
  };
}

let undici: Promise<typeof Undici> | undefined;
/** undici (about 100 modules) is loaded at the first send, not when the package is imported. */
const loadUndici = (): Promise<typeof Undici> => (undici ??= import('undici'));

/**
 * The pieces as one UTF-8 buffer, written piece by piece: joined into one string first, they
 * would be copied into one more string (a large one gets pages of its own) before encoding.
 */
function utf8Concat(pieces: readonly string[]): Buffer {
  let size = 0;
  for (const piece of pieces) size += Buffer.byteLength(piece, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const piece of pieces) at += out.write(piece, at, 'utf8');
  return out;
}

function ingestionUrl(baseUrl: string): string {
  const base = httpBase(baseUrl);
  if (base === undefined) throw new ConfigurationError('Configuration: baseUrl must be an http(s) URL (actual: not one)');
  return `${base}${INGESTION_PATH}`;
}

async function toOutcome(res: Dispatcher.ResponseData, secret: string): Promise<SendOutcome> {
  const status = res.statusCode;
  const label = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  if (status !== 207) {
    // Only the status matters; drain (up to the cap) so the socket can be reused.
    await res.body.dump({ limit: MAX_RESPONSE_BYTES }).catch(() => undefined);
    if (status === 200 || status === 201 || status === 202) return { kind: 'ok' };
    if (isRetryableStatus(status)) {
      const header = res.headers['retry-after'];
      const retryAfterMillis = parseRetryAfter(Array.isArray(header) ? header[0] : header, Date.now());
      if (retryAfterMillis === undefined) return { kind: 'retryable', reason: label };
      return { kind: 'retryable', reason: label, retryAfterMillis };
    }
    return { kind: 'failed', reason: label, status };
  }
  const text = await readCapped(res.body);
  const parsed = text === undefined ? undefined : parseJson207(text);
  if (parsed === undefined) return { kind: 'retryable', reason: 'HTTP 207 with an unreadable body' };
  if (parsed.errors.length === 0) return { kind: 'ok' };
  const retryable: string[] = [];
  const rejected: RejectedEvent[] = [];
  for (const e of parsed.errors) {
    if (isRetryableStatus(e.status)) retryable.push(e.id);
    else rejected.push({ id: e.id, status: e.status, message: eventMessage(e.message, e.error, secret) });
  }
  return { kind: 'partial', retryable, rejected };
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_RESPONSE_BYTES) {
        body.destroy();
        return undefined;
      }
      chunks.push(buf);
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson207(text: string): z.infer<typeof ingestionResponseSchema> | undefined {
  try {
    const result = ingestionResponseSchema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** `"<message>: <error>"` from a per-event error, capped; the secret is blanked should it appear. */
function eventMessage(message: unknown, error: unknown, secret: string): string {
  const parts = [message, error]
    .filter((p) => p !== undefined && p !== null && p !== '')
    .map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
  const text = parts.join(': ').split(secret).join('[redacted]');
  return text.length > MAX_EVENT_MESSAGE_CHARS ? `${text.slice(0, MAX_EVENT_MESSAGE_CHARS - 1)}…` : text || 'no message';
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const { code, cause, errors, message } = e as { code?: unknown; cause?: unknown; errors?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (message === 'socket hang up') return 'ECONNRESET';
    e = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
