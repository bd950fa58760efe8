/**
 * One POST to Langfuse over undici, with every network error and status mapped to a
 * {@link SendOutcome}: what both transports (ingestion batches, OTLP) share. Nothing here retries
 * or throws; `deliver` owns retries, as OTel JS's retrying transport does.
 */
import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import type * as Undici from 'undici';
import { isRetryableStatus } from '../ingestion-api/api.js';
import { parseRetryAfter } from '../ingestion-api/retry-after.js';
import type { SendOutcome } from './types.js';

/** Response bodies are read up to 4 MiB, then the connection is dropped (as OTel JS does). */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

// Node and undici codes for a connection that failed or broke; the request may succeed later.
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH',
  'EHOSTUNREACH', 'ENETDOWN', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_ABORTED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

// undici's own timers and our abort race; either way the request ran out of time.
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** undici, loaded at the first request: importing the package never loads the HTTP client. */
let undici: Promise<typeof Undici> | undefined;
const loadUndici = (): Promise<typeof Undici> => (undici ??= import('undici'));

/** A keep-alive connection pool owned by a transport, or the caller's dispatcher, with its closing. */
export interface Pool {
  /** The dispatcher; an owned Agent is made (and undici loaded) at the first call. */
  dispatcher(): Promise<Dispatcher>;
  /** Closes the pool if the transport owns it; idempotent. */
  close(): Promise<void>;
}

export function createPool(dispatcher?: Dispatcher): Pool {
  let owned: Promise<Dispatcher> | undefined;
  let closed: Promise<void> | undefined;
  return {
    dispatcher: () =>
      dispatcher !== undefined ? Promise.resolve(dispatcher) : (owned ??= loadUndici().then((u) => new u.Agent({ keepAliveTimeout: 10_000 }))),
    close: () => (closed ??= owned ? owned.then((agent) => agent.close()).catch(() => undefined) : Promise.resolve()),
  };
}

/** `HTTP 503 Service Unavailable`. */
export function statusLabel(status: number): string {
  return `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
}

/**
 * POSTs `body`, bounding connect, headers and body together by `timeoutMillis`, and hands the
 * response to `read`. A network error or timeout becomes `retryable` or `failed`; never throws.
 */
export async function post(
  pool: Pool,
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
  timeoutMillis: number,
  read: (res: Dispatcher.ResponseData) => Promise<SendOutcome>,
): Promise<SendOutcome> {
  let request: typeof Undici.request;
  let dispatcher: Dispatcher;
  try {
    [{ request }, dispatcher] = await Promise.all([loadUndici(), pool.dispatcher()]);
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
    return await read(res);
  } catch (err) {
    return errorOutcome(err, controller.signal.aborted, timeout);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The outcome a status alone decides (the body drained, up to the cap, so the socket can be
 * reused): 200-202 `ok`, 408/429/5xx `retryable` (with `Retry-After`), anything else `failed`.
 */
export async function statusOutcome(res: Dispatcher.ResponseData): Promise<SendOutcome> {
  await res.body.dump({ limit: MAX_RESPONSE_BYTES }).catch(() => undefined);
  return outcomeOfStatus(res.statusCode, res.headers['retry-after']);
}

/** What a status alone decides: 200-202 `ok`, 408/429/5xx `retryable` (with `Retry-After`), anything else `failed`. */
export function outcomeOfStatus(status: number, retryAfter: string | string[] | undefined): SendOutcome {
  if (status === 200 || status === 201 || status === 202) return { kind: 'ok' };
  const label = statusLabel(status);
  if (isRetryableStatus(status)) {
    const retryAfterMillis = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now());
    return retryAfterMillis === undefined ? { kind: 'retryable', reason: label } : { kind: 'retryable', reason: label, retryAfterMillis };
  }
  return { kind: 'failed', reason: label, status };
}

/** The whole response body, or undefined when it is larger than the cap or breaks off. */
export async function readCapped(body: Dispatcher.ResponseData['body']): Promise<Buffer | undefined> {
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
  return Buffer.concat(chunks);
}

/** A request that threw: `retryable` when it timed out (`timedOut`, or undici's own timers) or the connection failed, else `failed`. */
export function errorOutcome(err: unknown, timedOut: boolean, timeoutMillis: number): SendOutcome {
  const code = errorCode(err);
  if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return { kind: 'retryable', reason: `request timed out after ${timeoutMillis} ms` };
  }
  if (code !== undefined && RETRYABLE_CODES.has(code)) return { kind: 'retryable', reason: `network error ${code}` };
  return { kind: 'failed', reason: `request failed (${code ?? errorName(err)})` };
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

export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}
