/**
 * The direct path of spansToLangfuseOtlp (src/mapping/to-langfuse-otlp/direct/) against the
 * general one, which derives the same keys from the ingestion mapping's observations and trace
 * bodies: on every call the direct path takes, it gives exactly the spans the general path gives
 * (ids, names, times, status, every `langfuse.*` key in the same order, resources and scopes, the
 * bytes of the request), and the general path reports no issue and no score there. Calls it
 * declines go the general way. Run on the recorded spans of the five instrumentations and on
 * generated spans of every dialect, clean and not.
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeTraceRequest } from '../../../src/otlp/otlp-encoder.js';
import { makeReadableSpan } from '../../../src/mapping/readable-span.js';
import { DEFAULT_MAX_ATTRIBUTE_BYTES } from '../../../src/mapping/attribute-bag.js';
import { aiSdkObservation, CommonFieldsMemo } from '../../../src/mapping/to-langfuse-otlp/direct/ai-sdk.js';
import { directLangfuseOtlp } from '../../../src/mapping/to-langfuse-otlp/direct/spans.js';
import { SpanViewCache } from '../../../src/mapping/to-ingestion/span-view.js';
import type { ToLangfuseOtlpOptions } from '../../../src/mapping/to-langfuse-otlp/index.js';
import { DEFAULT_MAX_SPAN_BYTES, LangfuseOtlpSpan, spansToLangfuseOtlp } from '../../../src/mapping/to-langfuse-otlp/index.js';
import { generalLangfuseOtlp } from '../../../src/mapping/to-langfuse-otlp/spans.js';
import { DIALECTS, loadExampleSpans } from '../../helpers/examples.js';
import { KEY_POOL, MEANINGFUL, SPAN_SPEC, toSpan } from '../../helpers/span-arbitraries.js';

/** Everything of a span the OTLP request carries, attribute order included. */
function shape(s: ReadableSpan): unknown {
  const ctx = s.spanContext();
  return {
    ids: [ctx.traceId, ctx.spanId, ctx.traceFlags, ctx.traceState?.serialize(), s.parentSpanContext?.spanId],
    name: s.name,
    kind: s.kind,
    times: [s.startTime, s.endTime, s.duration],
    status: s.status,
    attributes: Object.entries(s.attributes),
    resource: s.resource.attributes,
    scope: s.instrumentationScope,
    bound: s instanceof LangfuseOtlpSpan ? s.bytesBound : undefined,
  };
}

/** Whether the direct path took the call; when it did, asserts it gave what the general path gives. */
function checkDirect(spans: readonly ReadableSpan[], options: ToLangfuseOtlpOptions = {}): boolean {
  const maxSpanBytes = options.maxSpanBytes ?? DEFAULT_MAX_SPAN_BYTES;
  const direct = directLangfuseOtlp(spans, options, maxSpanBytes);
  if (direct === undefined) return false;
  const general = generalLangfuseOtlp(spans, options);
  expect(general.issues).toEqual([]);
  expect(general.value.scores).toEqual([]);
  expect(direct.map(shape)).toEqual(general.value.spans.map(shape));
  // The same spans grouped under the same resources and scopes: the same request.
  expect(Buffer.from(encodeTraceRequest(direct)).equals(Buffer.from(encodeTraceRequest(general.value.spans)))).toBe(true);
  return true;
}

