/**
 * Where the receiver's spans go. A target answers every export with what became of it, so the
 * forwarder knows whether to mark the events done, retry, or dead-letter them: it never throws.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { IngestionEvent } from '../../mapping/schema.js';

/** One export: spans of whole traces, and the ingestion events behind them. */
export interface ExportBatch {
  readonly spans: readonly ReadableSpan[];
  /** The events the spans were made from (scores, dead letters). */
  readonly events: readonly IngestionEvent[];
  /** The forwarding route of every trace in it ('' unless the target routes per client). */
  readonly route: string;
}

export type TargetOutcome =
  | { readonly kind: 'ok' }
  /** May succeed later: network error, timeout, 408, 429, 5xx. */
  | { readonly kind: 'retryable'; readonly reason: string; readonly retryAfterMillis?: number }
  /** Will never succeed as it is (a 4xx other than 408/429): dead-lettered, or split and retried. */
  | { readonly kind: 'refused'; readonly reason: string; readonly status?: number };

export interface ReceiverTarget {
  /** For logs: what it is and where it sends, never a credential. */
  readonly description: string;
  export(batch: ExportBatch): Promise<TargetOutcome>;
  shutdown(): Promise<void>;
}

export function isReceiverTarget(x: unknown): x is ReceiverTarget {
  return typeof x === 'object' && x !== null && typeof (x as ReceiverTarget).description === 'string' && typeof (x as ReceiverTarget).export === 'function';
}
