/**
 * HTTP transport for `POST <baseUrl>/api/public/ingestion` over undici, mapping every response
 * and network error to a {@link SendOutcome} (contract: `langfuse-ingestion.md` §4). It never
 * retries by itself and never throws; `deliver` owns retries, as OTel JS's retrying transport does.
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { IngestionEvent } from '../mapping/schema.js';
import { VERSION } from '../version.js';
import { httpBase } from '../ingestion-api/base-url.js';
import { ConfigurationError } from '../config/errors.js';
import { INGESTION_PATH, ingestionResponseSchema, isRetryableStatus } from '../ingestion-api/api.js';
import type { RejectedEvent } from '../ingestion-api/api.js';
import { requestBodyParts } from '../ingestion-api/split.js';
import { createPool, errorName, post, readCapped, statusOutcome } from './http-post.js';
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
/** Per-event messages from a 207 are cut to 300 characters. */
export const MAX_EVENT_MESSAGE_CHARS = 300;

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
  const pool = createPool(options.dispatcher);
  let closed = false;

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
    return post(pool, url, headers, body, timeoutMillis, (res) => toOutcome(res, secret));
  }

  return {
    send,
    shutdown: () => {
      closed = true;
      return pool.close();
    },
  };
}

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
  if (res.statusCode !== 207) return statusOutcome(res);
  const raw = await readCapped(res.body);
  const parsed = raw === undefined ? undefined : parseJson207(raw.toString('utf8'));
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
