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

  test('more: whole traces in order of first appearance, each part at least the size but the last', () => {
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

  test('property: every span exactly once, no trace in two parts, order kept within a trace', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 200 }), fc.integer({ min: 1, max: 40 }), (traceNumbers, size) => {
        const spans = traceNumbers.map((t, i) => span(`t${t}`, String(i)));
        const parts = partsByTrace(spans, size);
        expect(parts.flat().map((s) => s.spanContext().spanId).sort()).toEqual(spans.map((s) => s.spanContext().spanId).sort());
        const partOfTrace = new Map<string, number>();
        parts.forEach((part, i) => {
          if (spans.length > size && i < parts.length - 1) expect(part.length).toBeGreaterThanOrEqual(size);
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
