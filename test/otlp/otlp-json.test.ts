/**
 * otlpJsonToSpans: OTLP/JSON (and protobufjs-decoded OTLP/protobuf) -> ReadableSpan.
 * Round trips go through the STOCK serializers of @opentelemetry/otlp-transformer and, for
 * protobuf, through an independent protobufjs decoder (test/helpers/otlp-proto.ts), then compare
 * every field of every span with the original. Literal tables pin the decoding rules; fast-check
 * feeds hostile input.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MAX_ANY_VALUE_DEPTH, otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import type { IssueCode, MappingIssue } from '../../src/mapping/result.js';
import { spanDumpToReadableSpans } from '../../src/mapping/span-dump.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { DIALECTS, loadExampleSpans } from '../helpers/examples.js';
import { decodeTraceRequest, decodeTraceRequestRaw, encodeWithStockSerializer, stockJson } from '../helpers/otlp-proto.js';

const TRACE_ID = 'f629388210ef905a4ffe3152be6617c2';
const SPAN_ID = '0f3f33fdb36aca04';
const PARENT_ID = '7cdb6205cba42756';
const TRACE_ID_BYTES = [246, 41, 56, 130, 16, 239, 144, 90, 79, 254, 49, 82, 190, 102, 23, 194];
const SPAN_ID_BYTES = [15, 63, 51, 253, 179, 106, 202, 4];

// ---------------------------------------------------------------------------------------------
// Fixtures

/**
 * Spans that use every field the examples leave empty: links (with trace state, flags and
 * attributes), events with and without attributes, trace state, error status with a message,
 * every span kind, an unsampled span, a remote parent, dropped counts, nested (kvlist) and mixed
 * array attributes, two resources (one with a schema URL), scope schema URL and attributes, and
 * the largest time OTLP can carry.
 */
