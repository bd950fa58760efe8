/**
 * decodeOtlpTraceRequest / otlpProtobufToSpans: the hand-written OTLP/protobuf reader.
 * Inputs come from the STOCK ProtobufTraceSerializer or are built with protobufjs (the official
 * .proto files, plus protobufjs's Writer for wire shapes no encoder emits), never from our own
 * code. Oracles: the stock JSON serializer read by otlpJsonToSpans, and protobufjs's decoding of
 * the same bytes (test/helpers/otlp-proto.ts). fast-check feeds random, truncated and damaged bytes.
 */
import { fileURLToPath } from 'node:url';
import type { HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, test } from 'vitest';
import { MAX_ANY_VALUE_DEPTH, otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import { decodeOtlpTraceRequest, otlpProtobufToSpans } from '../../src/otlp/otlp-proto.js';
import type { IssueCode, MappingIssue } from '../../src/mapping/result.js';
import { spanDumpToReadableSpans } from '../../src/mapping/span-dump.js';
import { DIALECTS, loadExampleSpans } from '../helpers/examples.js';
import { decodeTraceRequest, encodeWithStockSerializer, stockJson } from '../helpers/otlp-proto.js';

type Rec = Record<string, unknown>;

const TRACE_ID = 'f629388210ef905a4ffe3152be6617c2';
const SPAN_ID = '0f3f33fdb36aca04';
const PARENT_ID = '7cdb6205cba42756';
const START = '1795550920560000000';
const END = '1795550920613914663';

// ---------------------------------------------------------------------------------------------
// protobufjs: the official OTLP .proto files, with the fields added since v0.9 (as the helper does)

const PROTO_ROOT = fileURLToPath(
  new URL('../../node_modules/@opentelemetry/exporter-collector-proto/build/protos/', import.meta.url),
);
const COMMON = 'opentelemetry.proto.common.v1';
const TRACE = 'opentelemetry.proto.trace.v1';

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${PROTO_ROOT}${target}`;
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  const anyValue = root.lookupType(`${COMMON}.AnyValue`);
  const bytesValue = new protobuf.Field('bytesValue', 7, 'bytes');
  anyValue.add(bytesValue);
  anyValue.oneofs['value']?.add(bytesValue);
  root
    .lookupType(`${COMMON}.InstrumentationLibrary`)
    .add(new protobuf.Field('attributes', 3, `${COMMON}.KeyValue`, 'repeated'))
    .add(new protobuf.Field('droppedAttributesCount', 4, 'uint32'));
  root.lookupType(`${TRACE}.ResourceSpans`).add(new protobuf.Field('schemaUrl', 3, 'string'));
  root.lookupType(`${TRACE}.InstrumentationLibrarySpans`).add(new protobuf.Field('schemaUrl', 3, 'string'));
  root.lookupType(`${TRACE}.Span`).add(new protobuf.Field('flags', 16, 'fixed32'));
  root.lookupType(`${TRACE}.Span.Link`).add(new protobuf.Field('flags', 6, 'fixed32'));
  root.resolveAll();
  return root;
}

const root = loadRoot();
const T = {
  request: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
  resource: root.lookupType('opentelemetry.proto.resource.v1.Resource'),
  scope: root.lookupType(`${COMMON}.InstrumentationLibrary`),
  span: root.lookupType(`${TRACE}.Span`),
  event: root.lookupType(`${TRACE}.Span.Event`),
  link: root.lookupType(`${TRACE}.Span.Link`),
  status: root.lookupType(`${TRACE}.Status`),
  keyValue: root.lookupType(`${COMMON}.KeyValue`),
  anyValue: root.lookupType(`${COMMON}.AnyValue`),
};

function encode(type: protobuf.Type, obj: Rec): Uint8Array {
  return type.encode(type.fromObject(obj)).finish();
}

const hexBytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

/** A protobufjs span object (old-proto names) with valid ids and times; `fields` override. */
function pbSpan(fields: Rec = {}): Rec {
  return { traceId: hexBytes(TRACE_ID), spanId: hexBytes(SPAN_ID), name: 'n', kind: 3, startTimeUnixNano: START, endTimeUnixNano: END, ...fields };
}

/** A one-resource, one-scope request of `spans` (protobufjs objects), encoded by protobufjs. */
function pbRequest(spans: Rec[]): Uint8Array {
  return encode(T.request, {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'scope', version: '1.0.0' }, spans }],
      },
    ],
  });
}

// Raw wire pieces, written with protobufjs's Writer.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
const tag = (field: number, wireType: number): number => ((field << 3) | wireType) >>> 0;
const writer = (): protobuf.Writer => protobuf.Writer.create();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Field `field` as a length-delimited run of `bytes`. */
const lenField = (field: number, bytes: Uint8Array): Uint8Array => writer().uint32(tag(field, LEN)).bytes(bytes).finish();

/** Spans (encoded Span messages) in one ScopeSpans of one ResourceSpans, framed by hand. */
function requestOfSpans(...spans: Uint8Array[]): Uint8Array {
  const scopeSpans = concat(lenField(1, encode(T.scope, { name: 'scope' })), ...spans.map((s) => lenField(2, s)));
  const resource = encode(T.resource, { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] });
  return lenField(1, concat(lenField(1, resource), lenField(2, scopeSpans)));
}

/** An encoded Span with span id `spanId`, plus `extra` raw bytes appended inside it. */
function spanBytes(spanId: string, extra: Uint8Array = new Uint8Array(0), fields: Rec = {}): Uint8Array {
  return concat(encode(T.span, pbSpan({ spanId: hexBytes(spanId), ...fields })), extra);
}

// ---------------------------------------------------------------------------------------------
// Projections and fixtures

/** Every field of a ReadableSpan as plain data (trace states serialized, the resource read out). */
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

const spanIdOf = (s: ReadableSpan): string => s.spanContext().spanId;

/**
 * Spans using every field the examples leave empty: links with trace state, flags, attributes and
 * a remote context; events with and without attributes and dropped counts; trace state; error
 * status; every kind; an unsampled span; a remote parent; dropped counts; negative, double,
 * boolean, empty-string, unicode, long, nested kvlist and array attributes; two resources (one
 * with a schema URL); scope schema URL and attributes; the largest time OTLP can carry.
 */
function richSpans(): ReadableSpan[] {
  const [root, child, internal, producer, edge] = spanDumpToReadableSpans([
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
        yes: true,
        neg: -3,
        negBig: -(2 ** 52),
        half: 0.5,
        tiny: 5e-324,
        huge: 1.7976931348623157e308,
        unicode: 'Grüße, 世界 🎉',
        long: 'x'.repeat(300),
        strs: ['a', '', 'b'],
        nums: [1, -2.5],
        bools: [true, false],
        nested: { a: { b: [1, 'two', { c: null }] } },
      },
      events: [
        { name: 'exception', time: [1795550920, 600000000], attributes: { 'exception.message': 'boom' } },
        { name: '', time: [1795550920, 700000001] },
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
      name: 'end of time',
      kind: 4,
      traceId: 'e'.repeat(32),
      spanId: '4444444444444444',
      parentSpanId: '2222222222222222',
      startTime: [18446744073, 709551614],
      endTime: [18446744073, 709551615],
      resource: { 'service.name': 'svc-b' },
      scope: { name: 'scope-b', version: '2.0.0' },
    },
  ]).value as [ReadableSpan, ReadableSpan, ReadableSpan, ReadableSpan, ReadableSpan];

  const resourceB = resourceFromAttributes({ 'service.name': 'svc-b' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const scopeB = {
    name: 'scope-b',
    version: '2.0.0',
    schemaUrl: 'https://opentelemetry.io/schemas/1.29.0',
    attributes: { 'scope.attr': 'x' },
  } as ReadableSpan['instrumentationScope'];
  const inB = (span: ReadableSpan, fields: Partial<ReadableSpan> = {}): ReadableSpan => ({ ...span, resource: resourceB, instrumentationScope: scopeB, ...fields });
  return [
    { ...root, droppedAttributesCount: 2, droppedEventsCount: 3, droppedLinksCount: 4 },
    { ...child, parentSpanContext: { ...child.parentSpanContext!, isRemote: true } },
    { ...internal, events: [{ name: 'dropped some', time: [1795550920, 1], attributes: { kept: 1 }, droppedAttributesCount: 5 }] },
    inB(producer, {
      links: [...producer.links, { context: { ...root.spanContext(), isRemote: true }, attributes: { hop: 2 }, droppedAttributesCount: 1 }],
    }),
    inB(edge),
  ];
}

const SOURCES: ReadonlyArray<{ name: string; load: () => ReadableSpan[] }> = [
  ...DIALECTS.map((d) => ({ name: `examples/spans/${d}.json`, load: () => loadExampleSpans(d) })),
  { name: 'rich spans (every field)', load: richSpans },
];

const ISSUE_CODES: ReadonlySet<IssueCode> = new Set(['INVALID_PROTOBUF', 'INVALID_ID', 'INVALID_TIME', 'INVALID_VALUE', 'HOSTILE_KEY', 'SKIPPED']);

/** Every decoded span is well formed and every issue has a known code, whatever went in. */
function expectWellFormed(spans: readonly ReadableSpan[], issues: readonly MappingIssue[]): void {
  for (const s of spans) {
    const ctx = s.spanContext();
    expect(ctx.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect((s.startTime as HrTime).every(Number.isSafeInteger)).toBe(true);
  }
  for (const issue of issues) expect(ISSUE_CODES.has(issue.code)).toBe(true);
}

/** The one decoded span's attributes, for a request of one span with `attributes` (protobufjs KeyValues). */
function attributesOf(attributes: Rec[]): { attributes: unknown; issues: readonly MappingIssue[] } {
  const { value, issues } = otlpProtobufToSpans(pbRequest([pbSpan({ attributes })]));
  return { attributes: value[0]?.attributes, issues };
}

// ---------------------------------------------------------------------------------------------
// Round trips through the stock serializers

describe('round trip: stock ProtobufTraceSerializer -> otlpProtobufToSpans', () => {
  test.each(SOURCES)('$name: the same spans as the stock JSON serializer read by otlpJsonToSpans', ({ load }) => {
    const spans = load();
    const viaProto = otlpProtobufToSpans(encodeWithStockSerializer(spans));
    const viaJson = otlpJsonToSpans(stockJson(spans));
    expect(viaProto.issues).toEqual([]);
    expect(viaJson.issues).toEqual([]);
    expect(viaProto.value).toHaveLength(spans.length);
    expect(viaProto.value.map(plain)).toStrictEqual(viaJson.value.map(plain));
  });

  test.each(SOURCES)('$name: every field of every original span comes back', ({ load }) => {
    const original = load();
    const { value } = otlpProtobufToSpans(encodeWithStockSerializer(original));
    const decoded = new Map(value.map((s) => [spanIdOf(s), s]));
    expect([...decoded.keys()].sort()).toEqual(original.map(spanIdOf).sort());
    for (const span of original) expect(plain(decoded.get(spanIdOf(span))!)).toStrictEqual(plain(span));
  });

  test.each(SOURCES)('$name: the decoded object equals protobufjs decoding the same bytes', ({ load }) => {
    const bytes = encodeWithStockSerializer(load());
    const { value, issues } = decodeOtlpTraceRequest(bytes);
    expect(issues).toEqual([]);
    expect(value).toEqual(decodeTraceRequest(bytes));
  });

  test.each(SOURCES)('$name: spans of one resource share one Resource object', ({ load }) => {
    const original = load();
    const { value } = otlpProtobufToSpans(encodeWithStockSerializer(original));
    expect(new Set(value.map((s) => s.resource)).size).toBe(new Set(original.map((s) => s.resource)).size);
  });

  test('the decoded object has the OTLP/JSON shape: hex ids, decimal times, numbers for enums and flags', () => {
    const [span] = spanDumpToReadableSpans({
      name: 'n',
      kind: 2,
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      parentSpanId: PARENT_ID,
      traceState: 'a=1',
      startTime: [1795550920, 560000000],
      endTime: [1795550920, 613914663],
      attributes: { s: 'x', i: 7, d: 0.5, b: true, raw: new Uint8Array([1, 2, 255]) as unknown as string },
      events: [{ name: 'e', time: [1795550920, 600000000] }],
      status: { code: 2, message: 'boom' },
      resource: { 'service.name': 'svc' },
      scope: { name: 'sc', version: '1' },
    }).value as [ReadableSpan];
    const { value } = decodeOtlpTraceRequest(encodeWithStockSerializer([span]));
    const rs = (value['resourceSpans'] as Rec[])[0]!;
    expect(rs['resource']).toEqual({ attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] });
    const ss = (rs['scopeSpans'] as Rec[])[0]!;
    expect(ss['scope']).toEqual({ name: 'sc', version: '1', attributes: [] });
    expect((ss['spans'] as Rec[])[0]).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      parentSpanId: PARENT_ID,
      traceState: 'a=1',
      flags: 0x101,
      name: 'n',
      kind: 3,
      startTimeUnixNano: START,
      endTimeUnixNano: END,
      attributes: [
        { key: 's', value: { stringValue: 'x' } },
        { key: 'i', value: { intValue: '7' } },
        { key: 'd', value: { doubleValue: 0.5 } },
        { key: 'b', value: { boolValue: true } },
        { key: 'raw', value: { bytesValue: 'AQL/' } },
      ],
      events: [{ timeUnixNano: '1795550920600000000', name: 'e', attributes: [] }],
      links: [],
      status: { message: 'boom', code: 2 },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Values, built with protobufjs

describe('AnyValue and scalar decoding (input encoded by protobufjs)', () => {
  test.each([
    { intValue: '0', expected: 0 },
    { intValue: '-1', expected: -1 },
    { intValue: '4294967295', expected: 4294967295 },
    { intValue: '4294967296', expected: 4294967296 },
    { intValue: '-4294967296', expected: -4294967296 },
    { intValue: '9007199254740991', expected: 9007199254740991 },
    { intValue: '-9007199254740991', expected: -9007199254740991 },
    { intValue: '9007199254740993', expected: '9007199254740993' },
    { intValue: '-9007199254740993', expected: '-9007199254740993' },
    { intValue: '1152921504606846976', expected: '1152921504606846976' },
    { intValue: '9223372036854775807', expected: '9223372036854775807' },
    { intValue: '-9223372036854775808', expected: '-9223372036854775808' },
  ])('int64 $intValue: exact decimal text in the object, $expected in the span', ({ intValue, expected }) => {
    const bytes = pbRequest([pbSpan({ attributes: [{ key: 'k', value: { intValue } }] })]);
    const decoded = decodeOtlpTraceRequest(bytes).value;
    expect(decoded).toEqual(decodeTraceRequest(bytes));
    const span = ((decoded['resourceSpans'] as Rec[])[0]!['scopeSpans'] as Rec[])[0]!['spans'] as Rec[];
    expect(span[0]!['attributes']).toEqual([{ key: 'k', value: { intValue } }]);
    expect(attributesOf([{ key: 'k', value: { intValue } }])).toEqual({ attributes: { k: expected }, issues: [] });
  });

  test.each([
    { name: 'double 0.5', value: { doubleValue: 0.5 }, expected: 0.5 },
    { name: 'double -0', value: { doubleValue: -0 }, expected: -0 },
    { name: 'double NaN', value: { doubleValue: NaN }, expected: NaN },
    { name: 'double -Infinity', value: { doubleValue: -Infinity }, expected: -Infinity },
    { name: 'double smallest subnormal', value: { doubleValue: 5e-324 }, expected: 5e-324 },
    { name: 'bool true', value: { boolValue: true }, expected: true },
    { name: 'bool false (a oneof member: kept)', value: { boolValue: false }, expected: false },
    { name: 'empty string (a oneof member: kept)', value: { stringValue: '' }, expected: '' },
    { name: 'unicode string', value: { stringValue: 'Grüße, 世界 🎉' }, expected: 'Grüße, 世界 🎉' },
    { name: 'a leading BOM is kept', value: { stringValue: '\uFEFFbom' }, expected: '\uFEFFbom' },
    { name: 'a literal U+FFFD is kept without an issue', value: { stringValue: 'a\uFFFDb' }, expected: 'a\uFFFDb' },
    { name: 'long ASCII string', value: { stringValue: 'y'.repeat(5000) }, expected: 'y'.repeat(5000) },
    { name: 'empty bytes', value: { bytesValue: new Uint8Array(0) }, expected: '' },
    { name: 'bytes (1 byte tail)', value: { bytesValue: new Uint8Array([0xfb]) }, expected: '+w==' },
    { name: 'bytes (2 byte tail)', value: { bytesValue: new Uint8Array([0xfb, 0xff]) }, expected: '+/8=' },
    { name: 'bytes 0..255', value: { bytesValue: Uint8Array.from({ length: 256 }, (_, i) => i) }, expected: Buffer.from(Uint8Array.from({ length: 256 }, (_, i) => i)).toString('base64') },
    { name: 'empty AnyValue', value: {}, expected: null },
    {
      name: 'nested arrays and kvlists',
      value: {
        kvlistValue: {
          values: [
            { key: 'a', value: { arrayValue: { values: [{ intValue: '-5' }, { stringValue: '' }, {}, { arrayValue: { values: [] } }] } } },
            { key: 'b', value: { kvlistValue: { values: [{ key: 'c', value: { doubleValue: 1.5 } }, { key: '', value: { boolValue: false } }] } } },
            { key: 'e', value: { kvlistValue: {} } },
          ],
        },
      },
      expected: { a: [-5, '', null, []], b: { c: 1.5, '': false }, e: {} },
    },
  ])('$name', ({ value, expected }) => {
    expect(attributesOf([{ key: 'k', value }])).toEqual({ attributes: { k: expected }, issues: [] });
    const bytes = pbRequest([pbSpan({ attributes: [{ key: 'k', value }] })]);
    expect(decodeOtlpTraceRequest(bytes).value).toEqual(decodeTraceRequest(bytes));
  });

  test('an empty key is the empty key; duplicate keys: the last wins', () => {
    expect(
      attributesOf([
        { key: '', value: { stringValue: 'no key' } },
        { key: 'd', value: { intValue: '1' } },
        { key: 'd', value: { intValue: '2' } },
      ]),
    ).toEqual({ attributes: { '': 'no key', d: 2 }, issues: [] });
  });

  test('empty strings, zero numbers and empty ids are proto3 defaults: absent (proto3 scalars have no presence)', () => {
    const bytes = concat(
      requestOfSpans(
        concat(
          spanBytes(SPAN_ID),
          writer().uint32(tag(5, LEN)).string('').uint32(tag(6, VARINT)).uint32(0).uint32(tag(10, VARINT)).uint32(0).finish(),
          writer().uint32(tag(4, LEN)).bytes(new Uint8Array(0)).uint32(tag(3, LEN)).string('').uint32(tag(16, I32)).fixed32(0).finish(),
        ),
      ),
    );
    const span = ((decodeOtlpTraceRequest(bytes).value['resourceSpans'] as Rec[])[0]!['scopeSpans'] as Rec[])[0]!['spans'] as Rec[];
    expect(span[0]).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, startTimeUnixNano: START, endTimeUnixNano: END, attributes: [], events: [], links: [] });
    const { value, issues } = otlpProtobufToSpans(bytes);
    expect(issues).toEqual([]);
    expect([value[0]?.name, value[0]?.kind, value[0]?.parentSpanContext]).toEqual(['', 0, undefined]);
  });

  test('ids of the wrong length are left to otlpJsonToSpans to reject, the 11-byte trace id included', () => {
    const bad = [
      { id: '11', fields: { traceId: hexBytes('ab'.repeat(11)) }, issue: 'span skipped: trace id or span id missing or invalid' },
      { id: '12', fields: { traceId: hexBytes('ab'.repeat(15)) }, issue: 'span skipped: trace id or span id missing or invalid' },
      { id: '13', fields: { traceId: hexBytes('ab'.repeat(17)) }, issue: 'span skipped: trace id or span id missing or invalid' },
      { id: '14', fields: { spanId: hexBytes('ab'.repeat(7)) }, issue: 'span skipped: trace id or span id missing or invalid' },
      { id: '15', fields: { traceId: hexBytes('0'.repeat(32)) }, issue: 'span skipped: trace id or span id missing or invalid' },
    ];
    const spans = bad.map(({ id, fields }) => pbSpan({ spanId: hexBytes(id.repeat(8)), ...fields }));
    const { value, issues } = otlpProtobufToSpans(
      pbRequest([
        ...spans,
        pbSpan({ parentSpanId: hexBytes('ab'.repeat(7)) }),
        pbSpan({ spanId: hexBytes('16'.repeat(8)), links: [{ traceId: hexBytes('ab'.repeat(11)), spanId: hexBytes(SPAN_ID) }] }),
      ]),
    );
    expect(value.map(spanIdOf)).toEqual([SPAN_ID, '16'.repeat(8)]);
    expect(value[0]?.parentSpanContext).toBeUndefined();
    expect(value[1]?.links).toEqual([]);
    expect(issues.map((i) => [i.code, i.spanId, i.message])).toEqual([
      ...bad.map(({ id, issue }) => ['INVALID_ID', id === '14' ? 'ab'.repeat(7) : id.repeat(8), issue]),
      ['INVALID_ID', SPAN_ID, 'invalid parent span id dropped; span treated as a root'],
      ['INVALID_ID', '16'.repeat(8), 'span link without a valid trace id and span id; dropped'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Wire-format variants: unknown fields, repeated and packed scalars, merged messages

/** Field 99 of every wire type, and the largest field number: what newer senders may add. */
const UNKNOWN = concat(
  writer().uint32(tag(99, VARINT)).uint64('18446744073709551615').finish(),
  writer().uint32(tag(99, I64)).fixed64('123456789012345').finish(),
  // Opaque content: group tags inside an unknown length-delimited field are not parsed.
  writer().uint32(tag(99, LEN)).bytes(new Uint8Array([0x0b, 0x0c, 0xff, 0xff])).finish(),
  writer().uint32(tag(99, I32)).fixed32(0xdeadbeef).finish(),
  writer().uint32(tag(536870911, VARINT)).uint32(1).finish(),
);

/** A request with every message kind, `extra(where)` appended inside each message (and prepended to the request). */
function everyMessage(extra: (where: string) => Uint8Array): Uint8Array {
  const anyValue = (v: Rec, where: string): Uint8Array => concat(encode(T.anyValue, v), extra(where));
  const keyValue = (key: string, value: Uint8Array, where: string): Uint8Array => concat(encode(T.keyValue, { key }), lenField(2, value), extra(where));
  const nested = anyValue({ kvlistValue: { values: [{ key: 'x', value: { arrayValue: { values: [{ intValue: '-2' }] } } }] } }, 'nested AnyValue');
  const attrs = concat(lenField(9, keyValue('a', anyValue({ stringValue: 'v' }, 'AnyValue'), 'KeyValue')), lenField(9, keyValue('n', nested, 'KeyValue')));
  const event = concat(encode(T.event, { timeUnixNano: START, name: 'ev' }), lenField(3, keyValue('e', anyValue({ boolValue: true }, 'AnyValue'), 'KeyValue')), extra('Event'));
  const link = concat(encode(T.link, { traceId: hexBytes('a'.repeat(32)), spanId: hexBytes('b'.repeat(16)), traceState: 'x=1' }), extra('Link'));
  const status = concat(encode(T.status, { code: 2, message: 'boom' }), extra('Status'));
  const span = concat(
    encode(T.span, pbSpan({ parentSpanId: hexBytes(PARENT_ID), traceState: 'a=1', flags: 0x301, droppedAttributesCount: 1 })),
    extra('Span, middle'),
    attrs,
    lenField(11, event),
    lenField(13, link),
    lenField(15, status),
    extra('Span'),
  );
  const scope = concat(encode(T.scope, { name: 'scope', version: '1', attributes: [{ key: 's', value: { stringValue: 'x' } }] }), extra('Scope'));
  const scopeSpans = concat(extra('ScopeSpans, start'), lenField(1, scope), lenField(2, span), lenField(2, spanBytes('1'.repeat(16))), extra('ScopeSpans'));
  const resource = concat(encode(T.resource, { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }], droppedAttributesCount: 2 }), extra('Resource'));
  const resourceSpans = concat(lenField(1, resource), lenField(2, scopeSpans), writer().uint32(tag(3, LEN)).string('https://schema').finish(), extra('ResourceSpans'));
  return concat(extra('Request, start'), lenField(1, resourceSpans), extra('Request'));
}

describe('wire variants (input written with protobufjs)', () => {
  const none = (): Uint8Array => new Uint8Array(0);

  test('the request with every message kind decodes like protobufjs decodes it', () => {
    const bytes = everyMessage(none);
    const { value, issues } = decodeOtlpTraceRequest(bytes);
    expect(issues).toEqual([]);
    expect(value).toEqual(decodeTraceRequest(bytes));
  });

  test('unknown fields of every wire type in every message are skipped without an issue', () => {
    const plainBytes = everyMessage(none);
    const withUnknown = everyMessage(() => UNKNOWN);
    expect(withUnknown.length).toBeGreaterThan(plainBytes.length + 15 * UNKNOWN.length - 1);
    const reference = decodeOtlpTraceRequest(plainBytes);
    expect(decodeOtlpTraceRequest(withUnknown)).toEqual(reference);
    expect(decodeTraceRequest(withUnknown)).toEqual(reference.value);
    const spans = otlpProtobufToSpans(withUnknown);
    expect(spans.issues).toEqual([]);
    expect(spans.value.map(plain)).toStrictEqual(otlpProtobufToSpans(plainBytes).value.map(plain));
    expect(spans.value.map(spanIdOf)).toEqual([SPAN_ID, '1'.repeat(16)]);
  });

  test('a group (wire type 3 or 4) in an unknown field is malformed: that span only is dropped', () => {
    for (const wireType of [3, 4]) {
      const groupTag = writer().uint32(tag(99, wireType)).finish();
      const bytes = requestOfSpans(spanBytes('1'.repeat(16)), spanBytes('2'.repeat(16), groupTag), spanBytes('3'.repeat(16)));
      const { value, issues } = otlpProtobufToSpans(bytes);
      expect(value.map(spanIdOf)).toEqual(['1'.repeat(16), '3'.repeat(16)]);
      const at = bytes.length - lenField(2, spanBytes('3'.repeat(16))).length - groupTag.length;
      expect(issues).toEqual([
        {
          code: 'INVALID_PROTOBUF',
          spanId: '2'.repeat(16),
          path: 'resourceSpans[0].scopeSpans[0].spans[1]',
          message: `malformed protobuf at byte ${at}: wire type group ${wireType === 3 ? 'start' : 'end'} is not supported; span skipped`,
        },
      ]);
    }
  });

  test('a scalar field given twice (unpacked): the last value wins', () => {
    const extra = writer()
      .uint32(tag(10, VARINT)).uint32(4)
      .uint32(tag(10, VARINT)).uint32(9)
      .uint32(tag(6, VARINT)).int32(2)
      .uint32(tag(5, LEN)).string('renamed')
      .finish();
    const { value, issues } = otlpProtobufToSpans(requestOfSpans(spanBytes(SPAN_ID, extra)));
    expect(issues).toEqual([]);
    expect([value[0]?.droppedAttributesCount, value[0]?.kind, value[0]?.name]).toEqual([9, 1, 'renamed']);
  });

  test('packed scalar runs (wire type 2) are read, the last element wins; an empty run changes nothing', () => {
    const packed = writer()
      .uint32(tag(6, LEN)).fork().int32(2).int32(3).ldelim()
      .uint32(tag(7, LEN)).fork().fixed64('1').fixed64('1795550920000000001').ldelim()
      .uint32(tag(10, LEN)).fork().uint32(4).uint32(300).ldelim()
      .uint32(tag(12, LEN)).fork().ldelim()
      .uint32(tag(16, LEN)).fork().fixed32(0x100).fixed32(0x301).ldelim()
      .finish();
    const packedValues = (field: number, write: (w: protobuf.Writer) => protobuf.Writer): Uint8Array =>
      concat(encode(T.keyValue, { key: `f${field}` }), lenField(2, write(writer().uint32(tag(field, LEN)).fork()).ldelim().finish()));
    const attributes = concat(
      lenField(9, packedValues(3, (w) => w.int64('5').int64('-7'))),
      lenField(9, packedValues(4, (w) => w.double(1.5).double(2.5))),
      lenField(9, packedValues(2, (w) => w.bool(true).bool(false))),
    );
    const bytes = requestOfSpans(spanBytes(SPAN_ID, concat(packed, attributes), { droppedEventsCount: 6, parentSpanId: hexBytes(PARENT_ID) }));
    const { value, issues } = otlpProtobufToSpans(bytes);
    expect(issues).toEqual([]);
    const [span] = value;
    expect(span?.kind).toBe(2);
    expect(span?.startTime).toEqual([1795550920, 1]);
    expect([span?.droppedAttributesCount, span?.droppedEventsCount]).toEqual([300, 6]);
    expect(span?.parentSpanContext).toEqual({ traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1, isRemote: true });
    expect(span?.attributes).toEqual({ f3: -7, f4: 2.5, f2: false });
  });

  test('a packed run whose last element is cut is malformed: the span is dropped', () => {
    const cut = writer().uint32(tag(7, LEN)).uint32(7).finish();
    const bytes = requestOfSpans(spanBytes('1'.repeat(16)), spanBytes('2'.repeat(16), concat(cut, new Uint8Array(7))), spanBytes('3'.repeat(16)));
    const { value, issues } = otlpProtobufToSpans(bytes);
    expect(value.map(spanIdOf)).toEqual(['1'.repeat(16), '3'.repeat(16)]);
    expect(issues.map((i) => [i.code, i.spanId, i.path])).toEqual([['INVALID_PROTOBUF', '2'.repeat(16), 'resourceSpans[0].scopeSpans[0].spans[1]']]);
    expect(issues[0]?.message).toMatch(/^malformed protobuf at byte \d+: fixed64 runs past the end of its message; span skipped$/);
  });

  test('singular messages given twice are merged (resource attributes, status fields)', () => {
    const status1 = lenField(15, encode(T.status, { message: 'first' }));
    const status2 = lenField(15, encode(T.status, { code: 2 }));
    const span = spanBytes(SPAN_ID, concat(status1, status2));
    const scopeSpans = concat(lenField(1, encode(T.scope, { name: 'scope' })), lenField(2, span));
    const resourceSpans = concat(
      lenField(1, encode(T.resource, { attributes: [{ key: 'a', value: { stringValue: '1' } }] })),
      lenField(1, encode(T.resource, { attributes: [{ key: 'b', value: { stringValue: '2' } }] })),
      lenField(2, scopeSpans),
    );
    const { value, issues } = otlpProtobufToSpans(lenField(1, resourceSpans));
    expect(issues).toEqual([]);
    expect(value[0]?.status).toEqual({ code: 2, message: 'first' });
    expect(value[0]?.resource.attributes).toEqual({ a: '1', b: '2' });
  });

  test('in the AnyValue oneof the last member on the wire wins', () => {
    const value = concat(encode(T.anyValue, { stringValue: 'first' }), encode(T.anyValue, { intValue: '3' }));
    const kv = concat(encode(T.keyValue, { key: 'k' }), lenField(2, value));
    const { value: spans, issues } = otlpProtobufToSpans(requestOfSpans(spanBytes(SPAN_ID, lenField(9, kv))));
    expect(issues).toEqual([]);
    expect(spans[0]?.attributes).toEqual({ k: 3 });
  });

  test('non-minimal varints (padded with 0x80 bytes, up to 10) read as their value', () => {
    // name (field 5) with its tag and length both written as 10-byte varints; kind 2 as a 10-byte varint.
    const padded = (v: number): number[] => [...Array.from({ length: 9 }, (_, i) => (i === 0 ? (v & 0x7f) | 0x80 : 0x80)), 0x00];
    const extra = new Uint8Array([...padded(tag(5, LEN)), ...padded(3), ...new TextEncoder().encode('abc'), ...padded(tag(6, VARINT)), ...padded(2)]);
    const { value, issues } = otlpProtobufToSpans(requestOfSpans(spanBytes(SPAN_ID, extra)));
    expect(issues).toEqual([]);
    expect([value[0]?.name, value[0]?.kind]).toEqual(['abc', 1]);
  });

  test('a negative enum (10-byte varint) is an unknown kind for otlpJsonToSpans, not a fault', () => {
    const { value, issues } = otlpProtobufToSpans(requestOfSpans(spanBytes(SPAN_ID, writer().uint32(tag(6, VARINT)).int32(-1).finish())));
    expect(value.map(spanIdOf)).toEqual([SPAN_ID]);
    expect(issues).toEqual([{ code: 'INVALID_VALUE', spanId: SPAN_ID, path: 'kind', message: 'unknown span kind; INTERNAL used' }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed input: an issue with the byte offset, and only the damaged part lost

describe('malformed input', () => {
  const good = (id: string): Uint8Array => spanBytes(id);

  test('empty input is an empty request; non-bytes are an issue', () => {
    expect(decodeOtlpTraceRequest(new Uint8Array(0))).toEqual({ value: { resourceSpans: [] }, issues: [] });
    expect(otlpProtobufToSpans(new Uint8Array(0))).toEqual({ value: [], issues: [] });
    expect(decodeOtlpTraceRequest('nope' as unknown as Uint8Array)).toEqual({
      value: { resourceSpans: [] },
      issues: [{ code: 'INVALID_PROTOBUF', message: 'not bytes: expected a Uint8Array' }],
    });
  });

  test('a known field with the wrong wire type is skipped with an issue; the span stays', () => {
    const extra = writer().uint32(tag(5, VARINT)).uint32(7).finish();
    const bytes = requestOfSpans(spanBytes(SPAN_ID, extra, { name: 'kept' }));
    const at = bytes.length - extra.length;
    const { value, issues } = otlpProtobufToSpans(bytes);
    expect(value.map((s) => [spanIdOf(s), s.name])).toEqual([[SPAN_ID, 'kept']]);
    expect(issues).toEqual([
      {
        code: 'INVALID_PROTOBUF',
        spanId: SPAN_ID,
        message: `malformed protobuf at byte ${at}: Span field 5 has wire type varint, expected length-delimited; skipped`,
      },
    ]);
  });

  test('a length running past the end of its span drops that span only (framing intact)', () => {
    // An attribute claiming 100 bytes inside a span that has 2 left.
    const bad = spanBytes('2'.repeat(16), new Uint8Array([tag(9, LEN), 100, 0x0a, 0x00]));
    const bytes = requestOfSpans(good('1'.repeat(16)), bad, good('3'.repeat(16)));
    const at = bytes.length - lenField(2, good('3'.repeat(16))).length - 3;
    const { value, issues } = otlpProtobufToSpans(bytes);
    expect(value.map(spanIdOf)).toEqual(['1'.repeat(16), '3'.repeat(16)]);
    expect(issues).toEqual([
      {
        code: 'INVALID_PROTOBUF',
        spanId: '2'.repeat(16),
        path: 'resourceSpans[0].scopeSpans[0].spans[1]',
        message: `malformed protobuf at byte ${at}: length 100 runs past the end of its message (2 bytes left); span skipped`,
      },
    ]);
  });

  test('a malformed attribute, event or link drops that item only; the issue names the span', () => {
    const badKv = lenField(9, concat(encode(T.keyValue, { key: 'bad' }), writer().uint32(tag(7, 7)).finish()));
    const goodKv = lenField(9, encode(T.keyValue, { key: 'ok', value: { stringValue: 'v' } }));
    const badEvent = lenField(11, concat(encode(T.event, { timeUnixNano: START, name: 'bad' }), new Uint8Array([0x80])));
    const goodEvent = lenField(11, encode(T.event, { timeUnixNano: START, name: 'ok' }));
    const badLink = lenField(13, concat(encode(T.link, { traceId: hexBytes(TRACE_ID), spanId: hexBytes(PARENT_ID) }), writer().uint32(tag(1, I64)).finish()));
    const { value, issues } = otlpProtobufToSpans(requestOfSpans(spanBytes(SPAN_ID, concat(badKv, goodKv, badEvent, goodEvent, badLink))));
    expect(value.map(spanIdOf)).toEqual([SPAN_ID]);
    expect(value[0]?.attributes).toEqual({ ok: 'v' });
    expect(value[0]?.events.map((e) => e.name)).toEqual(['ok']);
    expect(value[0]?.links).toEqual([]);
    expect(issues.map((i) => [i.code, i.spanId, i.path])).toEqual([
      ['INVALID_PROTOBUF', SPAN_ID, 'attributes[0]'],
      ['INVALID_PROTOBUF', SPAN_ID, 'events[0]'],
      ['INVALID_PROTOBUF', SPAN_ID, 'links[0]'],
    ]);
    expect(issues.map((i) => i.message.replace(/\d+/, 'N'))).toEqual([
      'malformed protobuf at byte N: wire type 7 is not supported; attribute dropped',
      'malformed protobuf at byte N: varint runs past the end of its message; span event dropped',
      'malformed protobuf at byte N: fixed64 runs past the end of its message; span link dropped',
    ]);
  });

  test('an unreadable resource drops its spans; the next resourceSpans is kept', () => {
    const badResource = concat(encode(T.resource, { attributes: [{ key: 'a', value: { stringValue: '1' } }] }), writer().uint32(tag(2, VARINT)).finish());
    const scopeSpans = (id: string): Uint8Array => lenField(2, concat(lenField(1, encode(T.scope, { name: 's' })), lenField(2, good(id))));
    const bytes = concat(
      lenField(1, concat(lenField(1, badResource), scopeSpans('1'.repeat(16)))),
      lenField(1, concat(lenField(1, encode(T.resource, {})), scopeSpans('2'.repeat(16)))),
    );
    const { value, issues } = otlpProtobufToSpans(bytes);
    expect(value.map(spanIdOf)).toEqual(['2'.repeat(16)]);
    expect(issues.map((i) => [i.code, i.path])).toEqual([['INVALID_PROTOBUF', 'resourceSpans[0].resource']]);
    expect(issues[0]?.message).toMatch(/^malformed protobuf at byte \d+: varint runs past the end of its message; resource unreadable; its spans skipped$/);
  });

  test('an unreadable scope drops the spans of its scopeSpans only', () => {
    const badScope = concat(lenField(1, new Uint8Array([tag(1, LEN), 9])), lenField(2, good('1'.repeat(16))));
    const okScope = concat(lenField(1, encode(T.scope, { name: 's' })), lenField(2, good('2'.repeat(16))));
    const bytes = lenField(1, concat(lenField(2, badScope), lenField(2, okScope)));
    const { value, issues } = otlpProtobufToSpans(bytes);
    expect(value.map(spanIdOf)).toEqual(['2'.repeat(16)]);
    expect(issues.map((i) => [i.code, i.path])).toEqual([['INVALID_PROTOBUF', 'resourceSpans[0].scopeSpans[0].scope']]);
  });

  test('a truncated request keeps every complete span before the cut', () => {
    const spans = ['1', '2', '3'].map((c) => good(c.repeat(16)));
    const bytes = requestOfSpans(...spans);
    const cut = bytes.subarray(0, bytes.length - 5);
    const { value, issues } = otlpProtobufToSpans(cut);
    expect(value.map(spanIdOf)).toEqual(['1'.repeat(16), '2'.repeat(16)]);
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['INVALID_PROTOBUF', 'resourceSpans[0]'],
      ['INVALID_PROTOBUF', 'resourceSpans[0].scopeSpans[0]'],
      ['INVALID_PROTOBUF', 'resourceSpans[0].scopeSpans[0]'],
    ]);
    expect(issues[0]?.message).toMatch(/^malformed protobuf at byte 1: length \d+ runs past the end of its message \(\d+ bytes left\); the complete parts before the end are kept$/);
    expect(issues[2]?.message).toMatch(/^malformed protobuf at byte \d+: length \d+ runs past the end of its message \(\d+ bytes left\); the rest of resourceSpans\[0\]\.scopeSpans\[0\] skipped$/);
  });

  test.each([
    { name: 'a varint longer than 10 bytes', bytes: [0x08, ...new Array<number>(10).fill(0xff), 0x01], at: 1, message: 'varint longer than 10 bytes' },
    { name: 'a varint cut short', bytes: [0x0a, 0xff], at: 1, message: 'varint runs past the end of its message' },
    { name: 'field number 0', bytes: [0x02, 0x00], at: 0, message: 'invalid field number in ExportTraceServiceRequest' },
    { name: 'a field number beyond 2^29', bytes: [0xf8, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00], at: 0, message: 'invalid field number in ExportTraceServiceRequest' },
    { name: 'a fixed32 cut short', bytes: [0x0d, 0x01], at: 1, message: 'fixed32 runs past the end of its message' },
    { name: 'wire type 6', bytes: [0x0e], at: 0, message: 'wire type 6 is not supported' },
  ])('$name at the top level: no spans, one issue at byte $at', ({ bytes, at, message }) => {
    expect(otlpProtobufToSpans(new Uint8Array(bytes))).toEqual({
      value: [],
      issues: [{ code: 'INVALID_PROTOBUF', path: 'resourceSpans[0]', message: `malformed protobuf at byte ${at}: ${message}; the rest of the request skipped` }],
    });
  });

  test('invalid UTF-8: U+FFFD for the bad bytes, with an INVALID_VALUE issue naming the span', () => {
    const kv = concat(writer().uint32(tag(1, LEN)).string('k').finish(), lenField(2, lenField(1, new Uint8Array([0x61, 0xc3, 0x28, 0x62]))));
    const { value, issues } = otlpProtobufToSpans(requestOfSpans(spanBytes(SPAN_ID, lenField(9, kv))));
    expect(value[0]?.attributes).toEqual({ k: 'a\uFFFD(b' });
    expect(issues).toEqual([{ code: 'INVALID_VALUE', spanId: SPAN_ID, message: expect.stringMatching(/^invalid UTF-8 in the string at byte \d+; U\+FFFD used for the bad bytes$/) }]);
  });

  /** A kvlist nested `levels` deep, {k: {k: ... 'leaf'}}, written with protobufjs's Writer fork/ldelim (no copying). */
  function nestedKvlist(levels: number): Uint8Array {
    const w = writer().uint32(tag(9, LEN)).fork().uint32(tag(1, LEN)).string('deep').uint32(tag(2, LEN)).fork();
    for (let i = 0; i < levels; i++) w.uint32(tag(6, LEN)).fork().uint32(tag(1, LEN)).fork().uint32(tag(1, LEN)).string('k').uint32(tag(2, LEN)).fork();
    w.uint32(tag(1, LEN)).string('leaf');
    for (let i = 0; i < levels; i++) w.ldelim().ldelim().ldelim();
    return w.ldelim().ldelim().finish();
  }

  test.each([
    { name: `${MAX_ANY_VALUE_DEPTH} levels are kept`, levels: MAX_ANY_VALUE_DEPTH, leaf: 'leaf', issues: 0 },
    { name: `${MAX_ANY_VALUE_DEPTH + 1} levels: the innermost container is cut`, levels: MAX_ANY_VALUE_DEPTH + 1, leaf: null, issues: 1 },
    { name: '10,000 levels: cut at the same place, no stack overflow', levels: 10_000, leaf: null, issues: 1 },
  ])('nesting depth: $name, like otlpJsonToSpans', ({ levels, leaf, issues }) => {
    const result = otlpProtobufToSpans(requestOfSpans(spanBytes(SPAN_ID, nestedKvlist(levels))));
    let v: unknown = result.value[0]?.attributes['deep'];
    for (let i = 0; i < MAX_ANY_VALUE_DEPTH; i++) v = (v as Rec)['k'];
    expect(v).toEqual(leaf);
    expect(result.issues).toEqual(
      Array.from({ length: issues }, () => ({
        code: 'INVALID_VALUE',
        spanId: SPAN_ID,
        message: expect.stringMatching(new RegExp(`^value at byte \\d+ nested deeper than ${MAX_ANY_VALUE_DEPTH} levels; null kept$`)),
      })),
    );
    if (levels <= MAX_ANY_VALUE_DEPTH + 1) {
      // The same value as OTLP/JSON through otlpJsonToSpans: the same attributes. (protobufjs
      // itself refuses to decode messages nested this deep.)
      let json: Rec = { stringValue: 'leaf' };
      for (let i = 0; i < levels; i++) json = { kvlistValue: { values: [{ key: 'k', value: json }] } };
      const request = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, startTimeUnixNano: START, attributes: [{ key: 'deep', value: json }] }] }] }] };
      expect(result.value[0]?.attributes).toEqual(otlpJsonToSpans(request).value[0]?.attributes);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

describe('properties', () => {
  const EXAMPLE_BYTES = DIALECTS.map((d) => ({ dialect: d, spans: loadExampleSpans(d), bytes: encodeWithStockSerializer(loadExampleSpans(d)) }));

  test('random bytes never throw; whatever decodes is well formed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const { value, issues } = otlpProtobufToSpans(bytes);
        expectWellFormed(value, issues);
      }),
      { numRuns: 2000 },
    );
  });

  /** Random protobuf-shaped messages: valid tags of every wire type, length-delimited fields nesting more of the same. */
  const { message } = fc.letrec<{ message: Uint8Array; field: Uint8Array }>((tie) => ({
    message: fc.array(tie('field'), { maxLength: 6 }).map((fields) => concat(...fields)),
    field: fc.oneof(
      { depthSize: 'small' },
      fc.tuple(fc.integer({ min: 1, max: 17 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([f, v]) => writer().uint32(tag(f, VARINT)).uint64(v.toString()).finish()),
      fc.tuple(fc.integer({ min: 1, max: 17 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([f, v]) => writer().uint32(tag(f, I64)).fixed64(v.toString()).finish()),
      fc.tuple(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([f, v]) => writer().uint32(tag(f, I32)).fixed32(v).finish()),
      fc.tuple(fc.integer({ min: 1, max: 17 }), fc.uint8Array({ maxLength: 20 })).map(([f, b]) => lenField(f, b)),
      fc.tuple(fc.integer({ min: 1, max: 17 }), tie('message')).map(([f, b]) => lenField(f, b)),
    ),
  })) as { message: fc.Arbitrary<Uint8Array> };

  test('random protobuf-shaped messages never throw; whatever decodes is well formed', () => {
    fc.assert(
      fc.property(message, (bytes) => {
        const { value, issues } = otlpProtobufToSpans(bytes);
        expectWellFormed(value, issues);
      }),
      { numRuns: 1000 },
    );
  });

  test('truncating valid bytes at every offset never throws; complete spans come back unchanged', () => {
    for (const { spans, bytes } of EXAMPLE_BYTES) {
      const original = new Map(spans.map((s) => [spanIdOf(s), plain(s)]));
      for (let cut = 0; cut <= bytes.length; cut++) {
        const { value, issues } = otlpProtobufToSpans(bytes.subarray(0, cut));
        expect(value.length).toBeLessThanOrEqual(spans.length);
        for (const s of value) expect(plain(s)).toStrictEqual(original.get(spanIdOf(s)));
        if (cut < bytes.length && cut > 0) expect(issues.some((i) => i.code === 'INVALID_PROTOBUF')).toBe(true);
      }
    }
  });

  test('flipping a random byte never throws; whatever decodes is well formed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXAMPLE_BYTES), fc.nat(), fc.integer({ min: 1, max: 255 }), ({ bytes }, index, mask) => {
        const damaged = bytes.slice();
        const at = index % damaged.length;
        damaged[at] = damaged[at]! ^ mask;
        const { value, issues } = otlpProtobufToSpans(damaged);
        expectWellFormed(value, issues);
      }),
      { numRuns: 2000 },
    );
  });

  // Random valid requests encoded by protobufjs: our decoding equals protobufjs's own. The fields
  // the helper adds to the old .proto (schema URLs, flags, the scope's dropped count) have
  // presence in protobufjs, so an explicit zero would show there: they are generated non-zero.
  const nonEmptyString = fc.string({ minLength: 1, maxLength: 10 });
  const nonZeroCount = fc.integer({ min: 1, max: 2 ** 32 - 1 });
  const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
  const { anyValue } = fc.letrec<{ anyValue: Rec; keyValue: Rec }>((tie) => ({
    anyValue: fc.oneof(
      { depthSize: 'small' },
      fc.record({ stringValue: fc.string({ unit: 'binary', maxLength: 60 }) }),
      fc.record({ boolValue: fc.boolean() }),
      fc.record({ intValue: int64 }),
      fc.record({ doubleValue: fc.double() }),
      fc.record({ bytesValue: fc.uint8Array({ maxLength: 10 }) }),
      fc.record({ arrayValue: fc.record({ values: fc.array(tie('anyValue'), { maxLength: 3 }) }) }),
      fc.record({ kvlistValue: fc.record({ values: fc.array(tie('keyValue'), { maxLength: 3 }) }) }),
      fc.constant({}),
    ),
    keyValue: fc.record({ key: fc.string({ maxLength: 20 }), value: tie('anyValue') }, { requiredKeys: ['key'] }),
  })) as { anyValue: fc.Arbitrary<Rec>; keyValue: fc.Arbitrary<Rec> };
  const keyValues = fc.array(fc.record({ key: fc.string({ unit: 'binary', maxLength: 20 }), value: anyValue }), { maxLength: 4 });
  const id = (bytes: number): fc.Arbitrary<Uint8Array> => fc.oneof(fc.uint8Array({ minLength: bytes, maxLength: bytes }), fc.uint8Array({ maxLength: 20 }).filter((b) => b.length !== 11));
  const time = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
  const count = fc.nat({ max: 2 ** 32 - 1 });
  const pbSpanArb = fc.record(
    {
      traceId: id(16),
      spanId: id(8),
      traceState: fc.string({ maxLength: 10 }),
      parentSpanId: id(8),
      name: fc.string({ unit: 'binary', maxLength: 30 }),
      kind: fc.integer({ min: 0, max: 5 }),
      startTimeUnixNano: time,
      endTimeUnixNano: time,
      attributes: keyValues,
      droppedAttributesCount: count,
      events: fc.array(fc.record({ timeUnixNano: time, name: fc.string({ maxLength: 10 }), attributes: keyValues, droppedAttributesCount: count }, { requiredKeys: [] }), { maxLength: 2 }),
      droppedEventsCount: count,
      links: fc.array(fc.record({ traceId: id(16), spanId: id(8), traceState: fc.string({ maxLength: 10 }), attributes: keyValues, droppedAttributesCount: count, flags: nonZeroCount }, { requiredKeys: [] }), { maxLength: 2 }),
      droppedLinksCount: count,
      status: fc.record({ message: fc.string({ maxLength: 10 }), code: fc.integer({ min: 0, max: 2 }) }, { requiredKeys: [] }),
      flags: nonZeroCount,
    },
    { requiredKeys: [] },
  );
  const pbRequestArb = fc.record({
    resourceSpans: fc.array(
      fc.record(
        {
          resource: fc.record({ attributes: keyValues, droppedAttributesCount: count }, { requiredKeys: [] }),
          schemaUrl: nonEmptyString,
          instrumentationLibrarySpans: fc.array(
            fc.record(
              {
                instrumentationLibrary: fc.record({ name: fc.string({ maxLength: 10 }), version: fc.string({ maxLength: 5 }), attributes: keyValues, droppedAttributesCount: nonZeroCount }, { requiredKeys: [] }),
                spans: fc.array(pbSpanArb, { maxLength: 3 }),
                schemaUrl: nonEmptyString,
              },
              { requiredKeys: [] },
            ),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
  });

  test('random valid requests encoded by protobufjs: the same object as protobufjs decodes, the same spans', () => {
    fc.assert(
      fc.property(pbRequestArb, (req) => {
        const bytes = encode(T.request, req);
        const decoded = decodeOtlpTraceRequest(bytes);
        expect(decoded.issues).toEqual([]);
        const reference = decodeTraceRequest(bytes);
        expect(decoded.value).toEqual(reference);
        const ours = otlpProtobufToSpans(bytes);
        const theirs = otlpJsonToSpans(reference);
        expect(ours.issues).toEqual(theirs.issues);
        expect(ours.value.map(plain)).toStrictEqual(theirs.value.map(plain));
      }),
      { numRuns: 300 },
    );
  });
});
