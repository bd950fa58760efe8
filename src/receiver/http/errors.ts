/**
 * The receiver's one error-to-status map (as the Collector's otlpreceiver has one): every stage
 * throws an HttpError for what the client did wrong, or lets a known condition through (a full
 * spool), and the handler turns it into one answer here.
 */
import { SpoolFullError } from '../spool/types.js';

/** A client-facing failure: status, message (never a secret) and extra headers. */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** Seconds a client is told to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** 503 with Retry-After: the client keeps its events and sends them again later. */
export function unavailable(message: string, extra: Record<string, string> = {}): HttpError {
  return new HttpError(503, message, { 'retry-after': String(RETRY_AFTER_SECONDS), ...extra });
}

export interface ErrorAnswer {
  readonly status: number;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
  /** True for failures of ours (logged as errors), false for the client's. */
  readonly internal: boolean;
}

/** The answer for anything a stage threw. */
export function answerFor(err: unknown): ErrorAnswer {
  if (err instanceof HttpError) return { status: err.status, message: err.message, headers: err.headers, internal: false };
  if (err instanceof SpoolFullError) {
    const full = unavailable('The receiver\'s spool is full (the backend is behind); retry later');
    return { status: full.status, message: full.message, headers: full.headers, internal: false };
  }
  // Our own failure (a disk error while spooling): nothing was acknowledged, so the client retries.
  const failed = unavailable('Internal error: the events were not stored; retry later');
  return { status: 500, message: failed.message, headers: failed.headers, internal: true };
}