function richSpans(): ReadableSpan[] {
  const [root, child, internal, producer, consumer, edge] = spanDumpToReadableSpans([
    {
      name: 'agent run',
      kind: 1,
      traceId: TRACE_ID,
      spanId: PARENT_ID,
      traceState: 'vendor=a,other=b',
      startTime: [1795550920, 0],
      endTime: [1795550921, 999999999],
      attributes: {
        empty: '',
        zero: 0,
        no: false,
        neg: -3,
        half: 0.5,
        strs: ['a', 'b'],
        nums: [1, 2.5],
        bools: [true, false],
        holes: ['x', null],
        nested: { a: { b: [1, 'two'] } },
      },
      events: [
        { name: 'exception', time: [1795550920, 600000000], attributes: { 'exception.message': 'boom' } },
        { name: 'bare', time: [1795550920, 700000001] },
      ],
      links: [{ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }, attributes: { why: 'retry' } }],
      status: { code: 2, message: 'boom' },
      resource: { 'service.name': 'svc-a', 'host.cores': 8 },
      scope: { name: 'scope-a', version: '1.0.0' },
    },
    {
      name: 'chat gpt-4o',
      kind: 2,
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      parentSpanId: PARENT_ID,
      startTime: [1795550920, 560000000],
      endTime: [1795550920, 613914663],
      attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 23 },
      status: { code: 1 },
      resource: { 'service.name': 'svc-a', 'host.cores': 8 },
      scope: { name: 'scope-a', version: '1.0.0' },
    },
    {
      name: 'internal unsampled',
      kind: 0,
      traceId: TRACE_ID,
      spanId: '1111111111111111',
      traceFlags: 0,
      parentSpanId: PARENT_ID,
      startTime: [1795550920, 1],
      endTime: [1795550920, 2],
      resource: { 'service.name': 'svc-a', 'host.cores': 8 },
      scope: { name: 'scope-a', version: '1.0.0' },
    },
    {
      name: 'publish',
      kind: 3,
      traceId: 'e'.repeat(32),
      spanId: '2222222222222222',
      startTime: [1795550930, 5],
      endTime: [1795550931, 4],
      links: [{ context: { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 0 } }],
      resource: { 'service.name': 'svc-b' },
      scope: { name: 'scope-b', version: '2.0.0' },
    },
    {
      name: 'consume',
      kind: 4,
      traceId: 'e'.repeat(32),
      spanId: '3333333333333333',
      parentSpanId: '2222222222222222',
      startTime: [1795550931, 5],
      endTime: [1795550932, 0],
      resource: { 'service.name': 'svc-b' },
      scope: { name: 'scope-b', version: '2.0.0' },
    },
    {
      name: 'end of time',
      kind: 0,
      traceId: 'e'.repeat(32),
      spanId: '4444444444444444',
      startTime: [18446744073, 709551614],
      endTime: [18446744073, 709551615],
      resource: { 'service.name': 'svc-b' },
      scope: { name: 'scope-b', version: '2.0.0' },
    },
  ]).value as [ReadableSpan, ReadableSpan, ReadableSpan, ReadableSpan, ReadableSpan, ReadableSpan];

  const resourceB = resourceFromAttributes({ 'service.name': 'svc-b' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const scopeB = {
    name: 'scope-b',
    version: '2.0.0',
    schemaUrl: 'https://opentelemetry.io/schemas/1.29.0',
    attributes: { 'scope.attr': 'x' },
  } as ReadableSpan['instrumentationScope'];
  const inB = (span: ReadableSpan, fields: Partial<ReadableSpan> = {}): ReadableSpan => ({
    ...span,
    resource: resourceB,
    instrumentationScope: scopeB,
    ...fields,
  });
  const rootContext = root.spanContext();
  return [
    { ...root, droppedAttributesCount: 2, droppedEventsCount: 3, droppedLinksCount: 4 },
    { ...child, parentSpanContext: { ...child.parentSpanContext!, isRemote: true } },
    {
      ...internal,
      events: [{ name: 'dropped some', time: [1795550920, 1], attributes: { kept: 1 }, droppedAttributesCount: 5 }],
    },
    inB(producer, {
      links: [
        ...producer.links,
        { context: { ...rootContext, isRemote: true }, attributes: { hop: 2 }, droppedAttributesCount: 1 },
      ],
    }),
    inB(consumer),
    inB(edge),
  ];
}

/**
 * Every field of a ReadableSpan as plain data (trace states serialized, the resource read out).
 * Events are put in the SDK's shape, which the decoder produces: OTLP cannot tell an event
 * without attributes from one with `{}`, nor a missing dropped count from 0, and the span-dump
 * replay omits both where the SDK (sdk-trace Span.addEvent) always writes them.
 */
function plain(span: ReadableSpan): unknown {
  const ctx = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    spanContext: { ...ctx, traceState: ctx.traceState?.serialize() },
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    ended: span.ended,
    status: span.status,
    attributes: span.attributes,
    events: span.events.map((e) => ({ ...e, attributes: e.attributes ?? {}, droppedAttributesCount: e.droppedAttributesCount ?? 0 })),
    links: span.links.map((l) => ({ ...l, context: { ...l.context, traceState: l.context.traceState?.serialize() } })),
    resource: { attributes: span.resource.attributes, schemaUrl: span.resource.schemaUrl },
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

type Rec = Record<string, unknown>;

const spanIdOf = (s: ReadableSpan): string => s.spanContext().spanId;

const SOURCES: ReadonlyArray<{ name: string; load: () => ReadableSpan[] }> = [
  ...DIALECTS.map((d) => ({ name: `examples/spans/${d}.json`, load: () => loadExampleSpans(d) })),
  { name: 'rich spans (every field)', load: richSpans },
];

const CODECS: ReadonlyArray<{ codec: string; encodeDecode: (spans: ReadableSpan[]) => unknown }> = [
  { codec: 'OTLP/JSON: stock JsonTraceSerializer', encodeDecode: stockJson },
  {
    codec: 'OTLP/protobuf: stock ProtobufTraceSerializer + protobufjs',
    encodeDecode: (spans) => decodeTraceRequest(encodeWithStockSerializer(spans)),
  },
];

// ---------------------------------------------------------------------------------------------
// (a), (b), (c): round trips through the stock serializers

describe.each(CODECS)('round trip through $codec', ({ encodeDecode }) => {
  test.each(SOURCES)('$name: every field of every span comes back, no issues', ({ load }) => {
    const original = load();
    const { value, issues } = otlpJsonToSpans(encodeDecode(original));
    expect(issues).toEqual([]);
    // The serializer groups spans by resource and scope, so the order may change; the set may not.
    expect(value.map(spanIdOf).sort()).toEqual(original.map(spanIdOf).sort());
    const decoded = new Map(value.map((s) => [spanIdOf(s), s]));
    for (const span of original) expect(plain(decoded.get(spanIdOf(span))!)).toStrictEqual(plain(span));
  });

  test.each(SOURCES)('$name: spans of one resource share one Resource object', ({ load }) => {
    const original = load();
    const { value } = otlpJsonToSpans(encodeDecode(original));
    expect(new Set(value.map((s) => s.resource)).size).toBe(new Set(original.map((s) => s.resource)).size);
  });

  test.each(SOURCES)('$name: spansToIngestion gives exactly the same result', ({ load }) => {
    const original = load();
    const { value } = otlpJsonToSpans(encodeDecode(original));
    expect(spansToIngestion(value)).toEqual(spansToIngestion(original));
  });

  test.each(SOURCES)('$name: re-encoding the decoded spans gives the same request', ({ load }) => {
    const original = load();
    const { value } = otlpJsonToSpans(encodeDecode(original));
    expect(stockJson(value)).toEqual(stockJson(original));
  });
});

describe('protobufjs toObject output read as is', () => {
  test.each(SOURCES)('$name: base64 ids and the instrumentationLibrary* names decode like the normalised form', ({ load }) => {
    const bytes = encodeWithStockSerializer(load());
    const raw = decodeTraceRequestRaw(bytes);
    expect(Object.keys((raw['resourceSpans'] as Rec[])[0]!)).toContain('instrumentationLibrarySpans');
    const direct = otlpJsonToSpans(raw);
    const normalised = otlpJsonToSpans(decodeTraceRequest(bytes));
    expect(direct.issues).toEqual([]);
    expect(direct.value.map(plain)).toStrictEqual(normalised.value.map(plain));
  });
});

describe('values the OTLP encodings cannot carry as they were', () => {
  const spanWith = (attributes: Attributes): ReadableSpan[] =>
    spanDumpToReadableSpans({ name: 'n', traceId: TRACE_ID, spanId: SPAN_ID, startTime: [1, 0], endTime: [2, 0], attributes }).value;

  test.each([
    {
      name: 'int beyond 2^53: JSON sends a rounded number, protobuf the exact digits (kept as text)',
      attributes: { big: 2 ** 60 },
      json: { big: 1152921504606846976 },
      proto: { big: '1152921504606846976' },
      jsonIssues: [],
    },
    {
      name: 'bytes come back as their base64 text',
      attributes: { raw: new Uint8Array([1, 2, 255]) as unknown as string },
      json: { raw: 'AQL/' },
      proto: { raw: 'AQL/' },
      jsonIssues: [],
    },
    {
      name: 'NaN: JSON.stringify writes null (an issue), protobuf keeps NaN',
      attributes: { nan: NaN },
      json: { nan: null },
      proto: { nan: NaN },
      jsonIssues: [{ code: 'INVALID_VALUE', spanId: SPAN_ID, path: 'attributes.nan', message: 'doubleValue is not a number; null kept' }],
    },
  ])('$name', ({ attributes, json, proto, jsonIssues }) => {
    const spans = spanWith(attributes);
    const viaJson = otlpJsonToSpans(stockJson(spans));
    const viaProto = otlpJsonToSpans(decodeTraceRequest(encodeWithStockSerializer(spans)));
    expect([viaJson.value[0]?.attributes, viaJson.issues]).toEqual([json, jsonIssues]);
    expect([viaProto.value[0]?.attributes, viaProto.issues]).toEqual([proto, []]);
  });
});

// ---------------------------------------------------------------------------------------------
// (d) literal tables

/** A one-span request; `span` fields override the defaults. */
function request(span: Rec = {}, resourceSpan: Rec = {}): Rec {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [
          {
            scope: { name: 'scope', version: '1.0.0' },
            spans: [
              {
                traceId: TRACE_ID,
                spanId: SPAN_ID,
                name: 'n',
                startTimeUnixNano: '1795550920560000000',
                endTimeUnixNano: '1795550920613914663',
                ...span,
              },
            ],
          },
        ],
        ...resourceSpan,
      },
    ],
  };
}

