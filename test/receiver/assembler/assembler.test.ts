/**
 * The assembler on its own, with time passed in: per-trace holding (quiet and complete), the
 * maximum hold for open observations, the memory bound, traces fed by two clients, late events,
 * and the done marks that let the spool forget exactly the events forwarded.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueSink } from '../../../src/mapping/result.js';
import { createContext, ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import { toMergeItem } from '../../../src/mapping/to-otel/merge.js';
import type { Emission, HeldEvent } from '../../../src/receiver/assembler/assembler.js';
import { Assembler } from '../../../src/receiver/assembler/assembler.js';
import { hashKeys } from '../../../src/receiver/spool/key-hash.js';
import { batchArbitrary } from '../../roundtrip/arbitraries.js';
import { recordedEvents, sortedSpanViews } from '../../helpers/spans.js';

const T = '2026-11-24T20:09:40.250Z';
const QUIET = 5_000;

function assembler(options: { maxHeldBytes?: number; maxHoldMillis?: number } = {}): { a: Assembler; out: Emission[] } {
  const out: Emission[] = [];
  const a = new Assembler({
    context: createContext({}, new IssueSink()),
    quietMillis: QUIET,
    maxHoldMillis: options.maxHoldMillis ?? 60_000,
    maxHeldBytes: options.maxHeldBytes ?? 1_000_000,
    rememberedTraces: 1_000,
    emit: (e) => out.push(e),
    issues: () => undefined,
  });
  return { a, out };
}

let record = 0;
/** Events as one spooled record would hand them over. */
function held(events: readonly unknown[], resource?: Attributes, bytes = 100): HeldEvent[] {
  const ref = { segment: 1, index: record++ };
  return events.flatMap((raw) => {
    const item = toMergeItem(raw, 0, new IssueSink(), resource);
    if (typeof item !== 'object') return [];
    const key = `k:${item.event.id}`;
    const [hi, lo] = hashKeys([key]) as unknown as [number, number];
    return [{ item, ref, key, hi, lo, bytes }];
  });
}

const trace = (id: string, body: Record<string, unknown> = {}): unknown => ({ id: `e-${id}`, type: 'trace-create', timestamp: T, body: { id, timestamp: T, name: 'chat', ...body } });
const generation = (id: string, traceId: string | undefined, body: Record<string, unknown> = {}, type = 'generation-create'): unknown => ({
  id: `e-${id}-${type}`,
  type,
  timestamp: T,
  body: { id, ...(traceId === undefined ? {} : { traceId }), name: 'llm', startTime: T, ...body },
});
const names = (spans: readonly ReadableSpan[]): string[] => spans.map((s) => s.name);
const spansOf = (out: readonly Emission[]): ReadableSpan[] => out.flatMap((e) => e.spans);

describe('holding a trace until it is quiet and complete', () => {
  test('a complete trace goes out once quiet, not before', () => {
    const { a, out } = assembler();
    a.add(held([trace('t1'), generation('g1', 't1', { endTime: T })]), 0);
    a.tick(QUIET - 1);
    expect(out).toEqual([]);
    a.tick(QUIET);
    expect(names(spansOf(out))).toEqual(['chat', 'llm']);
    expect(a.heldTraces).toBe(0);
    expect(a.heldBytes).toBe(0);
  });

  test('a trickling trace waits for its last event; an open generation waits for its end', () => {
    const { a, out } = assembler();
    a.add(held([trace('t1'), generation('g1', 't1')]), 0);
    a.tick(QUIET + 1);
    expect(out).toEqual([]); // g1 has no end yet
    a.add(held([generation('g1', undefined, { endTime: T, output: 'done' }, 'generation-update')]), 30_000);
    a.tick(30_000 + QUIET - 1);
    expect(out).toEqual([]);
    a.tick(30_000 + QUIET);
    const spans = spansOf(out);
    expect(names(spans)).toEqual(['chat', 'llm']);
    expect(spans[1]?.attributes['langfuse.bridge.incomplete']).toBeUndefined();
    expect(spans[1]?.attributes['langfuse.observation.output']).toBe('done');
  });

  test('an observation still open after the maximum hold goes out marked incomplete, from the trace\'s first event', () => {
    const { a, out } = assembler({ maxHoldMillis: 60_000 });
    a.add(held([trace('t1'), generation('g1', 't1')]), 0);
    a.tick(59_999);
    expect(out).toEqual([]);
    a.tick(60_000);
    const spans = spansOf(out);
    expect(spans.map((s) => [s.name, s.attributes['langfuse.bridge.flushed_early'], s.attributes['langfuse.bridge.incomplete']])).toEqual([
      ['chat', 'max_hold', undefined],
      ['llm', 'max_hold', true],
    ]);
  });

  test('an update without a traceId that came first joins its trace', () => {
    const { a, out } = assembler();
    a.add(held([generation('g1', undefined, { endTime: T, output: 'o' }, 'generation-update')]), 0);
    a.add(held([trace('t1'), generation('g1', 't1')]), 10);
    a.tick(10 + QUIET);
    expect(out).toHaveLength(1);
    expect(names(out[0]?.spans ?? [])).toEqual(['chat', 'llm']);
  });

  test('a trace-create without body.timestamp, alone: a root at its envelope time', () => {
    const { a, out } = assembler();
    a.add(held([{ id: 'e1', type: 'trace-create', timestamp: T, body: { id: 't1', name: 'updated' } }]), 0);
    a.tick(QUIET);
    expect(names(spansOf(out))).toEqual(['updated']);
  });
});

