/**
 * takeIO reads, per record shape, only the sources that can find anything in a record of that
 * shape (its plan, src/mapping/to-ingestion/io.ts). Held against the same reading of every source
 * (EVERY_SOURCE) on generated spans of every dialect, junk included: the same input and output,
 * the same consumed events, the same leftovers and the same issues.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { IssueSink } from '../../../src/mapping/result.js';
import type { IOPlan } from '../../../src/mapping/to-ingestion/io.js';
import { EVERY_SOURCE, takeIO } from '../../../src/mapping/to-ingestion/io.js';
import type { SpanView } from '../../../src/mapping/to-ingestion/span-view.js';
import { toSpanView } from '../../../src/mapping/to-ingestion/span-view.js';
import { DIALECTS, loadExampleSpans } from '../../helpers/examples.js';
import { EVENT, KEY_POOL, MEANINGFUL, SPAN_SPEC, toSpan } from '../../helpers/span-arbitraries.js';
import type { SpanSpec } from '../../helpers/span-arbitraries.js';

/** What takeIO gives and leaves of a fresh view of `spec`, read by `plan` (the shape's own when undefined). */
function read(view: () => SpanView | undefined, plan: IOPlan | undefined): unknown {
  const v = view();
  if (v === undefined) return undefined;
  const sink = new IssueSink();
  const result = plan === undefined ? takeIO(v.attrs, v.events, sink) : takeIO(v.attrs, v.events, sink, plan);
  return { input: result.input, output: result.output, consumed: [...result.consumedEvents], leftovers: v.attrs.leftovers(), size: v.attrs.size, issues: sink.issues };
}

function samePlanned(spec: SpanSpec): void {
  const view = (): SpanView | undefined => toSpanView(toSpan(spec), new IssueSink(), 1_000_000);
  expect(read(view, undefined)).toEqual(read(view, EVERY_SOURCE));
}

/** Spans whose keys are mostly the ones input and output are read from, values that steer the reading. */
const IO_SPEC = fc
  .record({
    spec: SPAN_SPEC,
    attributes: fc.dictionary(fc.constantFrom(...KEY_POOL), fc.oneof(MEANINGFUL, fc.json({ maxDepth: 2 }), fc.array(fc.constantFrom('"a"', '{"b":1}', 'x', '[1]'), { maxLength: 3 })), { maxKeys: 8 }),
    events: fc.array(EVENT, { maxLength: 3 }),
  })
  .map(({ spec, attributes, events }) => ({ ...spec, attributes, events }));

describe('takeIO by the shape plan reads what reading every source reads', () => {
  test.for(DIALECTS)('%s: the recorded spans', (dialect) => {
    for (const span of loadExampleSpans(dialect)) {
      const view = (): SpanView | undefined => toSpanView(span, new IssueSink(), 1_000_000);
      expect(read(view, undefined)).toEqual(read(view, EVERY_SOURCE));
    }
  });

  test('property: generated spans of every dialect, junk included', () => {
    fc.assert(fc.property(SPAN_SPEC, samePlanned), { numRuns: 500 });
  });

  test('property: spans of input and output keys with JSON, message lists and events', () => {
    fc.assert(fc.property(IO_SPEC, samePlanned), { numRuns: 1500 });
  });
});
