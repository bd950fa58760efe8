/** Shared views of spans and recorded batches for tests that compare whole outputs. */
import { readFileSync } from 'node:fs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

type Json = Record<string, unknown>;

/** The recorded request bodies (`{ batch, metadata }`) of test/fixtures/batches/<file>. */
export function recordedRequests(file: string): Json[] {
  const raw = JSON.parse(readFileSync(new URL(`../fixtures/batches/${file}`, import.meta.url), 'utf8')) as Json | Json[];
  return Array.isArray(raw) ? raw : [raw];
}

/** Their events, in order. */
export function recordedEvents(file: string): Json[] {
  return recordedRequests(file).flatMap((r) => r.batch as Json[]);
}

/** Everything a span carries that an OTLP backend sees, as plain data. */
export function spanView(s: ReadableSpan): unknown {
  return {
    name: s.name,
    kind: s.kind,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parent: s.parentSpanContext?.spanId,
    start: s.startTime,
    end: s.endTime,
    status: s.status,
    attributes: s.attributes,
    events: s.events.map((e) => ({ name: e.name, time: e.time, attributes: e.attributes ?? {} })),
    links: s.links,
    resource: s.resource.attributes,
    scope: { name: s.instrumentationScope.name, version: s.instrumentationScope.version },
  };
}

/** Span views ordered by trace and span id: for outputs whose order between traces may differ. */
export function sortedSpanViews(spans: readonly ReadableSpan[]): unknown[] {
  const key = (s: ReadableSpan): string => `${s.spanContext().traceId}/${s.spanContext().spanId}`;
  return [...spans].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map(spanView);
}
