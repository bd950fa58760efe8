/**
 * spansToIngestion: OTel spans -> Langfuse ingestion events (design.md section 5).
 * Pure: the same spans always give the same events, envelope ids included.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { envelopeId } from '../ids.js';
import type { MappingResult } from '../result.js';
import { IssueSink } from '../result.js';
import type { IngestionEvent, ObservationType } from '../schema.js';
import { OBSERVATION_TYPES } from '../schema.js';
import type { Mapped, ToIngestionOptions } from './traces.js';
import { isObservation, isScoreCarrier, mapSpansByTrace, sortMembers, traceBody } from './traces.js';

export type { ToIngestionOptions } from './traces.js';

/** The create event type per observation type: `GENERATION` -> `generation-create`. */
const CREATE_EVENT_TYPES = Object.fromEntries(OBSERVATION_TYPES.map((t) => [t, `${t.toLowerCase()}-create`])) as Readonly<
  Record<ObservationType, string>
>;

/**
 * Envelope ids are content-derived so a retried or replayed export is deduplicated by Langfuse.
 * An observation comes from one finished span, which never changes: its identity and times stand
 * for its content. Trace-creates of one trace differ between exports (a child's shallow one, the
 * root's full one), and Langfuse stores one file per envelope id, so they hash their whole body.
 */
export function envelope(type: string, body: Record<string, unknown>, timestamp: string, fingerprint?: string): IngestionEvent {
  const id = envelopeId(type, String(body.id), fingerprint ?? JSON.stringify(body));
  return { id, type, timestamp, body } as IngestionEvent;
}

/**
 * Maps finished spans to ingestion events: one `<type>-create` per span and one `trace-create`
 * per trace id. Never throws on bad data: a span that cannot be mapped is skipped with an issue,
 * the others go through. Output is sorted by trace id, then trace-create first, then start time
 * and observation id, so it is byte-stable.
 */
export function spansToIngestion(
  spans: readonly ReadableSpan[],
  options: ToIngestionOptions = {},
): MappingResult<IngestionEvent[]> {
  const sink = new IssueSink();
  const traces = mapSpansByTrace(spans, options, sink);

  const events: IngestionEvent[] = [];
  for (const traceId of [...traces.keys()].sort()) {
    const members = sortMembers(traces.get(traceId) as Mapped[]);
    const updates = members.filter((m) => m.obs.markers.traceUpdate);
    const main = updates.length === 0 ? members : members.filter((m) => !m.obs.markers.traceUpdate);
    // Langfuse's ingestion API creates no trace implicitly: every trace gets a trace-create, at
    // least a shallow one, or its observations stay invisible in trace views. Spans that only
    // carry scores (made by the reverse mapping for scores whose target was elsewhere) do not.
    if (main.some((m) => !isScoreCarrier(m.obs))) {
      const { body, timestamp } = traceBody(traceId, main, sink);
      events.push(envelope('trace-create', body, timestamp));
    }
    // Trace fields that came after the trace was sent: a trace-create of their own, which
    // Langfuse merges over the first by its timestamp.
    for (const m of updates) {
      const { body, timestamp } = traceBody(traceId, [m], sink);
      events.push(envelope('trace-create', body, timestamp));
    }
    for (const m of members) {
      if (isObservation(m.obs)) {
        const startIso = m.view.startIso;
        events.push(envelope(CREATE_EVENT_TYPES[m.obs.type], m.obs.body, startIso, `${traceId} ${startIso} ${String(m.obs.body.endTime)}`));
      }
    }
    for (const m of members) {
      for (const score of m.obs.scores) events.push(envelope('score-create', score.body, score.timestamp));
    }
  }
  return { value: events, issues: sink.issues };
}