function one(span: Rec = {}, resourceSpan: Rec = {}): { span: ReadableSpan | undefined; issues: readonly MappingIssue[] } {
  const { value, issues } = otlpJsonToSpans(request(span, resourceSpan));
  return { span: value[0], issues };
}

describe('AnyValue decoding', () => {
  test.each([
    { name: 'stringValue', value: { stringValue: 'hi' }, expected: 'hi' },
    { name: 'empty stringValue', value: { stringValue: '' }, expected: '' },
    { name: 'boolValue false', value: { boolValue: false }, expected: false },
    { name: 'intValue as a number', value: { intValue: 42 }, expected: 42 },
    { name: 'intValue as a decimal string', value: { intValue: '42' }, expected: 42 },
    { name: 'intValue zero as a string', value: { intValue: '0' }, expected: 0 },
    { name: 'intValue -(2^53 - 1)', value: { intValue: '-9007199254740991' }, expected: -9007199254740991 },
    { name: 'intValue 2^53 + 1 stays exact text', value: { intValue: '9007199254740993' }, expected: '9007199254740993' },
    { name: 'intValue int64 min stays exact text', value: { intValue: '-9223372036854775808' }, expected: '-9223372036854775808' },
    { name: 'doubleValue', value: { doubleValue: 0.5 }, expected: 0.5 },
    { name: 'doubleValue as a decimal string', value: { doubleValue: '2.5' }, expected: 2.5 },
    { name: 'doubleValue "NaN"', value: { doubleValue: 'NaN' }, expected: NaN },
    { name: 'doubleValue "Infinity"', value: { doubleValue: 'Infinity' }, expected: Infinity },
    { name: 'doubleValue "-Infinity"', value: { doubleValue: '-Infinity' }, expected: -Infinity },
    {
      name: 'arrayValue of mixed values with an empty one',
      value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }, {}, { boolValue: true }] } },
      expected: ['a', 1, null, true],
    },
    { name: 'empty arrayValue', value: { arrayValue: {} }, expected: [] },
    {
      name: 'kvlistValue becomes a plain object',
      value: {
        kvlistValue: {
          values: [
            { key: 'a', value: { stringValue: 'x' } },
            { key: 'b', value: { kvlistValue: { values: [{ key: 'c', value: { doubleValue: 1.5 } }] } } },
            { key: 'd', value: { arrayValue: { values: [{ intValue: 7 }] } } },
          ],
        },
      },
      expected: { a: 'x', b: { c: 1.5 }, d: [7] },
    },
    { name: 'kvlist duplicate keys: the last wins', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: 1 } }, { key: 'a', value: { intValue: 2 } }] } }, expected: { a: 2 } },
    { name: 'bytesValue (base64) stays base64', value: { bytesValue: 'AQL/' }, expected: 'AQL/' },
    { name: 'bytesValue as Buffer JSON becomes base64', value: { bytesValue: { type: 'Buffer', data: [1, 2, 255] } }, expected: 'AQL/' },
    { name: 'empty AnyValue is null', value: {}, expected: null },
  ])('$name', ({ value, expected }) => {
    const { span, issues } = one({ attributes: [{ key: 'k', value }] });
    expect(issues).toEqual([]);
    expect(span?.attributes).toEqual({ k: expected });
  });

  test.each([
    { name: 'stringValue not a string', value: { stringValue: 5 }, message: 'stringValue is not a string; null kept' },
    { name: 'boolValue not a boolean', value: { boolValue: 'true' }, message: 'boolValue is not a boolean; null kept' },
    { name: 'intValue with a fraction', value: { intValue: '1.5' }, message: 'intValue is not an integer; null kept' },
    { name: 'intValue float number', value: { intValue: 1.5 }, message: 'intValue is not an integer; null kept' },
    { name: 'doubleValue null (JSON.stringify of NaN)', value: { doubleValue: null }, message: 'doubleValue is not a number; null kept' },
    { name: 'doubleValue text', value: { doubleValue: 'lots' }, message: 'doubleValue is not a number; null kept' },
    { name: 'bytesValue of a number', value: { bytesValue: 7 }, message: 'bytesValue is not bytes; null kept' },
    { name: 'AnyValue not an object', value: 'plain', message: 'AnyValue is not an object; null kept' },
  ])('$name: null with an INVALID_VALUE issue', ({ value, message }) => {
    const { span, issues } = one({ attributes: [{ key: 'k', value }] });
    expect(span?.attributes).toEqual({ k: null });
    expect(issues).toEqual([{ code: 'INVALID_VALUE', spanId: SPAN_ID, path: 'attributes.k', message }]);
  });

  test('hostile keys are dropped with HOSTILE_KEY; bad KeyValues with INVALID_VALUE', () => {
    const { span, issues } = one({
      attributes: [
        { key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } },
        { key: 'ok', value: { kvlistValue: { values: [{ key: 'constructor', value: { stringValue: 'x' } }] } } },
        { key: 7, value: { stringValue: 'numeric key' } },
        'not a KeyValue',
        { value: { stringValue: 'no key is the empty key' } },
      ],
    });
    expect(span?.attributes).toEqual({ ok: {}, '': 'no key is the empty key' });
    expect(Object.getPrototypeOf(span?.attributes)).toBe(Object.prototype);
    expect(({} as Rec)['polluted']).toBeUndefined();
    expect(issues).toEqual([
      { code: 'HOSTILE_KEY', spanId: SPAN_ID, path: 'attributes.__proto__', message: 'attribute key "__proto__" dropped' },
      { code: 'HOSTILE_KEY', spanId: SPAN_ID, path: 'attributes.ok.constructor', message: 'attribute key "constructor" dropped' },
      { code: 'INVALID_VALUE', spanId: SPAN_ID, path: 'attributes.[2]', message: 'KeyValue without a string key; dropped' },
      { code: 'INVALID_VALUE', spanId: SPAN_ID, path: 'attributes.[3]', message: 'KeyValue without a string key; dropped' },
    ]);
  });

  /** A kvlist nested `levels` deep: {k: {k: ... 'leaf'}}. */
  function nestedKvlist(levels: number): Rec {
    let value: Rec = { stringValue: 'leaf' };
    for (let i = 0; i < levels; i++) value = { kvlistValue: { values: [{ key: 'k', value }] } };
    return value;
  }

  test.each([
    { name: `${MAX_ANY_VALUE_DEPTH} levels are kept`, levels: MAX_ANY_VALUE_DEPTH, leaf: 'leaf', issues: 0 },
    { name: `${MAX_ANY_VALUE_DEPTH + 1} levels: the innermost container is cut`, levels: MAX_ANY_VALUE_DEPTH + 1, leaf: null, issues: 1 },
    { name: '10,000 levels: cut at the same place, no stack overflow', levels: 10_000, leaf: null, issues: 1 },
  ])('nesting depth: $name', ({ levels, leaf, issues }) => {
    const result = one({ attributes: [{ key: 'deep', value: nestedKvlist(levels) }] });
    let v: unknown = result.span?.attributes['deep'];
    for (let i = 0; i < MAX_ANY_VALUE_DEPTH; i++) v = (v as Rec)['k'];
    expect(v).toEqual(leaf);
    expect(result.issues).toEqual(
      Array.from({ length: issues }, () => ({
        code: 'INVALID_VALUE',
        spanId: SPAN_ID,
        path: `attributes.deep${'.k'.repeat(MAX_ANY_VALUE_DEPTH)}`,
        message: 'value nested deeper than 32 levels; null kept',
      })),
    );
  });
});

