/**
 * spansToLangfuseOtlp on the recorded spans of the five instrumentations: encoded by the stock
 * OTLP serializer, decoded by the independent protobuf decoder, read as Langfuse v4 reads the
 * `langfuse.*` keys, and compared in full with what the ingestion output of the same spans makes
 * Langfuse store.
 */
import { createHash } from 'node:crypto';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, test } from 'vitest';
import { spansToIngestion } from '../../../src/mapping/to-ingestion/index.js';
import { spansToLangfuseOtlp } from '../../../src/mapping/to-langfuse-otlp/index.js';
import { ingestionToSpans } from '../../../src/mapping/to-otel/index.js';
import { DIALECTS, loadExampleSpans } from '../../helpers/examples.js';
import type { Dialect } from '../../helpers/examples.js';
import { storedSpans } from '../../helpers/fake-langfuse-otlp.js';
import type { StoredSpan } from '../../helpers/fake-langfuse-otlp.js';
import { plainAttributes } from '../../helpers/langfuse-v4-reader.js';
import { expectOtlpMatchesIngestion } from '../../helpers/otlp-vs-ingestion.js';
import { decodeTraceRequest, encodeWithStockSerializer } from '../../helpers/otlp-proto.js';
import { span } from '../to-ingestion/build.js';

/** The spans as Langfuse receives them: stock-encoded, decoded by protobufjs. */
function received(spans: ReadableSpan[]): StoredSpan[] {
  return storedSpans(decodeTraceRequest(encodeWithStockSerializer(spans)));
}

const sha256Hex = (text: string, bytes: number): string => createHash('sha256').update(text).digest('hex').slice(0, bytes * 2);

describe('the recorded instrumentations: Langfuse stores from the OTLP spans what it stores from the ingestion events', () => {
  test.for([
    ...DIALECTS.map((dialect) => ({ name: dialect, dialect, legacyTypes: false })),
    { name: 'ai-sdk, legacy types', dialect: 'ai-sdk' as Dialect, legacyTypes: true },
  ])('$name', ({ dialect, legacyTypes }) => {
    const spans = loadExampleSpans(dialect);
    const otlp = spansToLangfuseOtlp(spans, { legacyTypes });
    expect(otlp.issues).toEqual([]);
    expect(otlp.value.scores).toEqual([]);
    const stored = received(otlp.value.spans);
    expectOtlpMatchesIngestion(stored, spansToIngestion(spans, { legacyTypes }).value);
    // The span ids pass through: Langfuse stores them as the observation ids.
    expect(stored.map((s) => s.span.spanId).sort()).toEqual(spans.map((s) => s.spanContext().spanId).sort());
  });

  test("an event that took time: its span's own end over OTLP, its start in the event-create, the rest the same", () => {
    // As @langfuse/tracing's events: ended at once, which can be a few milliseconds after the start.
    const event = span({ attributes: { 'langfuse.observation.type': 'event', 'langfuse.observation.input': '{"rating":5}' }, startTime: [1_700_000_000, 655_000_000], endTime: [1_700_000_000, 658_000_000] });
    const events = spansToIngestion([event]).value;
    const stored = received(spansToLangfuseOtlp([event]).value.spans);
    expect(stored[0]?.span.endTimeUnixNano).toBe('1700000000658000000');
    expect(events.find((e) => e.type === 'event-create')?.body).not.toHaveProperty('endTime');
    expectOtlpMatchesIngestion(stored, events);
  });

  test('what the goldens pin, seen on the wire: the AI SDK generation of the weather trace', () => {
    const stored = received(spansToLangfuseOtlp(loadExampleSpans('ai-sdk')).value.spans);
    const generation = stored.find((s) => plainAttributes(s.span.attributes)['langfuse.observation.usage_details'] === '{"input":50,"output":12,"total":62}');
    expect(generation?.span.name).toBe('weather:ai.generateText.doGenerate');
    expect(plainAttributes(generation?.span.attributes)).toMatchObject({
      'langfuse.observation.type': 'generation',
      'langfuse.observation.model.name': 'gpt-4o',
      'langfuse.trace.name': 'weather:ai.generateText',
      'user.id': 'user-42',
      'session.id': 'sess-7',
      'langfuse.trace.tags': ['peer'],
      'langfuse.environment': 'peer-lab',
    });
  });
});

