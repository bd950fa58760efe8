/**
 * otlpSpanBytes (src/mapping/to-langfuse-otlp/fit.ts) against its definition, written out plainly
 * here: a span's overhead, its name and status message, and per attribute its overhead, key and
 * value, each text at 3 bytes per UTF-16 unit (the bound) or at its UTF-8 size (exact). The bound
 * takes strings inline; this holds it to the same sum.
 */
import type { Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { makeReadableSpan } from '../../../src/mapping/readable-span.js';
import { otlpSpanBytes } from '../../../src/mapping/to-langfuse-otlp/index.js';

const SPAN = 96;
const ATTRIBUTE = 16;
const SCALAR = 10;

function model(name: string, message: string | undefined, attributes: Attributes, measure: (text: string) => number): number {
  let n = SPAN + measure(name) + measure(message ?? '');
  for (const [key, value] of Object.entries(attributes)) {
    n += ATTRIBUTE + measure(key);
    if (typeof value === 'string') n += measure(value);
    else if (Array.isArray(value)) n += ATTRIBUTE + value.reduce<number>((m, item) => m + ATTRIBUTE + (typeof item === 'string' ? measure(item) : SCALAR), 0);
    else n += SCALAR;
  }
  return n;
}

const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 10 }), fc.constantFrom('', '\ud800', 'é', '😀'));
const value: fc.Arbitrary<Attributes[string]> = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(text, { maxLength: 4 }),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.array(fc.boolean(), { maxLength: 4 }),
);

test('the bound and the exact size of a span are the sums they are defined as', () => {
  fc.assert(
    fc.property(text, fc.option(text, { nil: undefined }), fc.dictionary(text, value, { maxKeys: 8 }) as fc.Arbitrary<Attributes>, (name, message, attributes) => {
      const span = makeReadableSpan({
        name,
        kind: 0,
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: 1,
        startTime: [1, 0],
        endTime: [2, 0],
        attributes,
        events: [],
        links: [],
        status: message === undefined ? { code: 0 } : { code: 2, message },
        resource: resourceFromAttributes({}),
        scope: { name: 's' },
      });
      expect(otlpSpanBytes(span, false)).toBe(model(name, message, attributes, (t) => 3 * t.length));
      expect(otlpSpanBytes(span, true)).toBe(model(name, message, attributes, (t) => Buffer.byteLength(t, 'utf8')));
    }),
    { numRuns: 500 },
  );
});