describe('id encodings', () => {
  test.each([
    { name: 'lower-case hex', traceId: TRACE_ID, spanId: SPAN_ID },
    { name: 'upper-case hex', traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID.toUpperCase() },
    { name: 'base64, padded', traceId: '9ik4ghDvkFpP/jFSvmYXwg==', spanId: 'Dz8z/bNqygQ=' },
    { name: 'base64url, unpadded', traceId: '9ik4ghDvkFpP_jFSvmYXwg', spanId: 'Dz8z_bNqygQ' },
    { name: 'Node Buffer as JSON', traceId: { type: 'Buffer', data: TRACE_ID_BYTES }, spanId: { type: 'Buffer', data: SPAN_ID_BYTES } },
    { name: 'Uint8Array', traceId: new Uint8Array(TRACE_ID_BYTES), spanId: new Uint8Array(SPAN_ID_BYTES) },
  ])('$name', ({ traceId, spanId }) => {
    const { span, issues } = one({ traceId, spanId, parentSpanId: spanId, links: [{ traceId, spanId }] });
    expect(issues).toEqual([]);
    expect(span?.spanContext()).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    expect(span?.parentSpanContext).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    expect(span?.links).toEqual([{ context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 } }]);
  });

  const where = 'resourceSpans[0].scopeSpans[0].spans[0]';
  const skipped = 'span skipped: trace id or span id missing or invalid';
  test.each([
    { name: 'all-zero trace id', fields: { traceId: '0'.repeat(32) }, spanId: SPAN_ID },
    { name: 'trace id of 15 bytes (base64)', fields: { traceId: 'BwcHBwcHBwcHBwcHBwcH' }, spanId: SPAN_ID },
    { name: 'trace id not hex', fields: { traceId: 'z'.repeat(32) }, spanId: SPAN_ID },
    { name: 'trace id a number', fields: { traceId: 42 }, spanId: SPAN_ID },
    { name: 'span id missing', fields: { spanId: undefined }, spanId: undefined },
    { name: 'span id too short: the raw text names the span', fields: { spanId: 'abc' }, spanId: 'abc' },
    { name: 'span id all zero', fields: { spanId: '0'.repeat(16) }, spanId: '0000000000000000' },
    { name: 'span id base64 with a bad trace id: named in hex', fields: { traceId: '', spanId: 'Dz8z/bNqygQ=' }, spanId: SPAN_ID },
  ])('$name: skipped with INVALID_ID', ({ fields, spanId }) => {
    const { value, issues } = otlpJsonToSpans(request(fields));
    expect(value).toEqual([]);
    expect(issues).toEqual([{ code: 'INVALID_ID', ...(spanId === undefined ? {} : { spanId }), path: where, message: skipped }]);
  });

  test.each([
    { name: 'absent', parentSpanId: undefined, issues: [] },
    { name: 'empty text', parentSpanId: '', issues: [] },
    { name: 'empty Buffer JSON', parentSpanId: { type: 'Buffer', data: [] }, issues: [] },
    { name: 'all zero', parentSpanId: '0000000000000000', issues: [] },
    {
      name: 'malformed',
      parentSpanId: 'xyz',
      issues: [{ code: 'INVALID_ID', spanId: SPAN_ID, path: 'parentSpanId', message: 'invalid parent span id dropped; span treated as a root' }],
    },
  ])('parent span id $name: a root span', ({ parentSpanId, issues }) => {
    const result = one({ parentSpanId });
    expect(result.span?.parentSpanContext).toBeUndefined();
    expect(result.issues).toEqual(issues);
  });

  test('a link without valid ids is dropped with INVALID_ID; the others stay', () => {
    const { span, issues } = one({ links: [{ traceId: TRACE_ID }, 'junk', { traceId: TRACE_ID, spanId: PARENT_ID, traceState: 'k=v' }] });
    expect(span?.links.map((l) => [l.context.spanId, l.context.traceState?.serialize()])).toEqual([[PARENT_ID, 'k=v']]);
    expect(issues).toEqual([
      { code: 'INVALID_ID', spanId: SPAN_ID, path: 'links[0]', message: 'span link without a valid trace id and span id; dropped' },
      { code: 'INVALID_ID', spanId: SPAN_ID, path: 'links[1]', message: 'span link without a valid trace id and span id; dropped' },
    ]);
  });
});

