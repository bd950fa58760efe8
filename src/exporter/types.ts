/** Shapes shared by the parts of the exporter (OTel spans -> Langfuse ingestion API). */
import type { RejectedEvent } from '../ingestion-api/api.js';
import type { IngestionEvent } from '../mapping/schema.js';

/**
 * What one POST achieved. Transports never throw: every outcome is a value (as in OTel JS's
 * `export-response.ts`).
 * - `ok`: every event of the request was accepted (201 / 207 without errors).
 * - `partial`: a 207 with per-event errors: `retryable` envelope ids (429 / 5xx) and `rejected` ones.
 * - `retryable`: the whole request may succeed later (network error, timeout, 429, 5xx), optionally
 *   after `retryAfterMillis` (from `Retry-After`).
 * - `failed`: the whole request will never succeed (400, 401, 403, 413, ...).
 */
export type SendOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'partial'; readonly retryable: readonly string[]; readonly rejected: readonly RejectedEvent[] }
  | { readonly kind: 'retryable'; readonly reason: string; readonly retryAfterMillis?: number }
  | { readonly kind: 'failed'; readonly reason: string; readonly status?: number };

/** Sends one ingestion request body. */
export interface IngestionTransport {
  /**
   * POSTs `{ batch: events, metadata }`; resolves (never rejects) with the outcome.
   * `batchPieces`, when given, is the events' JSON already made (by the size split), in pieces of
   * comma-joined event texts: `[${batchPieces.join(',')}]` is `JSON.stringify(events)`.
   */
  send(events: readonly IngestionEvent[], timeoutMillis: number, batchPieces?: readonly string[]): Promise<SendOutcome>;
  shutdown(): Promise<void>;
}

/** The result of delivering one export call's events, with retries, before the deadline. */
export interface DeliveryReport {
  /** Envelope ids Langfuse accepted. */
  readonly accepted: readonly string[];
  /** Events refused for good. */
  readonly rejected: readonly RejectedEvent[];
  /** Envelope ids still not delivered when the deadline passed or a permanent error stopped it. */
  readonly undelivered: readonly string[];
  /** Why not everything was accepted; undefined when everything was. Never contains a secret. */
  readonly error?: Error;
}
