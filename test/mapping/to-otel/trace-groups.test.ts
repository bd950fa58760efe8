/**
 * TraceGroups remembers each sent observation's identity packed in one string (its largest state
 * in a busy receiver): what a late update reads back is exactly what identityOf takes, for any body.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { identityOf, packIdentity, unpackIdentity } from '../../../src/mapping/to-otel/trace-groups.js';

const field = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string(), fc.constant(null), fc.constant(undefined), fc.integer(), fc.jsonValue());
const body = fc.record({ startTime: field, name: field, parentObservationId: field, traceId: field, other: field }, { requiredKeys: [] });

test('an identity unpacked is the identity taken: same keys, same values', () => {
  fc.assert(
    fc.property(body, (b) => {
      expect(unpackIdentity(packIdentity(b))).toStrictEqual(identityOf(b));
    }),
    { numRuns: 2000 },
  );
});

test('strings that look like the packing itself come back unchanged', () => {
  expect(unpackIdentity(packIdentity({ startTime: -0 }))).toStrictEqual({ startTime: -0 });
  const tricky = { startTime: '3:abc', name: '-', parentObservationId: '~', traceId: '12:{' };
  expect(unpackIdentity(packIdentity(tricky))).toStrictEqual(tricky);
  expect(unpackIdentity(packIdentity({ startTime: null, name: '' }))).toStrictEqual({ startTime: null, name: '' });
  expect(unpackIdentity(packIdentity({}))).toStrictEqual({ startTime: undefined });
});
