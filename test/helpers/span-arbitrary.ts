/**
 * fast-check spans for convert's writers: every kind of attribute value (lone surrogates, NaN,
 * -0, big integers, bytes, arrays with holes, nested objects), events, links, trace states,
 * several resources and scopes. Shared by the OTLP/JSON and protobuf request tests.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { makeReadableSpan } from '../../src/mapping/readable-span.js';

const scalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(0, -0, 1e21, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY, -1.5, 'lone \ud800 surrogate', '"quoted"\n\u2028'),
  fc.boolean(),
);
const attributeValue: fc.Arbitrary<unknown> = fc.oneof(
  scalar,
  fc.array(fc.oneof(scalar, fc.constant(null), fc.constant(undefined)), { maxLength: 4 }),
  fc.constant(undefined),
  fc.constant(null),
  fc.uint8Array({ maxLength: 8 }),
  fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 2 }),
);
const attributesArb = fc.dictionary(fc.string({ unit: 'binary', maxLength: 10 }), attributeValue, { maxKeys: 6 }) as fc.Arbitrary<Attributes>;
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const time: fc.Arbitrary<HrTime> = fc.tuple(fc.nat(4_000_000_000), fc.nat(999_999_999));
export const RESOURCES = [
  resourceFromAttributes({ 'service.name': 'a' }),
  resourceFromAttributes({ 'service.name': 'b', n: 2, list: ['x', 'y'] }),
  resourceFromAttributes({}),
];

export const spanArb: fc.Arbitrary<ReadableSpan> = fc
  .record({
    name: fc.string({ unit: 'binary', maxLength: 12 }),
    kind: fc.nat(4),
    traceId: hex(32),
    spanId: hex(16),
    parentSpanId: fc.option(hex(16), { nil: undefined }),
    traceFlags: fc.constantFrom(0, 1, 3),
    traceState: fc.option(fc.constantFrom('a=1', 'a=1,b=2', 'vendor=x'), { nil: undefined }),
    startTime: time,
    endTime: time,
    attributes: attributesArb,
    events: fc.array(fc.record({ name: fc.string({ maxLength: 6 }), time, attributes: fc.option(attributesArb, { nil: undefined }) }), { maxLength: 2 }),
    links: fc.array(fc.record({ traceId: hex(32), spanId: hex(16), attributes: fc.option(attributesArb, { nil: undefined }) }), { maxLength: 2 }),
    status: fc.oneof(fc.record({ code: fc.nat(2) }), fc.record({ code: fc.nat(2), message: fc.string({ maxLength: 8 }) })),
    resource: fc.constantFrom(...RESOURCES),
    scope: fc.constantFrom({ name: 's' }, { name: 's', version: '1.0' }, { name: 't', version: '' }),
    dropped: fc.nat(3),
  })
  .map((f) => {
    const span = makeReadableSpan({
      ...f,
      links: f.links.map((l) => ({ context: { traceId: l.traceId, spanId: l.spanId, traceFlags: 1 }, ...(l.attributes ? { attributes: l.attributes } : {}) })),
      droppedAttributesCount: f.dropped,
    });
    return span;
  });