describe('the recorded instrumentations take the direct path, with what the general path gives', () => {
  test.for(DIALECTS)('%s', (dialect) => {
    const spans = loadExampleSpans(dialect);
    for (const legacyTypes of [false, true]) {
      expect(checkDirect(spans, { legacyTypes })).toBe(true);
      expect(checkDirect([...spans].reverse(), { legacyTypes, environment: 'Langfuse-Staging', release: 'r1' })).toBe(true);
    }
  });

  test('all five in one call, and spansToLangfuseOtlp itself', () => {
    const spans = DIALECTS.flatMap((d) => loadExampleSpans(d));
    expect(checkDirect(spans)).toBe(true);
    expect(spansToLangfuseOtlp(spans).value.spans.map(shape)).toEqual(generalLangfuseOtlp(spans).value.spans.map(shape));
  });

  test('record shapes seen again after the shape memos started over (plans are built again) give the same spans', () => {
    const spans = DIALECTS.flatMap((d) => loadExampleSpans(d));
    const before = directLangfuseOtlp(spans, {}, DEFAULT_MAX_SPAN_BYTES)?.map(shape);
    expect(before).toBeDefined();
    // Spans of 300 record shapes never seen before: more than the shape memo keeps, so it starts over.
    const [template] = loadExampleSpans('ai-sdk');
    const others = Array.from({ length: 300 }, (_, i) =>
      Object.create(template as object, { attributes: { value: { ...(template as ReadableSpan).attributes, [`app.key${i}`]: i } } }) as ReadableSpan,
    );
    for (let i = 0; i < others.length; i += 50) generalLangfuseOtlp(others.slice(i, i + 50));
    expect(checkDirect(spans)).toBe(true);
    expect(directLangfuseOtlp(spans, {}, DEFAULT_MAX_SPAN_BYTES)?.map(shape)).toEqual(before);
  });

  test('declined: a span id twice, a span over the cap, ids to repair; the general path maps them', () => {
    const [first, second] = loadExampleSpans('ai-sdk');
    expect(checkDirect([first as ReadableSpan, first as ReadableSpan])).toBe(false);
    expect(checkDirect([first as ReadableSpan, second as ReadableSpan], { maxSpanBytes: 100 })).toBe(false);
    const odd = { ...first, spanContext: () => ({ ...first?.spanContext(), spanId: 'not-hex' }) } as ReadableSpan;
    expect(checkDirect([odd])).toBe(false);
  });
});

/** Ids from small pools, so traces group, parents link and, now and then, a span id comes twice. */
const TRACE_IDS = ['4bf92f3577b34da6a3ce929d0e0e4736', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'ABCDEF0123456789ABCDEF0123456789'];
const SPAN_IDS = ['00f067aa0ba902b7', '1111111111111111', '2222222222222222', '3333333333333333', 'ABCDEF0123456789', 'dddddddddddddddd', '4444444444444444', '5555555555555555', '6666666666666666', '7777777777777777', '8888888888888888', '9999999999999999'];
const RESOURCES = [
  resourceFromAttributes({ 'service.name': 'a', 'deployment.environment.name': 'prod' }),
  resourceFromAttributes({ 'service.name': 'b', 'service.version': '1.2', 'langfuse.release': 'r' }),
];
const SCOPES = [{ name: 'ai' }, { name: 'langfuse-sdk', version: '5' }, { name: '@arizeai/openinference-instrumentation-openai' }, { name: 'x' }];

/** Values a clean span carries: what instrumentations write, JSON in strings, no junk. */
const CLEAN_VALUE = fc.oneof(
  { weight: 4, arbitrary: MEANINGFUL },
  { weight: 2, arbitrary: fc.integer({ min: -3, max: 5000 }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
);
const CLEAN_ATTRIBUTES = fc.dictionary(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...KEY_POOL) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }), CLEAN_VALUE, { maxKeys: 12 });
const EVENT_NAMES = ['ai.stream.firstChunk', 'gen_ai.user.message', 'gen_ai.system.message', 'gen_ai.choice', 'gen_ai.client.inference.operation.details', 'gen_ai.content.prompt', 'exception', 'ai.stream.finish'];

/** The drawn fields of a clean span: ids from the pools, a start and a length, events at offsets from the start. */
interface CleanSpanFields {
  trace: number;
  span: number;
  parent: number | undefined;
  kind: number;
  start: [number, number];
  length: [number, number];
  status: { code: number; message?: string };
  events: Array<{ name: string; offset: number; attributes: Record<string, unknown> }>;
  resource: number;
}

