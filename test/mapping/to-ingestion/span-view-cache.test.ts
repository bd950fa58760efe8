/**
 * SpanViewCache.iso, the forward mapping's one ISO date text per second of a call, against
 * `hrTimeToIso` for every time; views read without ISO times (`new SpanViewCache(false)`) are the
 * same views but for them.
 */
import type { HrTime } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { hrTimeToIso } from '../../../src/mapping/time.js';
import { IssueSink } from '../../../src/mapping/result.js';
import { SpanViewCache, toSpanView } from '../../../src/mapping/to-ingestion/span-view.js';
import { DIALECTS, loadExampleSpans } from '../../helpers/examples.js';
import { SPAN_SPEC, toSpan } from '../../helpers/span-arbitraries.js';

describe('SpanViewCache.iso: one ISO date text per second', () => {
  const time: fc.Arbitrary<HrTime> = fc.tuple(fc.integer({ min: 0, max: 18_446_744_072 }), fc.integer({ min: 0, max: 999_999_999 }));
  // Runs of times in a few seconds, as the spans of one call have them.
  const times = fc.array(fc.oneof(time, fc.tuple(fc.constantFrom(1_795_550_920, 1_795_550_921), fc.integer({ min: 0, max: 999_999_999 }))), { maxLength: 30 });

  test('property: exactly hrTimeToIso of every time, in any order', () => {
    fc.assert(
      fc.property(times, (list) => {
        const cache = new SpanViewCache();
        for (const t of list) expect(cache.iso(t)).toBe(hrTimeToIso(t));
      }),
      { numRuns: 300 },
    );
  });
});

describe('SpanViewCache(false): views without ISO times', () => {
  /** The span's view read both ways, with the same issues. */
  function both(span: Parameters<typeof toSpanView>[0]): void {
    const withIso = new IssueSink();
    const without = new IssueSink();
    const a = toSpanView(span, withIso, 1_000_000, new SpanViewCache());
    const b = toSpanView(span, without, 1_000_000, new SpanViewCache(false));
    expect(without.issues).toEqual(withIso.issues);
    if (a === undefined || b === undefined) {
      expect(b).toBe(a);
      return;
    }
    expect([b.startIso, b.endIso]).toEqual(['', '']);
    const { attrs: attrsA, issues: _issuesA, startIso: _sa, endIso: _ea, ...restA } = a;
    const { attrs: attrsB, issues: _issuesB, startIso: _sb, endIso: _eb, ...restB } = b;
    expect(restB).toEqual(restA);
    expect(attrsB.leftovers()).toEqual(attrsA.leftovers());
  }

  test('the recorded spans', () => {
    for (const dialect of DIALECTS) for (const span of loadExampleSpans(dialect)) both(span);
  });

  test('property: spans with junk of every kind', () => {
    fc.assert(fc.property(SPAN_SPEC, (spec) => both(toSpan(spec))), { numRuns: 300 });
  });
});

describe('SpanViewCache: one check of a trace id per run of spans of one trace', () => {
  /** Everything of a view but its bag and sink, and its leftovers. */
  const seen = (v: ReturnType<typeof toSpanView>): unknown => {
    if (v === undefined) return undefined;
    const { attrs, issues: _issues, ...rest } = v;
    return { ...rest, leftovers: attrs.leftovers() };
  };

  test('property: spans read with one cache give the views and issues each gives with a cache of its own', () => {
    const traceIds = fc.oneof(fc.constantFrom('4bf92f3577b34da6a3ce929d0e0e4736', '4BF92F3577B34DA6A3CE929D0E0E4736', '0'.repeat(32), 'xyz', ''), fc.constant(undefined), fc.anything());
    fc.assert(
      fc.property(fc.array(fc.tuple(SPAN_SPEC, fc.option(traceIds, { nil: undefined })), { maxLength: 12 }), (list) => {
        const shared = new SpanViewCache(false);
        const sharedSink = new IssueSink();
        const ownSink = new IssueSink();
        for (const [spec, traceId] of list) {
          const span = toSpan(traceId === undefined ? spec : { ...spec, traceId });
          expect(seen(toSpanView(span, sharedSink, 1_000_000, shared))).toEqual(seen(toSpanView(span, ownSink, 1_000_000, new SpanViewCache(false))));
        }
        expect(sharedSink.issues).toEqual(ownSink.issues);
      }),
      { numRuns: 500 },
    );
  });
});
