/**
 * src/otlp/otlp-encoder.ts writes the same bytes as the stock ProtobufTraceSerializer of
 * @opentelemetry/otlp-transformer, for any spans: every value type OTLP attributes can hold (and
 * the ones they should not), unicode of every kind, events, links, trace state, shared and
 * separate resources and scopes. The speed difference is measured in bench/, not here.
 */
import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeTraceRequest } from '../../src/otlp/otlp-encoder.js';
import { spansToLangfuseOtlp } from '../../src/mapping/to-langfuse-otlp/index.js';
import { ingestionToSpans } from '../../src/mapping/to-otel/index.js';
import { batchArbitrary } from '../roundtrip/arbitraries.js';
import { recordedEvents } from '../helpers/spans.js';
import { DIALECTS, loadExampleSpans } from '../helpers/examples.js';
import { decodeTraceRequest } from '../helpers/otlp-proto.js';

const stock = (spans: ReadableSpan[]): Buffer => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
const ours = (spans: ReadableSpan[], hint?: number): Buffer => Buffer.from(encodeTraceRequest(spans, hint));

const hexId = (bytes: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: bytes * 2, maxLength: bytes * 2 }) },
    // Not hex (the stock writer reads any character): what it makes of them, byte for byte.
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789abcdefgxyzGZ-_ '), minLength: bytes * 2, maxLength: bytes * 2 }) },
  );

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('', '\ud800', 'a\udc00b', '😀', 'é'.repeat(100), 'x'.repeat(20_000), '\u0000'),
  // Long strings whose lengths are written before the text is (each length field takes as many bytes at its least and most UTF-8 size).
  fc.tuple(fc.integer({ min: 43, max: 6000 }), fc.constantFrom('x', 'é', '😀', '\ud800', '€a')).map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length))),
);

const scalar = fc.oneof(
  text,
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(-1, -(2 ** 31), 2 ** 32, 2 ** 53, 2 ** 60, -(2 ** 62), 2 ** 63, -0, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 1e300),
  fc.double(),
);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { weight: 6, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(scalar, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, () => 1, 10n) },
  ),
})).value;

const attributes = fc.dictionary(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('langfuse.observation.input', 'gen_ai.request.model')), value, {
  maxKeys: 8,
}) as fc.Arbitrary<Attributes>;

const hrTime: fc.Arbitrary<HrTime> = fc.tuple(fc.integer({ min: 0, max: 17_000_000_000 }), fc.integer({ min: 0, max: 999_999_999 }));

const traceState = fc.option(fc.constantFrom('a=1', 'vendor=x,other=y'), { nil: undefined });

const context: fc.Arbitrary<SpanContext> = fc
  .record({ traceId: hexId(16), spanId: hexId(8), traceFlags: fc.integer({ min: 0, max: 255 }), isRemote: fc.option(fc.boolean(), { nil: undefined }), state: traceState })
  .map(({ state, isRemote, ...ctx }) => ({ ...ctx, ...(isRemote === undefined ? {} : { isRemote }), ...(state === undefined ? {} : { traceState: new TraceState(state) }) }));

const event: fc.Arbitrary<TimedEvent> = fc.record(
  { name: text, time: hrTime, attributes, droppedAttributesCount: fc.nat(5) },
  { requiredKeys: ['name', 'time'] },
);
const count = fc.oneof(fc.nat(10), fc.constantFrom(127, 128, 16_384));
const link: fc.Arbitrary<Link> = fc.record({ context, attributes, droppedAttributesCount: fc.nat(5) }, { requiredKeys: ['context'] });