describe('fields Langfuse would otherwise fill by itself', () => {
  test("under the AI SDK's scope, a span with no parameters or usage says so ({}), or Langfuse invents them", () => {
    const aiSpan = span({ name: 'ai.generateText', scope: { name: 'ai' }, attributes: { 'ai.operationId': 'ai.generateText', 'gen_ai.usage.input_tokens': 5 } });
    const other = span({ name: 'work', scope: { name: 'my-app' }, attributes: { 'app.step': 'x' } });
    const [a, b] = spansToLangfuseOtlp([aiSpan]).value.spans.concat(spansToLangfuseOtlp([other]).value.spans);
    expect(a?.attributes).toMatchObject({ 'langfuse.observation.type': 'span', 'langfuse.observation.model.parameters': '{}', 'langfuse.observation.usage_details': '{}' });
    expect(b?.attributes['langfuse.observation.model.parameters']).toBeUndefined();
    expect(b?.attributes['langfuse.observation.usage_details']).toBeUndefined();
  });

  test("trace input and output: the root's own (v4 has no other), and langfuse.trace.* only where set apart from them", () => {
    const own = span({ name: 'root', attributes: { 'input.value': 'the question', 'output.value': 'the answer' } });
    const apart = span({ name: 'root', attributes: { 'input.value': 'raw request', 'langfuse.trace.input': 'the question' } });
    const [ownOut] = spansToLangfuseOtlp([own]).value.spans;
    const [apartOut] = spansToLangfuseOtlp([apart]).value.spans;
    expect(ownOut?.attributes).toMatchObject({ 'langfuse.observation.input': 'the question', 'langfuse.observation.output': 'the answer' });
    expect(ownOut?.attributes['langfuse.trace.input']).toBeUndefined();
    expect(ownOut?.attributes['langfuse.trace.output']).toBeUndefined();
    expect(apartOut?.attributes).toMatchObject({ 'langfuse.observation.input': 'raw request', 'langfuse.trace.input': 'the question' });
  });

  test('status and level: an ERROR status gives level ERROR and the status message, kept on the span too', () => {
    const failed = span({ name: 'call', status: { code: SpanStatusCode.ERROR, message: 'rate limited' }, attributes: { 'gen_ai.request.model': 'm' } });
    const [out] = spansToLangfuseOtlp([failed]).value.spans;
    expect(out?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'rate limited' });
    expect(out?.attributes).toMatchObject({ 'langfuse.observation.level': 'ERROR', 'langfuse.observation.status_message': 'rate limited' });
  });
});

