/**
 * A parsed ingestion request body checked event by event, with Langfuse's own rules: every event
 * is validated on its own; a bad one gets a per-event 400 in the 207 and the rest go on. Valid
 * events become merge items (the form the assembler takes, so nothing is validated twice) with a
 * dedupe key each.
 */
import type { Attributes } from '@opentelemetry/api';
import type { IngestionError, IngestionSuccess } from '../../ingestion-api/api.js';
import { isPlainObject } from '../../mapping/json.js';
import { IssueSink } from '../../mapping/result.js';
import type { MergeItem } from '../../mapping/to-otel/merge.js';
import { toMergeItem } from '../../mapping/to-otel/merge.js';
import { HttpError } from './errors.js';

/** What one request's batch holds. */
export interface CheckedBatch {
  /** Valid events, in body order, and their dedupe keys (parallel arrays). */
  readonly items: MergeItem[];
  readonly keys: string[];
  /** `sdk-log` events: accepted and counted, never forwarded (as Langfuse does). */
  readonly sdkLogs: number;
  /** Per-event refusals for the 207 answer. */
  readonly errors: IngestionError[];
  /** Every event's envelope id that is not refused, for the 207 answer's successes. */
  readonly accepted: string[];
  /** The request's `metadata` object (client identity), when it has one. */
  readonly metadata: unknown;
}

/** The dedupe key of an event: envelope ids are unique per project (public key). */
export function dedupeKey(project: string | undefined, envelopeId: string): string {
  return `${project ?? ''}\u0000${envelopeId}`;
}

/**
 * Checks `{batch: [...], metadata}`. Throws 400 when the body is not that shape. `resource` is
 * the client's resource, stamped on every item so spans keep their client in mixed traces.
 */
export function checkBatch(body: unknown, project: string | undefined, resource: Attributes | undefined): CheckedBatch {
  if (!isPlainObject(body) || !Array.isArray(body.batch)) {
    throw new HttpError(400, 'Invalid request data: expected {"batch": [...], "metadata": {...}}');
  }
  const items: MergeItem[] = [];
  const keys: string[] = [];
  const errors: IngestionError[] = [];
  const accepted: string[] = [];
  let sdkLogs = 0;
  for (const raw of body.batch as unknown[]) {
    const sink = new IssueSink();
    const item = toMergeItem(raw, 0, sink, resource);
    const id = isPlainObject(raw) && typeof raw.id === 'string' ? raw.id : '';
    if (item === 'sdk-log') {
      sdkLogs++;
      accepted.push(id);
    } else if (item !== undefined) {
      items.push(item);
      keys.push(dedupeKey(project, item.event.id));
      accepted.push(item.event.id);
    } else {
      const issue = sink.issues[0];
      errors.push({ id, status: 400, message: 'Invalid request data', error: issue?.message ?? 'invalid event' });
    }
  }
  return { items, keys, sdkLogs, errors, accepted, metadata: body.metadata };
}

/** The 207 body: a 201 per accepted event (duplicates included: they are safe), a 400 per refusal. */
export function multiStatus(batch: CheckedBatch): { successes: IngestionSuccess[]; errors: IngestionError[] } {
  return { successes: batch.accepted.map((id) => ({ id, status: 201 })), errors: batch.errors };
}