function cleanSpan(f: CleanSpanFields, name: string, attributes: Record<string, unknown>, scope: { name: string }): ReadableSpan {
  const start: [number, number] = [f.start[0], f.start[1]];
  const endNanos = f.start[1] + f.length[1];
  const end: [number, number] = [f.start[0] + f.length[0] + Math.floor(endNanos / 1e9), endNanos % 1e9];
  return makeReadableSpan({
    name,
    kind: f.kind,
    traceId: TRACE_IDS[f.trace] as string,
    spanId: SPAN_IDS[f.span] as string,
    ...(f.parent === undefined || f.parent === SPAN_IDS.length ? {} : { parentSpanId: SPAN_IDS[f.parent] }),
    traceFlags: 1,
    startTime: start,
    endTime: end,
    attributes: attributes as never,
    events: f.events.map((e) => ({ name: e.name, time: [start[0], (start[1] + e.offset) % 1e9] as [number, number], attributes: e.attributes as never })),
    links: [],
    status: f.status,
    resource: RESOURCES[f.resource] as never,
    scope,
    droppedAttributesCount: 0,
  });
}

const CLEAN_SPAN = fc
  .record({
    trace: fc.nat(TRACE_IDS.length - 1),
    span: fc.nat(SPAN_IDS.length - 1),
    parent: fc.option(fc.nat(SPAN_IDS.length), { nil: undefined }),
    name: fc.constantFrom('ai.generateText', 'chat gpt-4o', 'op', 'work'),
    kind: fc.nat(4),
    start: fc.tuple(fc.integer({ min: 1_795_550_920, max: 1_795_550_922 }), fc.integer({ min: 0, max: 999_999_999 })),
    length: fc.tuple(fc.nat(2), fc.nat(999_999_999)),
    status: fc.oneof(fc.record({ code: fc.nat(2) }), fc.record({ code: fc.nat(2), message: fc.constantFrom('rate limited', '') })),
    attributes: CLEAN_ATTRIBUTES,
    events: fc.array(fc.record({ name: fc.constantFrom(...EVENT_NAMES), offset: fc.nat(999_999), attributes: fc.dictionary(fc.constantFrom('gen_ai.prompt', 'content', 'role', 'ai.response.msToFirstChunk'), CLEAN_VALUE, { maxKeys: 2 }) }), { maxLength: 2 }),
    resource: fc.nat(RESOURCES.length - 1),
    scope: fc.nat(SCOPES.length - 1),
  })
  .map((f) => cleanSpan(f, f.name, f.attributes, SCOPES[f.scope] as { name: string }));

const OPTIONS = fc.record(
  { legacyTypes: fc.boolean(), environment: fc.constantFrom('prod', 'Langfuse-X'), release: fc.constant('v9'), maxAttributeBytes: fc.constantFrom(0, 40, 600, 1_000_000), maxSpanBytes: fc.constantFrom(0, 2000, 1_000_000) },
  { requiredKeys: [] },
);

describe('generated spans: wherever the direct path answers, it answers as the general path', () => {
  test('property: clean spans of every dialect (most calls go the direct way)', () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.oneof(fc.uniqueArray(CLEAN_SPAN, { maxLength: 8, selector: (s) => s.spanContext().spanId }), fc.array(CLEAN_SPAN, { maxLength: 8 })), OPTIONS, (spans, options) => {
        if (checkDirect(spans, options)) taken++;
      }),
      { numRuns: 600 },
    );
    // The property means something only if the direct path took many of the calls.
    expect(taken).toBeGreaterThan(120);
  });

  test('property: spans with junk of every kind (bad ids, times, values, hostile keys)', () => {
    fc.assert(
      fc.property(fc.array(SPAN_SPEC, { maxLength: 6 }), fc.boolean(), (specs, legacyTypes) => {
        checkDirect(specs.map(toSpan), { legacyTypes });
      }),
      { numRuns: 400 },
    );
  });
});

