/**
 * convert's OTLP/JSON writer (src/cli/convert/otlp-json.ts, json-request.ts) against the stock
 * `JsonTraceSerializer`: the same bytes for the same spans, on the spans the reverse mapping makes
 * and on generated spans with every kind of value, several resources and scopes, events, links,
 * trace states, remote parents and odd numbers; and the request size it counts is the size of the
 * text it writes.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { JsonRequestBuilder } from '../../../src/cli/convert/json-request.js';
import { makeReadableSpan } from '../../../src/mapping/readable-span.js';
import { ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import { recordedRequests } from '../../helpers/spans.js';

function ours(spans: readonly ReadableSpan[]): string {
  const builder = new JsonRequestBuilder();
  for (const span of spans) builder.add(span);
  const expectedBytes = builder.bytes;
  const text = builder.take();
  expect(Buffer.byteLength(text) - 1).toBe(expectedBytes);
  return text;
}

function stock(spans: readonly ReadableSpan[]): string {
  return `${Buffer.from(JsonTraceSerializer.serializeRequest([...spans]) as Uint8Array).toString('utf8')}\n`;
}

const scalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e21, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, -1.5, 'lone \ud800 surrogate', '"quoted"\n\u2028'),
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
const resources = [
  resourceFromAttributes({ 'service.name': 'a' }),
  resourceFromAttributes({ 'service.name': 'b', n: 2, list: ['x', 'y'] }),
  resourceFromAttributes({}),
];

const spanArb: fc.Arbitrary<ReadableSpan> = fc
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
    resource: fc.constantFrom(...resources),
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

describe('OTLP/JSON writer', () => {
  test('the reverse mapping of the recorded batches: the stock bytes, alone and together', () => {
    const spans = ['litellm-batch.json', 'batches-langfuse-v3.json', 'batches-langfuse-vercel.json'].flatMap((file) => {
      const requests = recordedRequests(file);
      return ingestionToSpans(requests.flatMap((q) => q.batch as unknown[]), { batchMetadata: requests[0]?.metadata }).value;
    });
    expect(spans.length).toBeGreaterThanOrEqual(10);
    expect(ours(spans)).toBe(stock(spans));
    for (const span of spans) expect(ours([span])).toBe(stock([span]));
  });

  test('generated spans of several resources and scopes: the stock bytes', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { minLength: 1, maxLength: 8 }), (spans) => {
        expect(ours(spans)).toBe(stock(spans));
      }),
      { numRuns: 500 },
    );
  });

  test('a remote parent and scope attributes are written as the stock serializer writes them', () => {
    const base = makeReadableSpan({
      name: 'x',
      kind: 1,
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      startTime: [1, 2],
      endTime: [1, 3],
      attributes: {},
      status: { code: 0 },
      resource: resources[0]!,
      scope: { name: 's' },
    });
    const remote = { ...base, parentSpanContext: { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: 1, isRemote: true } };
    const scoped = { ...base, instrumentationScope: { name: 's', version: '2', schemaUrl: 'https://x', attributes: { a: 1 } } } as ReadableSpan;
    for (const spans of [[remote], [scoped], [remote, scoped, base]]) expect(ours(spans)).toBe(stock(spans));
  });
});
