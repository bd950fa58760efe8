/** Shapes shared by the steps of the reverse mapping (ingestion events -> OTel spans). */
import type { Attributes } from '@opentelemetry/api';
import type { ObservationType } from '../schema.js';

/** A trace after all its `trace-create` events were merged with Langfuse's rules. */
export interface MergedTrace {
  /** The Langfuse trace id, as sent. */
  readonly id: string;
  /** Merged TraceBody fields (unknown keys kept). */
  readonly body: Record<string, unknown>;
  /** Envelope ids of the events merged into it, in merge order. */
  readonly eventIds: readonly string[];
  /**
   * Envelope timestamp of its first event: the trace's time when the body has no `timestamp`
   * (as Langfuse does; a Python SDK v2 `trace.update()` sends none).
   */
  readonly envelopeTimestamp?: string;
  /** Resource attributes of the client whose event came first (inputs that mix clients only). */
  readonly resource?: Attributes;
}

/** An observation after all its create and update events were merged with Langfuse's rules. */
export interface MergedObservation {
  /** The Langfuse observation id, as sent. */
  readonly id: string;
  /** From the create event; from the first update when no create arrived. */
  readonly type: ObservationType;
  /** Merged observation body fields (unknown keys kept); `startTime` always set. */
  readonly body: Record<string, unknown>;
  /** False when only updates arrived (an issue was raised). */
  readonly hasCreate: boolean;
  readonly eventIds: readonly string[];
  /** Resource attributes of the client that created it (inputs that mix clients only). */
  readonly resource?: Attributes;
}

export interface MergedScore {
  /** Envelope id of the score-create event. */
  readonly eventId: string;
  /** Envelope timestamp, used when the body has no time of its own. */
  readonly timestamp: string;
  readonly body: Record<string, unknown>;
}

export interface MergeResult {
  /** By Langfuse trace id, in order of first appearance. */
  readonly traces: Map<string, MergedTrace>;
  /** By Langfuse observation id, in order of first appearance. */
  readonly observations: Map<string, MergedObservation>;
  /** Scores are not merged (each score-create stands alone, later ones with the same body.id win). */
  readonly scores: MergedScore[];
  /** `sdk-log` events seen (counted and dropped). */
  readonly sdkLogs: number;
}
