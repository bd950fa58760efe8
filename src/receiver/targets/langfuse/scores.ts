/**
 * Scores for Langfuse v4 go through the ingestion endpoint (the only events it still takes there),
 * pointed at the ids Langfuse stores for the spans: the hex OTel trace and span ids the mapping
 * derived from the Langfuse ids (design.md §3). Everything else about a score is left as sent.
 */
import { toOtelSpanId, toOtelTraceId } from '../../../mapping/ids.js';
import type { IngestionEvent } from '../../../mapping/schema.js';

/** The score-create events of an export, their `traceId` / `observationId` rewritten. */
export function scoresForLangfuse(events: readonly IngestionEvent[]): IngestionEvent[] {
  const out: IngestionEvent[] = [];
  for (const event of events) {
    if (event.type !== 'score-create') continue;
    const body = { ...(event.body as Record<string, unknown>) };
    if (typeof body.traceId === 'string' && body.traceId !== '') body.traceId = toOtelTraceId(body.traceId);
    if (typeof body.observationId === 'string' && body.observationId !== '') body.observationId = toOtelSpanId(body.observationId);
    out.push({ ...event, body } as IngestionEvent);
  }
  return out;
}