/** Two resources and three scopes to share, as spans of one SDK share theirs. */
const resources = [
  { attributes: { 'service.name': 'a', 'deployment.environment.name': 'prod', n: 3 } },
  { attributes: { 'service.name': 'b' }, schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
];
const scopes = [
  { name: 'ai' },
  { name: '@opentelemetry/instrumentation-openai', version: '0.21.0', schemaUrl: 'https://s' },
  { name: 'scoped', attributes: { k: 'v', list: [1, 2] }, droppedAttributesCount: 2 },
];

const spanArb: fc.Arbitrary<ReadableSpan> = fc
  .record({
    ctx: context,
    parent: fc.option(fc.record({ spanId: hexId(8), isRemote: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined }),
    name: text,
    kind: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
    start: hrTime,
    end: hrTime,
    attributes,
    events: fc.array(event, { maxLength: 2 }),
    links: fc.array(link, { maxLength: 2 }),
    // Codes and counts past one varint byte too (the common tail is written in one piece below that).
    status: fc.record({ code: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constantFrom(127, 128, 300)), message: fc.option(text, { nil: undefined }) }),
    dropped: fc.tuple(count, count, count),
    resource: fc.nat(resources.length - 1),
    scope: fc.nat(scopes.length - 1),
  })
  .map(
    (r) =>
      ({
        name: r.name,
        kind: r.kind,
        spanContext: () => r.ctx,
        parentSpanContext: r.parent === undefined ? undefined : { traceId: r.ctx.traceId, spanId: r.parent.spanId, traceFlags: 1, ...(r.parent.isRemote === undefined ? {} : { isRemote: r.parent.isRemote }) },
        startTime: r.start,
        endTime: r.end,
        status: r.status.message === undefined ? { code: r.status.code } : r.status,
        attributes: r.attributes,
        events: r.events,
        links: r.links,
        duration: [0, 0],
        ended: true,
        resource: resources[r.resource],
        instrumentationScope: scopes[r.scope],
        droppedAttributesCount: r.dropped[0],
        droppedEventsCount: r.dropped[1],
        droppedLinksCount: r.dropped[2],
      }) as unknown as ReadableSpan,
  );

describe('encodeTraceRequest writes what the stock serializer writes', () => {
  test('any spans, any size hint (the buffer grows as needed)', () => {
    fc.assert(
      fc.property(fc.array(spanArb, { maxLength: 6 }), fc.integer({ min: 0, max: 4096 }), (spans, hint) => {
        expect(ours(spans, hint).equals(stock(spans))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  /** One span of `attributes` (and a link to itself when `link`), encoded by ours from an empty buffer: whether the stock bytes come out, without throwing. */
  const sameAtBufferEnd = (ctx: SpanContext, attributes: Attributes, link: boolean): boolean => {
    const span = {
      name: 'n',
      kind: 0,
      spanContext: () => ctx,
      ...(link ? { parentSpanContext: ctx } : {}),
      startTime: [1, 0],
      endTime: [2, 0],
      status: { code: 0 },
      attributes,
      events: [],
      links: link ? [{ context: ctx, attributes: {} }] : [],
      duration: [1, 0],
      ended: true,
      resource: { attributes: {} },
      instrumentationScope: { name: 's' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    } as unknown as ReadableSpan;
    try {
      return ours([span], 0).equals(stock([span]));
    } catch {
      return false;
    }
  };

  /** Short attributes (each checks its own room, none reserves more) that move what follows them across the buffer's end byte by byte. */
  const padding = (count: number, width: number): Attributes => {
    const attributes: Attributes = { width: 'w'.repeat(width) };
    for (let i = 0; i < count; i++) attributes[`a${i}`] = 'x';
    return attributes;
  };

  test('a short string attribute written where the buffer ends, at every offset: nothing cut, nothing thrown', () => {
    // The buffer starts at 1,024 bytes; the last attribute is empty, or text of 3-byte UTF-8 units (the most a short string takes).
    const ctx: SpanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    const mismatches: string[] = [];
    for (const last of ['', '€', '€€€€€€€']) {
      for (let count = 50; count < 90; count++) {
        for (let width = 0; width < 14; width++) {
          if (!sameAtBufferEnd(ctx, { ...padding(count, width), last }, false)) mismatches.push(`${JSON.stringify(last)} after ${count} attributes and width ${width}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('ids of any even length, past a one-byte length too, written where the buffer ends (a link\'s ids follow the attributes)', () => {
    const mismatches: string[] = [];
    for (const bytes of [0, 16, 128, 600]) {
      const ctx: SpanContext = { traceId: 'ab'.repeat(bytes), spanId: 'cd'.repeat(bytes), traceFlags: 1 };
      for (let count = 0; count < 300; count++) {
        for (let width = 0; width < 10; width++) {
          if (!sameAtBufferEnd(ctx, padding(count, width), true)) mismatches.push(`${bytes}-byte ids after ${count} attributes and width ${width}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  test.for(DIALECTS)('%s: the recorded spans, and the spans the OTLP output makes of them', (dialect) => {
    const spans = loadExampleSpans(dialect);
    const mapped = spansToLangfuseOtlp(spans).value.spans;
    expect(ours(spans).equals(stock(spans))).toBe(true);
    expect(ours(mapped).equals(stock(mapped))).toBe(true);
    // And the independent decoder reads it (not only our own equality).
    expect(decodeTraceRequest(ours(mapped))).toEqual(decodeTraceRequest(stock(mapped)));
  });

  test('spans of the reverse mapping (written from their records, not their attribute objects): the same bytes', () => {
    for (const file of ['batches-langfuse-v3.json', 'litellm-batch.json']) {
      const spans = ingestionToSpans(recordedEvents(file)).value;
      expect(ours(spans).equals(stock(spans))).toBe(true);
      // A copy is read as it is (a resource replaced by `{ ...span, resource }` is the one written).
      const copies = spans.map((s) => ({ ...s }));
      expect(ours(copies).equals(ours(spans))).toBe(true);
      // Attributes read as an object may have been changed by their reader: then the object is written.
      const before = ours(spans);
      for (const span of spans) (span.attributes as Attributes)['changed.by.reader'] = span.name;
      expect(ours(spans).equals(stock(spans))).toBe(true);
      expect(ours(spans).equals(before)).toBe(false);
    }
    fc.assert(
      fc.property(batchArbitrary, (batch) => {
        const spans = ingestionToSpans(batch).value;
        expect(ours(spans).equals(stock(spans))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('no spans: an empty request', () => {
    expect(ours([]).length).toBe(0);
    expect(stock([]).length).toBe(0);
  });

  test('a span far larger than a length byte holds, and one over 16 KiB: lengths moved in place', () => {
    const [base] = loadExampleSpans('otel');
    for (const size of [100, 200, 20_000, 3_000_000]) {
      const big = { ...base, attributes: { 'langfuse.observation.input': 'q'.repeat(size), nested: { deep: ['w'.repeat(size)] } } } as unknown as ReadableSpan;
      expect(ours([big], 16).equals(stock([big]))).toBe(true);
    }
  });
});
