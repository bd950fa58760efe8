/**
 * IngestionSpanStream: the same spans as ingestionToSpans whatever the chunking, traces emitted
 * once idle (memory bounded by the open traces), late events reported and still carried.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { MappingIssue } from '../../../src/mapping/result.js';
import { IssueSink } from '../../../src/mapping/result.js';
import { spansToIngestion } from '../../../src/mapping/to-ingestion/index.js';
import { ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import { mergeEvents } from '../../../src/mapping/to-otel/merge.js';
import { IngestionSpanStream } from '../../../src/mapping/to-otel/stream.js';
import type { IngestionStreamOptions } from '../../../src/mapping/to-otel/stream.js';
import { replicateEvents } from '../../helpers/replicate.js';
import { recordedEvents, sortedSpanViews } from '../../helpers/spans.js';
import { batchArbitrary } from '../../roundtrip/arbitraries.js';

type Json = Record<string, unknown>;
const recorded = recordedEvents;
const sorted = sortedSpanViews;

function sortedIssues(issues: readonly MappingIssue[]): MappingIssue[] {
  const key = (i: MappingIssue): string => JSON.stringify([i.eventId, i.code, i.path, i.message]);
  return [...issues].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Streams `events` in chunks of the given sizes (cycled), collecting spans, issues and the open-event peak. */
function stream(events: readonly unknown[], chunks: readonly number[], options: IngestionStreamOptions = {}) {
  const s = new IngestionSpanStream(options);
  const spans: ReadableSpan[] = [];
  const issues: MappingIssue[] = [];
  let peakOpen = 0;
  for (let at = 0, c = 0; at < events.length; c++) {
    const size = Math.max(1, chunks[c % chunks.length] ?? 1);
    const r = s.push(events.slice(at, at + size));
    at += size;
    spans.push(...r.value);
    issues.push(...r.issues);
    peakOpen = Math.max(peakOpen, s.openEvents);
  }
  const last = s.end();
  spans.push(...last.value);
  issues.push(...last.issues);
  return { spans, issues, peakOpen, stream: s };
}