describe('ids Langfuse would refuse (the whole request, with a 400) are repaired', () => {
  const uuid = '0b4b5a27-7c55-4b2e-8d43-0a4f9d7b1c11';
  const spans = [
    span({ traceId: uuid, spanId: 'parent-step', name: 'root' }),
    span({ traceId: uuid, spanId: '0000000000000000', parentSpanId: 'parent-step', name: 'child' }),
    span({ traceId: uuid, spanId: 'abcdefabcdefabcd', parentSpanId: 'ABCDEFABCDEFABCE', name: 'upper-case parent' }),
  ];

  test('as design.md section 3 derives them (dashes dropped, else SHA-256), children still linked, each repair an issue', () => {
    const { value, issues } = spansToLangfuseOtlp(spans);
    const ids = value.spans.map((s) => ({ name: s.name, trace: s.spanContext().traceId, span: s.spanContext().spanId, parent: s.parentSpanContext?.spanId }));
    const root = sha256Hex('langfuse.observation:parent-step', 8);
    const zero = sha256Hex('langfuse.observation:0000000000000000', 8);
    expect(ids).toEqual(
      expect.arrayContaining([
        { name: 'root', trace: '0b4b5a277c554b2e8d430a4f9d7b1c11', span: root, parent: undefined },
        { name: 'child', trace: '0b4b5a277c554b2e8d430a4f9d7b1c11', span: zero, parent: root },
        { name: 'upper-case parent', trace: '0b4b5a277c554b2e8d430a4f9d7b1c11', span: 'abcdefabcdefabcd', parent: 'abcdefabcdefabce' },
      ]),
    );
    expect(issues.map((i) => [i.code, i.path, i.message])).toEqual(
      expect.arrayContaining([
        ['INVALID_ID', 'traceId', `trace id "${uuid}" is not 32 hex digits: sent as 0b4b5a277c554b2e8d430a4f9d7b1c11`],
        ['INVALID_ID', 'spanId', `span id "parent-step" is not 16 hex digits: sent as ${root}`],
        ['INVALID_ID', 'parentSpanId', `parent span id "parent-step" is not 16 hex digits: sent as ${root}`],
        ['INVALID_ID', 'spanId', `span id "0000000000000000" is not 16 hex digits: sent as ${zero}`],
      ]),
    );
    // On the wire: 16-byte trace ids and 8-byte span ids, which Langfuse accepts.
    for (const { span: s } of received(value.spans)) {
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  test('a span with no ids at all is skipped with an issue, as the ingestion output skips it', () => {
    const lost = { ...span({ name: 'lost' }), spanContext: () => ({ traceFlags: 1 }) } as unknown as ReadableSpan;
    const { value, issues } = spansToLangfuseOtlp([lost]);
    expect(value.spans).toEqual([]);
    expect(issues.map((i) => i.code)).toEqual(['INVALID_ID']);
  });
});

describe('oversized spans are cut, never dropped', () => {
  test('the largest input, output or metadata value is cut with a marker until the span fits', () => {
    const big = 'x'.repeat(900_000);
    const s = span({ name: 'big', attributes: { 'gen_ai.request.model': 'm', 'input.value': big, 'output.value': big.slice(0, 400_000), 'app.key': 'kept' } });
    const { value, issues } = spansToLangfuseOtlp([s], { maxSpanBytes: 1_000_000 });
    const [out] = value.spans;
    const input = String(out?.attributes['langfuse.observation.input']);
    expect(input.startsWith('xxxx')).toBe(true);
    expect(input).toMatch(/\.\.\.\[truncated by otel-langfuse-bridge, original length 900000 bytes\]$/);
    expect(out?.attributes['langfuse.observation.output']).toBe(big.slice(0, 400_000));
    expect(Buffer.byteLength(JSON.stringify(out?.attributes))).toBeLessThan(1_000_000);
    // The trace's input is the root's own: not written twice.
    expect(out?.attributes['langfuse.trace.input']).toBeUndefined();
    expect(issues).toEqual([expect.objectContaining({ code: 'TRUNCATED', path: 'langfuse.observation.input', spanId: s.spanContext().spanId })]);
  });
});

describe('scores carried by spans of our own reverse mapping', () => {
  test('leave as score-create events pointed at the hex ids the spans carry (Langfuse takes scores only on the ingestion endpoint)', () => {
    const traceId = '1f6b2c3d-0000-4000-8000-00000000abcd';
    const events = [
      { id: 'e1', type: 'trace-create', timestamp: '2026-11-24T20:00:00.000Z', body: { id: traceId, name: 't', timestamp: '2026-11-24T20:00:00.000Z' } },
      { id: 'e2', type: 'span-create', timestamp: '2026-11-24T20:00:00.000Z', body: { id: 'obs-1', traceId, name: 's', startTime: '2026-11-24T20:00:00.000Z', endTime: '2026-11-24T20:00:01.000Z' } },
      { id: 'e3', type: 'score-create', timestamp: '2026-11-24T20:00:02.000Z', body: { id: 'score-1', traceId, observationId: 'obs-1', name: 'quality', value: 0.9 } },
    ];
    const { value } = spansToLangfuseOtlp(ingestionToSpans(events).value);
    const [observation] = value.spans;
    expect(observation?.spanContext().traceId).toBe('1f6b2c3d00004000800000000000abcd');
    expect(value.scores).toHaveLength(1);
    expect(value.scores[0]?.type).toBe('score-create');
    expect(value.scores[0]?.body).toMatchObject({ id: 'score-1', name: 'quality', value: 0.9, traceId: observation?.spanContext().traceId, observationId: observation?.spanContext().spanId });
    expect(observation?.spanContext().spanId).toBe(sha256Hex('langfuse.observation:obs-1', 8));
    // The original ids stay readable on the span.
    expect(observation?.attributes).toMatchObject({ 'langfuse.observation.id': 'obs-1', 'langfuse.trace.id': traceId });
  });
});
