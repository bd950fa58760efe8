/**
 * Small builders for the to-ingestion tests: one span from a partial span dump, mapped alone or
 * with others. Fixed ids and times so expected values can be written as literals.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { MappingIssue } from '../../../src/mapping/result.js';
import type { IngestionEvent } from '../../../src/mapping/schema.js';
import type { SpanDump } from '../../../src/mapping/span-dump.js';
import { spanDumpToReadableSpans } from '../../../src/mapping/span-dump.js';
import type { ToIngestionOptions } from '../../../src/mapping/to-ingestion/index.js';
import { spansToIngestion } from '../../../src/mapping/to-ingestion/index.js';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const SPAN_ID = '00f067aa0ba902b7';
export const PARENT_ID = '53995c3f42cd8ad8';
/** 2026-11-24T20:08:40.559Z */
export const START: [number, number] = [1795550920, 559_000_000];
export const START_ISO = '2026-11-24T20:08:40.559Z';
/** 2026-11-24T20:08:40.733Z */
export const END: [number, number] = [1795550920, 733_000_000];
export const END_ISO = '2026-11-24T20:08:40.733Z';

export type Body = Record<string, unknown> & { metadata?: Record<string, unknown> };

/** One ReadableSpan from a partial span dump (name `op`, fixed ids and times unless given). */
export function span(dump: Partial<SpanDump> = {}): ReadableSpan {
  const result = spanDumpToReadableSpans({
    name: 'op',
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    startTime: START,
    endTime: END,
    ...dump,
  });
  if (result.issues.length > 0 || result.value.length !== 1) {
    throw new Error(`bad test span: ${JSON.stringify(result.issues)}`);
  }
  return result.value[0] as ReadableSpan;
}

export interface Mapped {
  events: IngestionEvent[];
  issues: readonly MappingIssue[];
  /** Bodies of the trace-create events. */
  traces: Body[];
  /** The non-trace events. */
  observations: Array<{ type: string; body: Body }>;
}

export function mapSpans(spans: readonly ReadableSpan[], options?: ToIngestionOptions): Mapped {
  const { value, issues } = spansToIngestion(spans, options);
  return {
    events: value,
    issues,
    traces: value.filter((e) => e.type === 'trace-create').map((e) => e.body as Body),
    observations: value.filter((e) => e.type !== 'trace-create').map((e) => ({ type: e.type, body: e.body as Body })),
  };
}

/** Maps one span and returns its observation event, its trace body and the issues. */
export function mapOne(
  dump: Partial<SpanDump> = {},
  options?: ToIngestionOptions,
): { type: string; body: Body; trace: Body; issues: readonly MappingIssue[] } {
  const m = mapSpans([span(dump)], options);
  const [obs] = m.observations;
  const [trace] = m.traces;
  if (m.observations.length !== 1 || m.traces.length !== 1 || !obs || !trace) {
    throw new Error(`expected one observation and one trace, got ${JSON.stringify(m.events.map((e) => e.type))}`);
  }
  return { type: obs.type, body: obs.body, trace, issues: m.issues };
}

/** The leftover span attributes Langfuse would show under `metadata.attributes`. */
export function leftovers(body: Body): Record<string, unknown> {
  return (body.metadata?.attributes as Record<string, unknown> | undefined) ?? {};
}