describe('IngestionSpanStream', () => {
  test.each(['litellm-batch.json', 'batches-langfuse-v3.json', 'batches-langfuse-vercel.json'])(
    '%s: without a window, end() gives exactly what ingestionToSpans gives',
    (file) => {
      const events = recorded(file);
      const whole = ingestionToSpans(events);
      for (const chunks of [[events.length], [1], [3, 1, 2]]) {
        const streamed = stream(events, chunks);
        expect(sorted(streamed.spans)).toEqual(sorted(whole.value));
        expect(sortedIssues(streamed.issues)).toEqual(sortedIssues(whole.issues));
      }
    },
  );

  test('generated batches in any order and chunking: the same spans and issues as ingestionToSpans', () => {
    fc.assert(
      fc.property(batchArbitrary, fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), (events, chunks) => {
        const whole = ingestionToSpans(events);
        // A window as long as the input never closes a trace early.
        const streamed = stream(events, chunks, { idleEvents: events.length });
        expect(sorted(streamed.spans)).toEqual(sorted(whole.value));
        expect(sortedIssues(streamed.issues)).toEqual(sortedIssues(whole.issues));
      }),
      { numRuns: 150 },
    );
  });

  test('a replicated v3 batch with a window: same spans, no late events, open events bounded by the window', () => {
    const one = recorded('batches-langfuse-v3.json');
    const events = replicateEvents(one, 300);
    const whole = ingestionToSpans(events);
    const window = one.length * 2;
    const streamed = stream(events, [50], { idleEvents: window });
    expect(streamed.issues.filter((i) => i.code === 'LATE_EVENT')).toEqual([]);
    expect(sorted(streamed.spans)).toEqual(sorted(whole.value));
    expect(sortedIssues(streamed.issues)).toEqual(sortedIssues(whole.issues));
    // At most the window plus one chunk plus one copy is held, whatever the input length.
    expect(streamed.peakOpen).toBeLessThanOrEqual(window + 50 + one.length);
    expect(streamed.peakOpen).toBeLessThan(events.length / 10);
    expect(streamed.stream.openEvents).toBe(0);
  });

  const T = (s: number): string => `2026-11-25T10:00:0${s}.000Z`;
  const traceCreate = (n: number, id = 'tr'): Json => ({ id: `e${n}`, type: 'trace-create', timestamp: T(n), body: { id, name: 'chat', timestamp: T(n) } });
  const spanCreate = (n: number, id: string, traceId = 'tr'): Json => ({
    id: `e${n}`,
    type: 'span-create',
    timestamp: T(n),
    body: { id, traceId, name: id, startTime: T(n), endTime: T(n + 1) },
  });

  test('traces are emitted once idle, in the push that makes them idle', () => {
    const s = new IngestionSpanStream({ idleEvents: 2 });
    expect(s.push([traceCreate(0, 'a'), spanCreate(1, 'a1', 'a')]).value).toEqual([]);
    const first = s.push([traceCreate(2, 'b'), spanCreate(3, 'b1', 'b')]);
    expect(first.value.map((x) => x.name)).toEqual(['chat', 'a1']);
    expect(s.openEvents).toBe(2);
    expect(s.end().value.map((x) => x.name)).toEqual(['chat', 'b1']);
    expect(s.openEvents).toBe(0);
  });

  test('an update without traceId that arrives before its create joins the trace', () => {
    const update: Json = { id: 'u', type: 'span-update', timestamp: T(5), body: { id: 's1', output: 'done' } };
    const s = new IngestionSpanStream();
    const spans = [...s.push([update]).value, ...s.push([traceCreate(0), spanCreate(1, 's1')]).value, ...s.end().value];
    expect(sorted(spans)).toEqual(sorted(ingestionToSpans([update, traceCreate(0), spanCreate(1, 's1')]).value));
    const s1 = spans.find((x) => x.name === 's1');
    expect(s1?.attributes['langfuse.observation.output']).toBe('done');
  });

  test('an event for a trace already emitted: LATE_EVENT, and its data is still emitted', () => {
    const s = new IngestionSpanStream({ idleEvents: 1 });
    const early = s.push([traceCreate(0), spanCreate(1, 's1')]);
    expect(early.value).toEqual([]);
    const flush = s.push([traceCreate(2, 'other')]);
    expect(flush.value.map((x) => x.name)).toEqual(['chat', 's1']);
    const late: Json = { id: 'late', type: 'span-update', timestamp: T(6), body: { id: 's1', traceId: 'tr', output: 'late output' } };
    const r = s.push([late]);
    expect(r.issues.filter((i) => i.code === 'LATE_EVENT').map((i) => i.eventId)).toEqual(['late']);
    const rest = [...r.value, ...s.end().value];
    const again = rest.find((x) => x.attributes['langfuse.observation.id'] === 's1');
    expect(again?.attributes['langfuse.observation.output']).toBe('late output');
    expect(again?.spanContext().spanId).toBe(flush.value[1]?.spanContext().spanId);
  });

  test('late trace fields: a trace-update child of the root already sent, never a second root; the forward mapping merges it back', () => {
    const s = new IngestionSpanStream({ idleEvents: 1 });
    const first: Json = { id: 'e0', type: 'trace-create', timestamp: T(0), body: { id: 'tr', name: 'chat', timestamp: T(0), input: 'question' } };
    const spans = [...s.push([first, spanCreate(1, 's1')]).value, ...s.push([traceCreate(2, 'other')]).value];
    const rootId = spans.find((x) => x.attributes['langfuse.bridge.synthetic_root'] === 'trace' && x.name === 'chat')?.spanContext().spanId;
    expect(rootId).toBeDefined();
    const late: Json = { id: 'late-trace', type: 'trace-create', timestamp: T(7), body: { id: 'tr', timestamp: T(7), output: 'answer' } };
    const lateObs: Json = { id: 'late-obs', type: 'span-create', timestamp: T(8), body: { id: 's2', traceId: 'tr', name: 's2', startTime: T(8), endTime: T(9) } };
    const r = s.push([late, lateObs]);
    expect(r.issues.filter((i) => i.code === 'LATE_EVENT').map((i) => i.eventId)).toEqual(['late-trace', 'late-obs']);
    const after = [...r.value, ...s.end().value].filter((x) => x.attributes['langfuse.trace.id'] === 'tr');
    // No span id is sent twice: the root is not repeated.
    const all = [...spans, ...after];
    expect(new Set(all.map((x) => x.spanContext().spanId)).size).toBe(all.length);
    const update = after.find((x) => x.attributes['langfuse.bridge.trace_update'] === true);
    expect(update?.parentSpanContext?.spanId).toBe(rootId);
    expect(update?.startTime).toEqual(update?.endTime);
    expect(update?.attributes['langfuse.trace.output']).toBe('answer');
    expect(update?.attributes['langfuse.bridge.synthetic_root']).toBeUndefined();
    const s2 = after.find((x) => x.name === 's2');
    expect(s2?.parentSpanContext?.spanId).toBe(rootId);

    // Back to Langfuse: two trace-creates for `tr`, which merge into the whole trace.
    const events = spansToIngestion(all).value;
    const creates = events.filter((e) => e.type === 'trace-create' && e.body.id === 'tr');
    expect(creates).toHaveLength(2);
    const merged = mergeEvents(events, new IssueSink());
    expect(merged.traces.get('tr')?.body).toMatchObject({ id: 'tr', name: 'chat', input: 'question', output: 'answer', timestamp: T(0) });
    expect([...merged.observations.keys()].sort()).toEqual(['s1', 's2']);
    expect(merged.observations.get('s2')?.body.parentObservationId).toBeUndefined();
  });

  test('a late update of an observation already sent: the same span id with its first start, name and parent; merged back into one observation', () => {
    const s = new IngestionSpanStream();
    const create: Json = { id: 'c', type: 'generation-create', timestamp: T(1), body: { id: 'g1', traceId: 'tr', name: 'answer', startTime: T(1), parentObservationId: 'p1', input: 'question' } };
    const parent = spanCreate(0, 'p1');
    const first = [...s.push([traceCreate(0), parent, create]).value, ...s.flush().value];
    const update: Json = { id: 'u', type: 'generation-update', timestamp: T(8), body: { id: 'g1', traceId: 'tr', endTime: T(8), output: 'answer text' } };
    const r = s.push([update]);
    expect(r.issues.map((i) => i.code)).toEqual(['LATE_EVENT']);
    const second = s.end();
    expect(second.issues).toEqual([]); // no "update without a create": the stream knows the create
    const [again] = second.value;
    const before = first.find((x) => x.name === 'answer');
    expect(again?.spanContext().spanId).toBe(before?.spanContext().spanId);
    expect(again?.name).toBe('answer');
    expect(again?.startTime).toEqual(before?.startTime);
    expect(again?.parentSpanContext?.spanId).toBe(before?.parentSpanContext?.spanId);
    expect(again?.attributes['langfuse.bridge.incomplete']).toBeUndefined();
    expect(before?.attributes['langfuse.bridge.incomplete']).toBe(true);
    // Back to Langfuse, the two halves are one observation: input from the first, output and end from the second.
    const merged = mergeEvents(spansToIngestion([...first, ...second.value]).value, new IssueSink());
    expect(merged.observations.get('g1')?.body).toMatchObject({ name: 'answer', parentObservationId: 'p1', input: 'question', output: 'answer text', startTime: T(1), endTime: T(8) });
  });

  test('flush() emits every open trace and the stream goes on; later events for them are late', () => {
    const s = new IngestionSpanStream();
    s.push([traceCreate(0), spanCreate(1, 's1')]);
    expect(s.flush().value.map((x) => x.name)).toEqual(['chat', 's1']);
    expect(s.openEvents).toBe(0);
    const r = s.push([spanCreate(3, 's2')]);
    expect(r.issues.map((i) => i.code)).toEqual(['LATE_EVENT']);
    expect(s.end().value.map((x) => x.name)).toEqual(['s2']);
  });

  test('bad events are issues of the push that carried them; push after end() is refused, not thrown', () => {
    const s = new IngestionSpanStream();
    const r = s.push([{ id: 'bad', type: 'span-create', timestamp: 'not a time', body: {} }, 42, traceCreate(0)]);
    expect(r.issues.map((i) => i.code)).toEqual(['SCHEMA_VIOLATION', 'SCHEMA_VIOLATION']);
    expect(s.end().value.map((x) => x.name)).toEqual(['chat']);
    const after = s.push([traceCreate(1)]);
    expect(after.value).toEqual([]);
    expect(after.issues.map((i) => i.code)).toEqual(['SKIPPED']);
    expect(s.end().value).toEqual([]);
  });
});
