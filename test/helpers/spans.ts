/** Shared views of spans and recorded batches for tests that compare whole outputs. */
import { readFileSync } from 'node:fs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DIALECTS, loadExampleSpans } from './examples.js';

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

/** Every span of the recorded dialects, with copies under fresh ids (for volume). */
export function manySpans(copies: number): ReadableSpan[] {
  const base = DIALECTS.flatMap((d) => loadExampleSpans(d));
  const out: ReadableSpan[] = [];
  for (let c = 0; c < copies; c++) {
    for (const s of base) {
      const ctx = s.spanContext();
      const hex = (id: string): string => c.toString(16).padStart(4, '0') + id.slice(4);
      const parent = s.parentSpanContext;
      out.push({
        ...s,
        spanContext: () => ({ ...ctx, traceId: hex(ctx.traceId), spanId: hex(ctx.spanId) }),
        parentSpanContext: parent ? { ...parent, traceId: hex(parent.traceId), spanId: hex(parent.spanId) } : undefined,
      });
    }
  }
  return out;
}
