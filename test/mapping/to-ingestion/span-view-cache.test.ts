/**
 * SpanViewCache.iso, the forward mapping's one ISO date text per second of a call, against
 * `hrTimeToIso` for every time.
 */
import type { HrTime } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { hrTimeToIso } from '../../../src/mapping/time.js';
import { SpanViewCache } from '../../../src/mapping/to-ingestion/span-view.js';

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
