/**
 * ingestionToSpans as a whole: its OTLP bytes read back by an independent decoder, payload
 * hygiene, and hostile input (never a throw, every problem an issue with its envelope id).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { otlpJsonToSpans } from '../../../src/otlp/otlp-json.js';
import { IssueSink } from '../../../src/mapping/result.js';
import { createContext, ingestionToSpans, spansFromMerged } from '../../../src/mapping/to-otel/index.js';
import { mergeItems, toMergeItem } from '../../../src/mapping/to-otel/merge.js';
import { decodeTraceRequest, encodeWithStockSerializer } from '../../helpers/otlp-proto.js';
import { recordedEvents, spanView } from '../../helpers/spans.js';

const T = '2026-11-24T20:09:40.250Z';

const recorded = recordedEvents;
const view = spanView;

function generation(id: string, body: Record<string, unknown>): Record<string, unknown> {
  return { id: `evt-${id}`, type: 'generation-create', timestamp: T, body: { id, traceId: 'trace-1', name: 'g', startTime: T, endTime: T, ...body } };
}

describe('OTLP protobuf bytes, read back by an independent decoder of the official schema', () => {
  test.for(['litellm-batch.json', 'batches-langfuse-v3.json', 'batches-langfuse-vercel.json'])('%s', (file) => {
    const spans = ingestionToSpans(recorded(file)).value;
    const decoded = otlpJsonToSpans(decodeTraceRequest(encodeWithStockSerializer(spans)));
    expect(decoded.issues).toEqual([]);
    const byId = new Map(decoded.value.map((s) => [s.spanContext().spanId, view(s)]));
    expect(decoded.value).toHaveLength(spans.length);
    for (const span of spans) expect(byId.get(span.spanContext().spanId)).toEqual(view(span));
  });
});

describe('payload hygiene', () => {
  const png = `data:image/png;base64,${'iVBORw0KGgo'.repeat(20)}AAAA`;
  const media = '@@@langfuseMedia:type=image/png|id=abc|source=base64_data_uri@@@';

  test('inline base64 becomes a placeholder, media tags pass, each cut is an issue', () => {
    const { value, issues } = ingestionToSpans([generation('g1', { input: [{ role: 'user', content: [png, media] }] })]);
    const input = String(value[1]?.attributes['langfuse.observation.input']);
    expect(input).toContain('[base64 image/png, 168 bytes, sha256 ');
    expect(input).toContain(media);
    expect(input).not.toContain('iVBORw0KGgo');
    expect(issues).toEqual([expect.objectContaining({ code: 'TRUNCATED', path: 'langfuse.observation.input', eventId: 'evt-g1' })]);
  });

  test('keepBase64 keeps it; a cap of 0 keeps long values', () => {
    const long = 'x'.repeat(100_000);
    const { value, issues } = ingestionToSpans([generation('g1', { input: png, output: long })], { keepBase64: true, maxAttributeBytes: 0 });
    expect(value[1]?.attributes['langfuse.observation.input']).toBe(png);
    expect(value[1]?.attributes['langfuse.observation.output']).toBe(long);
    expect(issues).toEqual([]);
  });

  test('a 50 MB input is cut to the 64 KiB cap with a marker naming its length', () => {
    const huge = 'y'.repeat(50 * 1024 * 1024);
    const { value, issues } = ingestionToSpans([generation('g1', { input: huge })]);
    const cut = String(value[1]?.attributes['langfuse.observation.input']);
    expect(cut.startsWith('y'.repeat(65_536))).toBe(true);
    expect(cut.slice(65_536)).toBe(`...[truncated by otel-langfuse-bridge, original length ${50 * 1024 * 1024} bytes]`);
    expect(issues.map((i) => i.code)).toEqual(['TRUNCATED']);
  });
});

describe('hostile input', () => {
  test('an update with no create, duplicate envelopes and an unknown parent: spans plus named issues', () => {
    const events = [
      { id: 'u1', type: 'span-update', timestamp: T, body: { id: 'orphan', traceId: 'trace-1', endTime: T } },
      generation('g1', { parentObservationId: 'not-here' }),
      generation('g1', { parentObservationId: 'not-here' }),
    ];
    const { value, issues } = ingestionToSpans(events);
    expect(value.map((s) => s.name).sort()).toEqual(['g', 'langfuse-trace', 'span']);
    expect(issues.map((i) => [i.code, i.eventId])).toEqual(
      expect.arrayContaining([
        ['INVALID_VALUE', 'u1'],
        ['UNKNOWN_PARENT', 'evt-g1'],
      ]),
    );
  });

  test('100,000 events in one call map without a throw and give one span each plus the roots', () => {
    const events = Array.from({ length: 100_000 }, (_, i) => generation(`g${i}`, { traceId: `t${i % 100}` }));
    const { value, issues } = ingestionToSpans(events);
    expect(issues).toEqual([]);
    expect(value).toHaveLength(100_000 + 100);
  });

  test('input nested deeper than JSON can write becomes a marker; the span still goes through', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 20_000; i++) deep = { d: deep };
    const { value } = ingestionToSpans([generation('g1', { input: deep, model: 'gpt-4o' })]);
    expect(value[1]?.attributes['langfuse.observation.input']).toMatch(/^\[not serialisable: /);
    expect(value[1]?.attributes['langfuse.observation.model.name']).toBe('gpt-4o');
  });

  test('property: random values as events never throw; every issue names an event', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.anything(), fc.record({ id: fc.string(), type: fc.string(), timestamp: fc.string(), body: fc.anything() }))), (events) => {
        const { issues } = ingestionToSpans(events);
        for (const issue of issues) expect(typeof issue.eventId).toBe('string');
      }),
      { numRuns: 300 },
    );
  });

  test('random bytes decoded as text never make an event', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = new TextDecoder().decode(bytes);
        const { value } = ingestionToSpans([text, { batch: text }]);
        expect(value).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('traces and clients', () => {
  test('a trace-create without body.timestamp (Python SDK v2 trace.update()) alone: a root at its envelope time, no issue', () => {
    const { value, issues } = ingestionToSpans([{ id: 'e1', type: 'trace-create', timestamp: T, body: { id: 'trace-1', name: 'chat', userId: 'u1' } }]);
    expect(issues).toEqual([]);
    expect(value).toHaveLength(1);
    expect(value[0]?.name).toBe('chat');
    expect(value[0]?.startTime).toEqual([1795550980, 250_000_000]);
    expect(value[0]?.attributes['user.id']).toBe('u1');
  });

  test('events that carry their client resource: each span keeps its own, the implicit root takes its first child', () => {
    const sink = new IssueSink();
    const app = { 'service.name': 'app' };
    const proxy = { 'service.name': 'litellm' };
    const items = [
      toMergeItem(generation('g1', {}), 0, sink, proxy),
      toMergeItem({ id: 'e-s1', type: 'span-create', timestamp: T, body: { id: 's1', traceId: 'trace-1', startTime: T, endTime: T } }, 1, sink, app),
    ].filter((i) => typeof i === 'object');
    const spans = spansFromMerged(mergeItems(items, sink), createContext({}, sink));
    expect(sink.issues).toEqual([]);
    expect(spans.map((s) => [s.name, s.resource.attributes['service.name']])).toEqual([
      ['langfuse-trace', 'litellm'],
      ['g', 'litellm'],
      ['span', 'app'],
    ]);
  });
});
