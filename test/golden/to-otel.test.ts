/**
 * Goldens of the reverse direction: recorded ingestion batches (litellm, the langfuse v3 JS
 * client, the legacy langfuse-vercel exporter) -> ingestionToSpans -> the stock OTLP/JSON
 * serializer, compared in full with `__golden__/<case>/otlp.json`. Each case also pins, with
 * literal values, what a reviewer checked by hand against langfuse-ingestion.md.
 */
import { readFileSync } from 'node:fs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, test } from 'vitest';
import type { MappingResult } from '../../src/mapping/result.js';
import { ingestionToSpans } from '../../src/mapping/to-otel/index.js';

interface Batch {
  batch: unknown[];
  metadata?: unknown;
}

function load(file: string): Batch[] {
  const raw = JSON.parse(readFileSync(new URL(`../fixtures/batches/${file}`, import.meta.url), 'utf8')) as Batch | Batch[];
  return Array.isArray(raw) ? raw : [raw];
}

function map(file: string): MappingResult<ReadableSpan[]> {
  const batches = load(file);
  return ingestionToSpans(batches.flatMap((b) => b.batch), { batchMetadata: batches[0]?.metadata });
}

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((s) => s.name === name && s.attributes['langfuse.bridge.synthetic_root'] === undefined);
  if (!span) throw new Error(`no span ${name}`);
  return span;
}

function root(spans: readonly ReadableSpan[]): ReadableSpan {
  const span = spans.find((s) => s.attributes['langfuse.bridge.synthetic_root'] !== undefined);
  if (!span) throw new Error('no root');
  return span;
}

const CASES = [
  { name: 'litellm', file: 'litellm-batch.json' },
  { name: 'langfuse-v3', file: 'batches-langfuse-v3.json' },
  { name: 'langfuse-vercel', file: 'batches-langfuse-vercel.json' },
];

describe('golden OTLP files', () => {
  test.for(CASES)('$name', async ({ name, file }) => {
    const result = map(file);
    expect(result.issues).toEqual([]);
    const otlp = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(result.value))) as unknown;
    await expect(`${JSON.stringify(otlp, null, 2)}\n`).toMatchFileSnapshot(`__golden__/${name}/otlp.json`);
  });
});

describe('what each golden shows', () => {
  test('litellm: hashed ids with the originals kept, µs times with an offset converted exactly, usage and cost', () => {
    const spans = map('litellm-batch.json').value;
    expect(spans).toHaveLength(2);
    const trace = root(spans);
    const generation = byName(spans, 'litellm-acompletion');
    // A non-hex trace id is hashed: SHA-256("langfuse.trace:" + id), first 16 bytes.
    expect(generation.spanContext().traceId).toBe(trace.spanContext().traceId);
    expect(generation.parentSpanContext?.spanId).toBe(trace.spanContext().spanId);
    expect(generation.attributes['langfuse.trace.id']).toBe('litellm-test-dbadfdfc-f4e7-4f05-8992-984c37359166');
    expect(generation.attributes['langfuse.observation.id']).toBe(
      'time-16-23-27-220129_chatcmpl-565360d7-965f-4533-9c09-db789af77a7d',
    );
    // 2025-02-06T16:23:27.220129-08:00 is 2025-02-07T00:23:27.220129Z.
    expect(generation.startTime).toEqual([1738887807, 220129000]);
    expect(generation.endTime).toEqual([1738887807, 644253000]);
    expect(generation.kind).toBe(2); // CLIENT
    expect(generation.attributes).toMatchObject({
      'langfuse.observation.type': 'generation',
      'langfuse.observation.model.name': 'gpt-3.5-turbo',
      'gen_ai.request.model': 'gpt-3.5-turbo',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 10,
      // litellm sends its cost as usage.totalCost; its response cost stays in the metadata.
      'langfuse.observation.cost_details': '{"total":0.000019999999999999998}',
      'langfuse.observation.metadata.litellm_response_cost': '0.000035',
      'gen_ai.usage.cost': 1.9999999999999998e-5,
      'gen_ai.response.time_to_first_chunk': 0.424124,
    });
    expect(trace.resource.attributes).toEqual({
      'service.name': 'litellm',
      'langfuse.sdk.name': 'python',
      'langfuse.sdk.version': '2.44.1',
      'langfuse.public_key': 'pk-lf-e02aaea3-8668-4c9f-8c69-771a4ea1f5c9',
    });
  });

  test('langfuse v3: updates before creates merge into one span each; error level; score on the root', () => {
    const spans = map('batches-langfuse-v3.json').value;
    expect(spans.map((s) => s.name).sort()).toEqual(['answer', 'cache-miss', 'fallback', 'retrieve-docs', 'support-chat']);
    const answer = byName(spans, 'answer');
    expect(answer.attributes).toMatchObject({
      'langfuse.observation.usage_details': '{"input":120,"output":18,"cache_read_input_tokens":40}',
      'gen_ai.usage.input_tokens': 120,
      'langfuse.observation.completion_start_time': '2026-11-24T20:09:40.251Z',
    });
    const fallback = byName(spans, 'fallback');
    expect(fallback.status).toEqual({ code: 2, message: 'rate limited by provider' });
    const event = byName(spans, 'cache-miss');
    expect(event.startTime).toEqual(event.endTime);
    expect(event.parentSpanContext?.spanId).toBe(byName(spans, 'retrieve-docs').spanContext().spanId);
    const trace = root(spans);
    // Both trace-creates merged: the first one's input and the later one's output.
    expect(trace.attributes).toMatchObject({
      'langfuse.trace.input': '{"question":"Reset my password"}',
      'langfuse.trace.output': '{"answer":"Click \\"Forgot password\\"."}',
      'user.id': 'user-42',
      'session.id': 'sess-7',
    });
    expect(trace.events).toEqual([
      expect.objectContaining({ name: 'langfuse.score', attributes: expect.objectContaining({ 'langfuse.score.value': 0.9 }) }),
    ]);
  });

  test('langfuse-vercel: hex ids pass through unchanged; the parent link the exporter lost is not invented', () => {
    const spans = map('batches-langfuse-vercel.json').value;
    const doGenerate = byName(spans, 'ai.generateText.doGenerate');
    expect(doGenerate.spanContext()).toMatchObject({ traceId: 'ff0055af2e29a0f31650b18edc4d8fc8', spanId: '0d7edb8eb4cc52cb' });
    // langfuse-vercel sent no parentObservationId (its known bug): the span hangs under the trace root.
    expect(doGenerate.parentSpanContext?.spanId).toBe(root(spans).spanContext().spanId);
    expect(byName(spans, 'ai.generateText').spanContext().spanId).toBe('801b37f0a8c3377f');
  });
});