describe('times', () => {
  test.each([
    { name: 'decimal string', nanos: '1795550920613914663', expected: [1795550920, 613914663] },
    { name: 'whole seconds', nanos: '1795550920000000000', expected: [1795550920, 0] },
    { name: 'one nanosecond', nanos: '1', expected: [0, 1] },
    { name: 'uint64 max', nanos: '18446744073709551615', expected: [18446744073, 709551615] },
    { name: 'JSON number (exactly representable)', nanos: 1795550920000000000, expected: [1795550920, 0] },
    { name: 'long bits {low, high}', nanos: { low: -1890490329, high: 418059276 }, expected: [1795550920, 613914663] },
    { name: 'unsigned long bits', nanos: { low: 2404476967, high: 418059276, unsigned: true }, expected: [1795550920, 613914663] },
  ])('$name', ({ nanos, expected }) => {
    const { span, issues } = one({ startTimeUnixNano: nanos, endTimeUnixNano: nanos, events: [{ name: 'e', timeUnixNano: nanos }] });
    expect(issues).toEqual([]);
    expect([span?.startTime, span?.endTime, span?.duration, span?.events[0]?.time]).toEqual([expected, expected, [0, 0], expected]);
  });

  test('duration is exact across a second boundary', () => {
    const { span } = one({ startTimeUnixNano: '1795550920999999999', endTimeUnixNano: '1795550922000000001' });
    expect(span?.duration).toEqual([1, 2]);
  });

  const where = 'resourceSpans[0].scopeSpans[0].spans[0]';
  const skipped = 'span skipped: start time missing or invalid, or end time invalid';
  test.each([
    { name: 'start missing', fields: { startTimeUnixNano: undefined } },
    { name: 'start zero', fields: { startTimeUnixNano: '0' } },
    { name: 'start beyond uint64', fields: { startTimeUnixNano: '18446744073709551616' } },
    { name: 'start negative', fields: { startTimeUnixNano: '-1' } },
    { name: 'start with a fraction', fields: { startTimeUnixNano: '1.5' } },
    { name: 'start a float number', fields: { startTimeUnixNano: 1.5 } },
    { name: 'start ISO text', fields: { startTimeUnixNano: '2026-11-24T20:08:40Z' } },
    { name: 'end unreadable', fields: { endTimeUnixNano: 'yesterday' } },
  ])('$name: skipped with INVALID_TIME', ({ fields }) => {
    const { value, issues } = otlpJsonToSpans(request(fields));
    expect(value).toEqual([]);
    expect(issues).toEqual([{ code: 'INVALID_TIME', spanId: SPAN_ID, path: where, message: skipped }]);
  });

  test.each([
    { name: 'missing', endTimeUnixNano: undefined },
    { name: 'zero', endTimeUnixNano: '0' },
  ])('end $name: an unended span, which spansToIngestion reports as MISSING_END_TIME', ({ endTimeUnixNano }) => {
    const { span, issues } = one({ endTimeUnixNano });
    expect(issues).toEqual([]);
    expect([span?.ended, span?.endTime, span?.duration]).toEqual([false, [0, 0], [0, 0]]);
    expect(spansToIngestion([span!]).issues.map((i) => [i.code, i.spanId])).toEqual([['MISSING_END_TIME', SPAN_ID]]);
  });

  test('an event without a valid time is dropped with INVALID_TIME', () => {
    const { span, issues } = one({ events: [{ name: 'no time' }, { name: 'ok', timeUnixNano: '5' }] });
    expect(span?.events).toStrictEqual([{ name: 'ok', attributes: {}, time: [0, 5], droppedAttributesCount: 0 }]);
    expect(issues).toEqual([{ code: 'INVALID_TIME', spanId: SPAN_ID, path: 'events[0]', message: 'span event without a valid time; dropped' }]);
  });
});