/** The AI SDK's keys (what aiSdkObservation reads by position), a few it keeps as they are, and now and then one of another dialect. */
const AI_SDK_KEYS = [
  'operation.name', 'resource.name', 'ai.telemetry.functionId', 'ai.model.provider', 'ai.model.id',
  'ai.settings.maxOutputTokens', 'ai.settings.temperature', 'ai.settings.maxRetries', 'ai.telemetry.metadata.userId',
  'ai.telemetry.metadata.sessionId', 'ai.telemetry.metadata.tags', 'ai.telemetry.metadata.extra', 'ai.telemetry.metadata.attributes',
  'ai.telemetry.metadata.', 'ai.request.headers.user-agent', 'ai.prompt', 'ai.prompt.messages', 'ai.prompt.tools',
  'ai.prompt.toolChoice', 'gen_ai.system', 'gen_ai.request.model', 'gen_ai.request.max_tokens', 'gen_ai.request.temperature',
  'gen_ai.request.', 'gen_ai.response.finish_reasons', 'gen_ai.response.id', 'gen_ai.response.model',
  'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'ai.response.finishReason', 'ai.response.text',
  'ai.response.toolCalls', 'ai.response.object', 'ai.response.id', 'ai.response.model', 'ai.response.timestamp',
  'ai.response.providerMetadata', 'ai.response.msToFirstChunk', 'ai.stream.msToFirstChunk', 'ai.response.msToFinish',
  'ai.usage.promptTokens', 'ai.usage.completionTokens', 'ai.usage.inputTokens', 'ai.usage.outputTokens',
  'ai.usage.totalTokens', 'ai.usage.tokens', 'ai.usage.cachedInputTokens', 'ai.usage.reasoningTokens', 'ai.toolCall.name',
  'ai.toolCall.id', 'ai.toolCall.args', 'ai.toolCall.result', 'ai.values', 'ai.value', 'ai.embedding', 'ai.embeddings',
];
const AI_SDK_OPERATIONS = [
  'ai.generateText', 'ai.generateText.doGenerate', 'ai.streamText', 'ai.streamText.doStream', 'ai.generateObject.doGenerate',
  'ai.streamObject.doStream', 'ai.embed', 'ai.embed.doEmbed', 'ai.embedMany.doEmbed', 'ai.toolCall', '',
];
/** What the AI SDK writes: JSON of every kind in strings, counts, empties, strings and arrays of them. */
const AI_SDK_CLEAN_VALUE = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('[{"role":"user","content":"hi"}]', '{"prompt":"hi"}', '"hello"', '[]', '{}', 'null', ' [1]', 'Paris.', '', 'gpt-4o', '2.5', '12', '[{"toolName":"w","input":"{}"}]') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 500 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 5.741513999999995, -0) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom('peer', '"x"', '{"type":"function","name":"f"}', '[0.1]', ''), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom([1, 2], [true]) },
);
const JSON_TEXT = fc.constantFrom('"hello"', '[]', '{}', 'null', '12', '{"city":"Paris"}', '[{"toolCallId":"c1"}]', '"[1]"');
/** A value for `key` of the kind the AI SDK writes there, now and then one of another kind, and now and then what it should not write: bad JSON, hostile keys, negative or huge counts, nulls, objects, long text. */
function aiSdkValue(key: string): fc.Arbitrary<unknown> {
  const usual = key.includes('.usage.') || key.endsWith('Tokens') || key.endsWith('tokens')
    ? fc.oneof(fc.integer({ min: 0, max: 500 }), fc.constantFrom('12', 0))
    : ['ai.toolCall.args', 'ai.toolCall.result', 'ai.value', 'ai.response.object'].includes(key)
      ? JSON_TEXT
      : key === 'ai.values' || key === 'ai.embeddings'
        ? fc.array(JSON_TEXT, { maxLength: 3 })
        : AI_SDK_CLEAN_VALUE;
  return fc.oneof(
    { weight: 120, arbitrary: usual },
    { weight: 2, arbitrary: AI_SDK_CLEAN_VALUE },
    { weight: 1, arbitrary: fc.constantFrom('{"a":', '{"__proto__":{"p":1}}', '-1', -2, 1e21, 0.5, Number.NaN, Number.POSITIVE_INFINITY, null, undefined, { a: 1 }, ['bad{']) },
    // Text the bag cuts under a small cap (600 bytes), alone or inside an array.
    { weight: 3, arbitrary: fc.constantFrom('n'.repeat(1200), ['n'.repeat(700)], ['x', 'n'.repeat(700)]) },
  );
}
const AI_SDK_SPAN = fc
  .record({
    trace: fc.nat(TRACE_IDS.length - 1),
    span: fc.nat(SPAN_IDS.length - 1),
    parent: fc.option(fc.nat(SPAN_IDS.length), { nil: undefined }),
    op: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...AI_SDK_OPERATIONS) }, { weight: 1, arbitrary: AI_SDK_CLEAN_VALUE }),
    kind: fc.nat(4),
    start: fc.tuple(fc.integer({ min: 1_795_550_920, max: 1_795_550_922 }), fc.integer({ min: 0, max: 999_999_999 })),
    length: fc.tuple(fc.nat(2), fc.nat(999_999_999)),
    status: fc.oneof(fc.record({ code: fc.nat(2) }), fc.record({ code: fc.nat(2), message: fc.constantFrom('rate limited', '') })),
    // Many keys at once (about half of them), so that the rules between keys come into play.
    attributes: fc.subarray(AI_SDK_KEYS).chain((keys) => fc.tuple(...keys.map(aiSdkValue)).map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]])))),
    foreign: fc.option(fc.constantFrom(...KEY_POOL), { nil: undefined, freq: 8 }),
    events: fc.array(fc.record({ name: fc.constantFrom('ai.stream.firstChunk', 'ai.stream.finish', 'exception', 'gen_ai.choice'), offset: fc.nat(999_999), attributes: fc.dictionary(fc.constantFrom('ai.response.msToFirstChunk', 'content'), AI_SDK_CLEAN_VALUE, { maxKeys: 2 }) }), { maxLength: 2 }),
    resource: fc.nat(RESOURCES.length - 1),
    aiScope: fc.nat(9),
  })
  .map((f) => {
    const attributes: Record<string, unknown> = { 'ai.operationId': f.op, ...f.attributes };
    if (f.foreign !== undefined) attributes[f.foreign] = 'chat';
    return cleanSpan(f, typeof f.op === 'string' && f.op !== '' ? f.op : 'ai.generateText', attributes, f.aiScope === 0 ? { name: 'x' } : { name: 'ai' });
  });