describe('one trace, two clients', () => {
  test('an app and litellm feeding one Langfuse trace: one root, each span with its own resource', () => {
    const { a, out } = assembler();
    a.add(held([trace('t1'), { id: 'e-s1', type: 'span-create', timestamp: T, body: { id: 's1', traceId: 't1', startTime: T, endTime: T, name: 'handler' } }], { 'service.name': 'app' }), 0);
    a.add(held([generation('g1', 't1', { endTime: T, parentObservationId: 's1' })], { 'service.name': 'litellm' }), 100);
    a.tick(100 + QUIET);
    const spans = spansOf(out);
    expect(spans.map((s) => [s.name, s.resource.attributes['service.name']])).toEqual([
      ['chat', 'app'],
      ['handler', 'app'],
      ['llm', 'litellm'],
    ]);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(spans.filter((s) => s.parentSpanContext === undefined)).toHaveLength(1);
  });
});

describe('memory', () => {
  test('past the bound the least recently touched traces go out early, marked, never dropped', () => {
    const { a, out } = assembler({ maxHeldBytes: 1_000 });
    for (let i = 0; i < 10; i++) {
      a.add(held([trace(`t${i}`), generation(`g${i}`, `t${i}`)], undefined, 100), i);
      a.tick(i);
      expect(a.heldBytes).toBeLessThanOrEqual(1_000);
    }
    // 10 traces of 200 bytes under a 1,000-byte bound: the 5 oldest went out.
    expect(out.map((e) => e.spans[0]?.attributes['langfuse.trace.id'])).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(spansOf(out).every((s) => s.attributes['langfuse.bridge.flushed_early'] === 'memory')).toBe(true);
    a.flush();
    expect(spansOf(out)).toHaveLength(20);
  });

  test('one endless trace: it goes out whenever it passes the bound, later events as late spans under the same root', () => {
    const { a, out } = assembler({ maxHeldBytes: 500 });
    a.add(held([trace('t1')]), 0);
    for (let i = 0; i < 20; i++) {
      a.add(held([generation(`g${i}`, 't1', { endTime: T })], undefined, 100), i);
      a.tick(i);
      expect(a.heldBytes).toBeLessThanOrEqual(500);
    }
    a.flush();
    const spans = spansOf(out);
    expect(spans.filter((s) => s.name === 'llm')).toHaveLength(20);
    // One root; later emissions hang under it.
    expect(spans.filter((s) => s.name === 'chat')).toHaveLength(1);
    expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(spans.length);
  });
});

describe('done marks', () => {
  test('every event key is completed by exactly one emission, in its record', () => {
    const { a, out } = assembler();
    const events = recordedEvents('batches-langfuse-v3.json');
    const records = [held(events.slice(0, 4)), held(events.slice(4))];
    a.add(records[0] ?? [], 0);
    a.add(records[1] ?? [], 1);
    a.flush();
    const marked = out.flatMap((e) => [...e.done.values()].flatMap(({ ref, keys }) => keys.map((k) => `${ref.index}/${k}`)));
    const expected = records.flatMap((r) => r.map((e) => `${e.ref.index}/${e.key}`));
    expect(marked.sort()).toEqual(expected.sort());
  });
});

describe('the same spans as the whole-input mapping', () => {
  test('generated batches cut into records at random times, all within the quiet time: ingestionToSpans\'s spans', () => {
    fc.assert(
      fc.property(batchArbitrary, fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }), (events, cuts) => {
        const { a, out } = assembler();
        let at = 0;
        for (let i = 0, c = 0; i < events.length; c++) {
          const size = cuts[c % cuts.length] ?? 1;
          a.add(held(events.slice(i, i + size)), at);
          a.tick(at);
          at += 10;
          i += size;
        }
        a.flush();
        const spans = spansOf(out);
        // Traces with an observation still open are marked as flushed early; otherwise the same spans.
        for (const span of spans) delete span.attributes['langfuse.bridge.flushed_early'];
        expect(sortedSpanViews(spans)).toEqual(sortedSpanViews(ingestionToSpans(events).value));
      }),
      { numRuns: 150 },
    );
  });
});