describe('enums, flags, status and the deprecated names', () => {
  test.each([
    { name: 'absent', kind: undefined, expected: 0 },
    { name: 'SPAN_KIND_UNSPECIFIED', kind: 'SPAN_KIND_UNSPECIFIED', expected: 0 },
    { name: '0', kind: 0, expected: 0 },
    { name: 'SPAN_KIND_INTERNAL', kind: 'SPAN_KIND_INTERNAL', expected: 0 },
    { name: '2 (server)', kind: 2, expected: 1 },
    { name: 'SPAN_KIND_CLIENT', kind: 'SPAN_KIND_CLIENT', expected: 2 },
    { name: '3 (client)', kind: 3, expected: 2 },
    { name: 'SPAN_KIND_PRODUCER', kind: 'SPAN_KIND_PRODUCER', expected: 3 },
    { name: 'SPAN_KIND_CONSUMER', kind: 'SPAN_KIND_CONSUMER', expected: 4 },
  ])('kind $name -> API kind $expected', ({ kind, expected }) => {
    const { span, issues } = one({ kind });
    expect([span?.kind, issues]).toEqual([expected, []]);
  });

  test.each([
    { name: 'absent', status: undefined, expected: { code: 0 } },
    { name: 'empty', status: {}, expected: { code: 0 } },
    { name: 'STATUS_CODE_OK', status: { code: 'STATUS_CODE_OK' }, expected: { code: 1 } },
    { name: 'STATUS_CODE_ERROR with a message', status: { code: 'STATUS_CODE_ERROR', message: 'boom' }, expected: { code: 2, message: 'boom' } },
    { name: '2 with an empty message', status: { code: 2, message: '' }, expected: { code: 2 } },
  ])('status $name', ({ status, expected }) => {
    const { span, issues } = one({ status });
    expect([span?.status, issues]).toEqual([expected, []]);
  });

  test.each([
    { name: 'kind 6', fields: { kind: 6 }, path: 'kind', message: 'unknown span kind; INTERNAL used' },
    { name: 'kind CLIENT (not a proto name)', fields: { kind: 'CLIENT' }, path: 'kind', message: 'unknown span kind; INTERNAL used' },
    { name: 'status code 3', fields: { status: { code: 3 } }, path: 'status.code', message: 'unknown status code; UNSET used' },
    { name: 'status code ERROR', fields: { status: { code: 'ERROR' } }, path: 'status.code', message: 'unknown status code; UNSET used' },
  ])('$name: the default with an INVALID_VALUE issue', ({ fields, path, message }) => {
    const { span, issues } = one(fields);
    expect([span?.kind, span?.status]).toEqual([0, { code: 0 }]);
    expect(issues).toEqual([{ code: 'INVALID_VALUE', spanId: SPAN_ID, path, message }]);
  });

  test.each([
    { name: 'absent: sampled (the span was exported)', flags: undefined, traceFlags: 1, remote: {} },
    { name: '0x100: not sampled, parent local', flags: 0x100, traceFlags: 0, remote: {} },
    { name: '0x101: sampled, parent local', flags: 0x101, traceFlags: 1, remote: {} },
    { name: '0x301: sampled, parent remote', flags: 0x301, traceFlags: 1, remote: { isRemote: true } },
    { name: '0x200 without HAS_IS_REMOTE: remote unknown', flags: 0x200, traceFlags: 0, remote: {} },
  ])('span flags $name', ({ flags, traceFlags, remote }) => {
    const { span } = one({ flags, parentSpanId: PARENT_ID, links: [{ traceId: TRACE_ID, spanId: PARENT_ID, flags }] });
    expect(span?.spanContext()).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags });
    expect(span?.parentSpanContext).toEqual({ traceId: TRACE_ID, spanId: PARENT_ID, traceFlags, ...remote });
    // A link without flags has unknown trace flags: NONE.
    expect(span?.links[0]?.context).toEqual({ traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: flags === undefined ? 0 : traceFlags, ...remote });
  });

  test('instrumentationLibrarySpans/instrumentationLibrary are read as scopeSpans/scope', () => {
    const req = request() as { resourceSpans: Rec[] };
    const [rs] = req.resourceSpans as [{ scopeSpans: Array<{ scope: unknown; spans: unknown }> }];
    const old = { instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old-lib', version: '0.1' }, spans: rs.scopeSpans[0]!.spans }] };
    const { value, issues } = otlpJsonToSpans({ resourceSpans: [{ resource: { attributes: [] }, ...old }] });
    expect(issues).toEqual([]);
    expect(value.map((s) => [spanIdOf(s), s.instrumentationScope])).toEqual([[SPAN_ID, { name: 'old-lib', version: '0.1' }]]);
  });

  test('scopeSpans wins over instrumentationLibrarySpans when both are present', () => {
    const { value } = otlpJsonToSpans({
      resourceSpans: [{ ...(request().resourceSpans as Rec[])[0], instrumentationLibrarySpans: [{ spans: [{ junk: true }] }] }],
    });
    expect(value.map((s) => s.instrumentationScope)).toEqual([{ name: 'scope', version: '1.0.0' }]);
  });

  test('resource and scope: schema URLs, scope attributes, dropped counts, trace state', () => {
    const { span, issues } = one(
      { traceState: 'a=1,b=2', droppedAttributesCount: 1, droppedEventsCount: 2, droppedLinksCount: 3 },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
    );
    expect(issues).toEqual([]);
    expect(span?.spanContext().traceState?.serialize()).toBe('a=1,b=2');
    expect([span?.droppedAttributesCount, span?.droppedEventsCount, span?.droppedLinksCount]).toEqual([1, 2, 3]);
    expect([span?.resource.attributes, span?.resource.schemaUrl]).toEqual([{ 'service.name': 'svc' }, 'https://opentelemetry.io/schemas/1.30.0']);
    const scoped = otlpJsonToSpans({
      resourceSpans: [
        {
          scopeSpans: [
            {
              scope: { name: 's', attributes: [{ key: 'x', value: { intValue: '1' } }] },
              schemaUrl: 'https://example.test/schema',
              spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, startTimeUnixNano: '1', endTimeUnixNano: '2' }],
            },
          ],
        },
      ],
    });
    expect(scoped.value[0]?.instrumentationScope).toEqual({ name: 's', schemaUrl: 'https://example.test/schema', attributes: { x: 1 } });
    expect(scoped.value[0]?.resource.attributes).toEqual({});
  });

  test('spans of one resourceSpans entry share one Resource; entries do not share', () => {
    const rs = (request().resourceSpans as Rec[])[0]!;
    const twoSpans = { ...rs, scopeSpans: [...(rs['scopeSpans'] as Rec[]), ...(rs['scopeSpans'] as Rec[])] };
    const { value } = otlpJsonToSpans({ resourceSpans: [twoSpans, rs] });
    expect(value).toHaveLength(3);
    expect(value[0]?.resource).toBe(value[1]?.resource);
    expect(value[2]?.resource).not.toBe(value[0]?.resource);
  });
});

