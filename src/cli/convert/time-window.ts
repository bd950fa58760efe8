/**
 * `--since` / `--until`: keep the traces that start in [since, until). A trace starts at its
 * earliest span among those emitted together (the synthetic root spans them all); spans of a trace
 * emitted later (late events) follow the decision taken for it, remembered for the last 100,000
 * traces.
 */
import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanRecord } from '../../mapping/span-record.js';
import { compareHrTime, parseIso } from '../../mapping/time.js';
import { RecentMap } from '../../mapping/to-otel/recent.js';

export interface TimeWindow {
  readonly since?: HrTime;
  readonly until?: HrTime;
}

const REMEMBERED_TRACES = 100_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO-8601 date-time with an offset, or a date (midnight UTC); undefined when it is neither. */
export function parseWindowTime(text: string): HrTime | undefined {
  return parseIso(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text)?.time;
}

/** What the filter reads of a span: its trace id and its start. */
export interface TraceTimes<S> {
  traceId(span: S): string;
  start(span: S): HrTime;
}

/** Span records (ingestion -> OTLP). */
export const RECORD_TIMES: TraceTimes<SpanRecord> = { traceId: (s) => s.traceId, start: (s) => s.startTime };
/** Readable spans (OTLP -> ingestion). */
export const SPAN_TIMES: TraceTimes<ReadableSpan> = { traceId: (s) => s.spanContext().traceId, start: (s) => s.startTime };

export interface TraceFilter {
  /** The spans of the traces that start in the window. */
  keep<S>(spans: S[], times: TraceTimes<S>): S[];
  readonly skippedTraces: number;
}

/** A filter of spans by their trace's start, and how many traces it has left out. */
export function createTraceFilter(window: TimeWindow): TraceFilter {
  const decided = new RecentMap<string, boolean>(REMEMBERED_TRACES);
  let skippedTraces = 0;
  const inside = (t: HrTime): boolean =>
    (window.since === undefined || compareHrTime(t, window.since) >= 0) && (window.until === undefined || compareHrTime(t, window.until) < 0);
  return {
    get skippedTraces() {
      return skippedTraces;
    },
    keep(spans, times) {
      if (window.since === undefined && window.until === undefined) return spans;
      const starts = new Map<string, HrTime>();
      for (const span of spans) {
        const id = times.traceId(span);
        const start = starts.get(id);
        const own = times.start(span);
        if (start === undefined || compareHrTime(own, start) < 0) starts.set(id, own);
      }
      for (const [id, start] of starts) {
        if (decided.has(id)) continue;
        const keep = inside(start);
        if (!keep) skippedTraces++;
        decided.set(id, keep);
      }
      return spans.filter((span) => decided.get(times.traceId(span)) === true);
    },
  };
}
