/** partsByTrace: whole traces per part, in order, nothing lost or repeated. */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { partsByTrace } from '../../src/exporter/parts.js';

function span(traceId: string, spanId: string): ReadableSpan {
  return { spanContext: () => ({ traceId, spanId, traceFlags: 1 }) } as unknown as ReadableSpan;
}

const traceOf = (s: ReadableSpan): string => s.spanContext().traceId;

describe('partsByTrace', () => {
  test('up to the part size: one part, the spans as given', () => {
    const spans = [span('b', '1'), span('a', '2'), span('b', '3')];
    expect(partsByTrace(spans, 3)).toEqual([spans]);
  });

  test('more: whole traces in order of first appearance, the parts sharing the spans evenly', () => {
    const spans = [span('a', '1'), span('b', '2'), span('a', '3'), span('c', '4'), span('b', '5'), span('d', '6')];
    const parts = partsByTrace(spans, 2);
    expect(parts.map((p) => p.map((s) => s.spanContext().spanId))).toEqual([['1', '3'], ['2', '5'], ['4', '6']]);
  });

  test('a trace larger than the part size is one part of its own', () => {
    const spans = [span('a', '1'), span('big', '2'), span('big', '3'), span('big', '4'), span('a', '5')];
    expect(partsByTrace(spans, 2).map((p) => p.map(traceOf))).toEqual([['a', 'a'], ['big', 'big', 'big']]);
  });

  test('a span whose context throws goes with the others that have none, and is kept', () => {
    const broken = { spanContext: () => { throw new Error('no context'); } } as unknown as ReadableSpan;
    const spans = [span('a', '1'), broken, span('a', '2')];
    const parts = partsByTrace(spans, 1);
    expect(parts.flat()).toHaveLength(3);
    expect(parts).toContainEqual([broken]);
  });

  test('shrinking last parts: the last traces until each holds enough, the rest shared evenly, no more parts', () => {
    const spans = Array.from({ length: 20 }, (_, i) => span(`t${Math.floor(i / 2)}`, String(i)));
    expect(partsByTrace(spans, 8, [3]).map((p) => p.length)).toEqual([8, 8, 4]);
    expect(partsByTrace(spans, 8, [3]).at(-1)?.map(traceOf)).toEqual(['t8', 't8', 't9', 't9']);
    expect(partsByTrace(spans, 5, [2, 5]).map((p) => p.length)).toEqual([6, 6, 6, 2]);
    expect(partsByTrace(spans, 4, [2, 5]).map((p) => p.length)).toEqual([4, 4, 4, 6, 2]);
    // Never more parts than the part size gives: here two, so only the last is shaped.
    expect(partsByTrace(spans, 10, [2, 5]).map((p) => p.length)).toEqual([18, 2]);
    // One trace: nothing to split off.
    const one = Array.from({ length: 5 }, (_, i) => span('only', String(i)));
    expect(partsByTrace(one, 2, [3])).toEqual([one]);
  });

  test('property: every span exactly once, no trace in two parts, order kept within a trace, a minimal last part', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 200 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 3 }), (traceNumbers, size, lastParts) => {
        const spans = traceNumbers.map((t, i) => span(`t${t}`, String(i)));
        const parts = partsByTrace(spans, size, lastParts);
        const last = lastParts[0] ?? 0;
        expect(parts.flat().map((s) => s.spanContext().spanId).sort()).toEqual(spans.map((s) => s.spanContext().spanId).sort());
        const traces = [...new Set(spans.map(traceOf))];
        if (spans.length > size) expect(parts.length).toBeLessThanOrEqual(Math.max(1, Math.ceil(spans.length / size)));
        if (spans.length > size && last > 0 && traces.length > 1) {
          // The last part is the last traces (by first appearance), as few as hold `last` spans,
          // unless it has all but the first.
          const lastPart = parts.at(-1) as ReadableSpan[];
          const lastTraces = [...new Set(lastPart.map(traceOf))];
          expect(lastTraces).toEqual(traces.slice(traces.length - lastTraces.length));
          const withoutFirst = lastPart.filter((s) => traceOf(s) !== lastTraces[0]).length;
          if (lastTraces.length > 1) expect(withoutFirst).toBeLessThan(last);
          if (lastTraces.length < traces.length - 1) expect(lastPart.length).toBeGreaterThanOrEqual(last);
        }
        const partOfTrace = new Map<string, number>();
        parts.forEach((part, i) => {
          // Without shaped last parts, the parts share the spans evenly (all but the last hold a share).
          const share = Math.ceil(spans.length / Math.ceil(spans.length / size));
          if (spans.length > size && last === 0 && i < parts.length - 1) expect(part.length).toBeGreaterThanOrEqual(share);
          for (const s of part) {
            expect(partOfTrace.get(traceOf(s)) ?? i).toBe(i);
            partOfTrace.set(traceOf(s), i);
          }
        });
        for (const trace of new Set(spans.map(traceOf))) {
          const order = (list: ReadableSpan[]): string[] => list.filter((s) => traceOf(s) === trace).map((s) => s.spanContext().spanId);
          expect(order(parts.flat())).toEqual(order(spans));
        }
      }),
    );
  });
});