// ---------------------------------------------------------------------------------------------
// (e) hostile input

describe('hostile input', () => {
  test.each([
    { name: 'null', request: null },
    { name: 'a number', request: 42 },
    { name: 'text', request: '{"resourceSpans":[]}' },
    { name: 'an array', request: [] },
    { name: 'resourceSpans not an array', request: { resourceSpans: { 0: {} } } },
  ])('$name: no spans, one SKIPPED issue', ({ request: req }) => {
    expect(otlpJsonToSpans(req)).toEqual({
      value: [],
      issues: [{ code: 'SKIPPED', message: 'not an OTLP ExportTraceServiceRequest: expected an object with a resourceSpans array' }],
    });
  });

  test('an empty request is no spans and no issues', () => {
    expect(otlpJsonToSpans({})).toEqual({ value: [], issues: [] });
    expect(otlpJsonToSpans({ resourceSpans: [] })).toEqual({ value: [], issues: [] });
  });

  test('junk entries are skipped with their location; the good span still comes through', () => {
    const good = (request().resourceSpans as Rec[])[0]!;
    const { value, issues } = otlpJsonToSpans({ resourceSpans: [null, { scopeSpans: [7, { spans: ['x'] }] }, good] });
    expect(value.map(spanIdOf)).toEqual([SPAN_ID]);
    expect(issues).toEqual([
      { code: 'SKIPPED', path: 'resourceSpans[0]', message: 'resourceSpans entry is not an object' },
      { code: 'SKIPPED', path: 'resourceSpans[1].scopeSpans[0]', message: 'scopeSpans entry is not an object' },
      { code: 'SKIPPED', path: 'resourceSpans[1].scopeSpans[1].spans[0]', message: 'span is not an object' },
    ]);
  });

  const RUNS = { numRuns: 300 };
  const ISSUE_CODES: ReadonlySet<IssueCode> = new Set(['INVALID_ID', 'INVALID_TIME', 'INVALID_VALUE', 'HOSTILE_KEY', 'SKIPPED']);
  const junk = fc.anything({ withNullPrototype: true, withBigInt: true, withTypedArray: true, withSparseArray: true });
  const hex = (length: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });
  const id = (bytes: number): fc.Arbitrary<unknown> =>
    fc.oneof(
      hex(bytes * 2),
      fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('base64')),
      fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => ({ type: 'Buffer', data: [...b] })),
      fc.constantFrom('', '0'.repeat(bytes * 2)),
      junk,
    );
  const time = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 65n }).map(String), fc.bigInt({ min: -5n, max: 2n ** 64n }).map(Number), junk);
  const { anyValue } = fc.letrec<{ anyValue: unknown }>((tie) => ({
    anyValue: fc.oneof(
      { depthSize: 'small' },
      fc.record({ stringValue: fc.oneof(fc.string(), junk) }),
      fc.record({ boolValue: fc.oneof(fc.boolean(), junk) }),
      fc.record({ intValue: fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String), junk) }),
      fc.record({ doubleValue: fc.oneof(fc.double(), fc.constantFrom('NaN', 'Infinity', '-Infinity', null), junk) }),
      fc.record({ bytesValue: fc.oneof(fc.base64String(), junk) }),
      fc.record({ arrayValue: fc.record({ values: fc.array(tie('anyValue'), { maxLength: 4 }) }) }),
      fc.record({ kvlistValue: fc.record({ values: fc.array(tie('keyValue'), { maxLength: 4 }) }) }),
      junk,
    ),
    keyValue: fc.oneof(
      fc.record({ key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype')), value: tie('anyValue') }),
      junk,
    ),
  })) as { anyValue: fc.Arbitrary<unknown> };
  const attributes = fc.array(fc.oneof(fc.record({ key: fc.string(), value: anyValue }), junk), { maxLength: 4 });
  const span = fc.record(
    {
      traceId: id(16),
      spanId: id(8),
      parentSpanId: id(8),
      name: fc.oneof(fc.string(), junk),
      kind: fc.oneof(fc.integer({ min: -1, max: 7 }), fc.constantFrom('SPAN_KIND_SERVER', 'SPAN_KIND_NOPE'), junk),
      startTimeUnixNano: time,
      endTimeUnixNano: time,
      flags: fc.oneof(fc.integer(), junk),
      traceState: fc.oneof(fc.string(), junk),
      attributes: fc.oneof(attributes, junk),
      events: fc.array(fc.oneof(fc.record({ name: fc.string(), timeUnixNano: time, attributes }), junk), { maxLength: 3 }),
      links: fc.array(fc.oneof(fc.record({ traceId: id(16), spanId: id(8), traceState: fc.string(), attributes, flags: fc.integer() }), junk), { maxLength: 3 }),
      status: fc.oneof(fc.record({ code: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.string(), junk), message: fc.oneof(fc.string(), junk) }), junk),
      droppedAttributesCount: fc.oneof(fc.nat(), junk),
    },
    { requiredKeys: [] },
  );
  const requestOf = (spans: unknown[]): Rec => ({
    resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans }] }],
  });
  const randomRequest = fc.record(
    {
      resourceSpans: fc.oneof(
        fc.array(
          fc.oneof(
            fc.record(
              {
                resource: fc.oneof(fc.record({ attributes }), junk),
                schemaUrl: junk,
                scopeSpans: fc.array(fc.oneof(fc.record({ scope: junk, spans: fc.array(fc.oneof(span, junk), { maxLength: 4 }) }, { requiredKeys: [] }), junk), { maxLength: 3 }),
                instrumentationLibrarySpans: fc.array(fc.record({ instrumentationLibrary: junk, spans: fc.array(span, { maxLength: 2 }) }), { maxLength: 2 }),
              },
              { requiredKeys: [] },
            ),
            junk,
          ),
          { maxLength: 3 },
        ),
        junk,
      ),
    },
    { requiredKeys: [] },
  );

  /** Every decoded span is well formed, whatever went in. */
  function expectWellFormed(spans: readonly ReadableSpan[], issues: readonly MappingIssue[]): void {
    for (const s of spans) {
      const ctx = s.spanContext();
      expect(ctx.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect((s.startTime as HrTime).every(Number.isSafeInteger)).toBe(true);
    }
    for (const issue of issues) expect(ISSUE_CODES.has(issue.code)).toBe(true);
  }

  test('fc.anything() as a request never throws', () => {
    fc.assert(
      fc.property(junk, (req) => {
        const { value, issues } = otlpJsonToSpans(req);
        expectWellFormed(value, issues);
      }),
      { numRuns: 1000 },
    );
  });

  test('random-shaped requests never throw; decoded spans map without throwing', () => {
    fc.assert(
      fc.property(randomRequest, (req) => {
        const { value, issues } = otlpJsonToSpans(req);
        expectWellFormed(value, issues);
        expect(() => spansToIngestion(value)).not.toThrow();
      }),
      RUNS,
    );
  });

  test('every issue about a span with a valid span id carries that id', () => {
    fc.assert(
      fc.property(span, hex(16), (s, spanId) => {
        fc.pre(/[1-9a-f]/i.test(spanId));
        const { issues } = otlpJsonToSpans(requestOf([{ ...s, spanId }]));
        for (const issue of issues) expect(issue.spanId).toBe(spanId.toLowerCase());
      }),
      RUNS,
    );
  });

  test('a span with a bad value, event and link: every issue names the span', () => {
    const { span: decoded, issues } = one({
      attributes: [{ key: 'bad', value: { intValue: 'x' } }],
      events: [{ name: 'no time' }],
      links: [{ traceId: 'nope' }],
      kind: 'SPAN_KIND_SIDEWAYS',
    });
    expect(decoded?.name).toBe('n');
    expect(issues.map((i) => [i.code, i.spanId, i.path])).toEqual([
      ['INVALID_VALUE', SPAN_ID, 'kind'],
      ['INVALID_VALUE', SPAN_ID, 'attributes.bad'],
      ['INVALID_ID', SPAN_ID, 'links[0]'],
      ['INVALID_TIME', SPAN_ID, 'events[0]'],
    ]);
  });
});
