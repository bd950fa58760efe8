/**
 * The identity TraceGroups remembers per observation sent (src/mapping/to-otel/identity.ts): packed
 * into one string when it can be, it unpacks to exactly what `identityOf` gives, for any body
 * (strings with NULs and any characters, a start that is not a string, fields absent or not strings).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { identityOf, packedIdentityOf, unpackIdentity } from '../../../src/mapping/to-otel/identity.js';

const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '\u0000', 'a\u0000b', '2025-02-06T16:23:27.257129-08:00', '\u0040'));
const fieldValue = fc.oneof(text, fc.constant(undefined), fc.constant(null), fc.integer(), fc.constant({ nested: 'x' }));
const body = fc.record(
  { startTime: fc.oneof(text, fc.constant(null), fc.integer(), fc.constant(undefined)), name: fieldValue, parentObservationId: fieldValue, traceId: fieldValue, id: fc.string() },
  { requiredKeys: [] },
);

describe('packed observation identity', () => {
  test('unpacks to identityOf of the same body, key for key', () => {
    fc.assert(
      fc.property(body, (b) => {
        const unpacked = unpackIdentity(packedIdentityOf(b));
        const expected = identityOf(b);
        expect(unpacked).toStrictEqual(expected);
        expect(Object.keys(unpacked)).toEqual(Object.keys(expected));
      }),
      { numRuns: 2000 },
    );
  });

  test('a string when every field is a string without NUL, the object otherwise', () => {
    expect(typeof packedIdentityOf({ startTime: '2025-01-01T00:00:00Z', name: 'n', traceId: 't' })).toBe('string');
    expect(typeof packedIdentityOf({ startTime: '2025-01-01T00:00:00Z' })).toBe('string');
    expect(packedIdentityOf({ startTime: null, name: 'n' })).toEqual({ startTime: null, name: 'n' });
    expect(packedIdentityOf({ startTime: 's', name: 'a\u0000b' })).toEqual({ startTime: 's', name: 'a\u0000b' });
  });
});