/** How many of `spans` aiSdkObservation reads itself (the rest go to directObservation). */
function readByAiSdk(spans: readonly ReadableSpan[], options: ToLangfuseOtlpOptions): number {
  const opts = { legacyTypes: options.legacyTypes === true, defaults: {} };
  const cache = new SpanViewCache(false);
  const commons = new CommonFieldsMemo();
  let n = 0;
  for (const span of spans) {
    try {
      if (aiSdkObservation(span, opts, options.maxAttributeBytes ?? DEFAULT_MAX_ATTRIBUTE_BYTES, cache, commons) !== undefined) n++;
    } catch {
      // DECLINE: the direct path declines the call.
    }
  }
  return n;
}

describe('AI SDK spans are read by position (aiSdkObservation) with what directObservation gives', () => {
  test('every recorded AI SDK span is read by position', () => {
    const spans = loadExampleSpans('ai-sdk');
    expect(readByAiSdk(spans, {})).toBe(spans.length);
    expect(checkDirect(spans)).toBe(true);
  });

  test('property: generated AI SDK spans give the same spans read by position as read by the bag, and as the general path', () => {
    let read = 0;
    let taken = 0;
    fc.assert(
      fc.property(fc.oneof(fc.uniqueArray(AI_SDK_SPAN, { maxLength: 6, selector: (s) => s.spanContext().spanId }), fc.array(AI_SDK_SPAN, { maxLength: 6 })), OPTIONS, (spans, options) => {
        const maxSpanBytes = options.maxSpanBytes ?? DEFAULT_MAX_SPAN_BYTES;
        const byPosition = directLangfuseOtlp(spans, options, maxSpanBytes, true);
        const byBag = directLangfuseOtlp(spans, options, maxSpanBytes, false);
        expect(byPosition?.map(shape)).toEqual(byBag?.map(shape));
        if (checkDirect(spans, options)) taken++;
        read += readByAiSdk(spans, options);
      }),
      { numRuns: 800 },
    );
    // The property means something only if many spans were read by position and many calls went the direct way.
    expect(read).toBeGreaterThan(150);
    expect(taken).toBeGreaterThan(150);
  });
});
