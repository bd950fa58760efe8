/**
 * Goldens: the recorded spans of five real instrumentations, mapped to ingestion events and
 * compared in full with `__golden__/<case>/events.json`. Each case also pins, with literal
 * values, the facts a reviewer checked by hand against langfuse-ingestion.md; the file comparison
 * catches everything else. Under CI=true a missing golden fails; `npx vitest -u` rewrites them.
 */
import { describe, expect, test } from 'vitest';
import type { MappingResult } from '../../src/mapping/result.js';
import { parseIngestionEvent } from '../../src/mapping/schema.js';
import type { IngestionEvent } from '../../src/mapping/schema.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import type { ToIngestionOptions } from '../../src/mapping/to-ingestion/index.js';
import type { Dialect } from '../helpers/examples.js';
import { loadExampleSpans } from '../helpers/examples.js';

interface Body {
  [key: string]: unknown;
  metadata?: Record<string, unknown>;
}

function map(dialect: Dialect, options?: ToIngestionOptions): MappingResult<IngestionEvent[]> {
  return spansToIngestion(loadExampleSpans(dialect), options);
}

/** `type` and body of the event whose body has this name (trace-create when `name` is the trace). */
function byName(events: readonly IngestionEvent[], name: string, nth = 0): { type: string; body: Body } {
  const found = events.filter((e) => e.type !== 'trace-create' && (e.body as Body).name === name)[nth];
  if (!found) throw new Error(`no observation named ${name}`);
  return { type: found.type, body: found.body as Body };
}

function traces(events: readonly IngestionEvent[]): Body[] {
  return events.filter((e) => e.type === 'trace-create').map((e) => e.body as Body);
}

const CASES: Array<{ name: string; dialect: Dialect; options?: ToIngestionOptions }> = [
  { name: 'otel', dialect: 'otel' },
  { name: 'traceloop', dialect: 'traceloop' },
  { name: 'openinference', dialect: 'openinference' },
  { name: 'ai-sdk', dialect: 'ai-sdk' },
  { name: 'langfuse-tracing', dialect: 'langfuse-tracing' },
  { name: 'ai-sdk-legacy-types', dialect: 'ai-sdk', options: { legacyTypes: true } },
];

describe('golden files', () => {
  test.for(CASES)('$name', async ({ name, dialect, options }) => {
    const result = map(dialect, options);
    expect(result.issues).toEqual([]);
    for (const event of result.value) expect(parseIngestionEvent(event)).toMatchObject({ ok: true });
    await expect(`${JSON.stringify(result.value, null, 2)}\n`).toMatchFileSnapshot(`__golden__/${name}/events.json`);
  });

  test('mapping twice gives byte-identical output (envelope ids included)', () => {
    for (const { dialect } of CASES) {
      expect(JSON.stringify(map(dialect).value)).toBe(JSON.stringify(map(dialect).value));
    }
  });
});

describe('what each golden shows', () => {
  test('otel: gen_ai.* spans become generations and an embedding under a shallow root trace', () => {
    const events = map('otel').value;
    expect(events.map((e) => e.type)).toEqual([
      'trace-create',
      'span-create',
      'generation-create',
      'generation-create',
      'generation-create',
      'embedding-create',
    ]);
    // The root has no GenAI keys: the trace is named after it and carries its environment.
    expect(traces(events)).toEqual([
      { id: 'f629388210ef905a4ffe3152be6617c2', timestamp: '2026-11-24T20:08:40.559Z', name: 'answer-question', environment: 'peer-lab' },
    ]);
    const chat = byName(events, 'chat gpt-4o-mini').body;
    expect(chat).toMatchObject({
      id: '0f3f33fdb36aca04',
      traceId: 'f629388210ef905a4ffe3152be6617c2',
      parentObservationId: '7cdb6205cba42756',
      startTime: '2026-11-24T20:08:40.560Z',
      endTime: '2026-11-24T20:08:40.613914663Z',
      model: 'gpt-4o-mini',
      modelParameters: { max_tokens: 64, temperature: 0.2 },
      usageDetails: { input: 23, output: 7, total: 30 },
    });
    // Content goes to log records in this instrumentation, so there is no input or output.
    expect(chat.input).toBeUndefined();
    // Unmapped keys are kept, not dropped; the responded model won, the requested one stays.
    expect(chat.metadata?.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.system': 'openai' });
    expect(byName(events, 'embeddings text-embedding-3-small')).toMatchObject({
      type: 'embedding-create',
      body: { model: 'text-embedding-3-small', usageDetails: { input: 5, total: 5 } },
    });
  });

  test('traceloop: gen_ai.input/output.messages and tool definitions become input {messages, tools}', () => {
    const events = map('traceloop').value;
    const tool = byName(events, 'chat gpt-4o').body;
    expect(tool.input).toEqual({
      messages: [{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
    });
    expect(tool.output).toEqual([
      {
        role: 'assistant',
        finish_reason: 'tool_call',
        parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
      },
    ]);
    // Traceloop 0.27 streams without usage: no usage is invented.
    const streamed = byName(events, 'chat gpt-4o-mini', 1).body;
    expect(streamed.usageDetails).toBeUndefined();
  });

  test('openinference: indexed messages are rebuilt, cached and reasoning tokens become exclusive buckets', () => {
    const events = map('openinference').value;
    const first = byName(events, 'OpenAI Chat Completions').body;
    expect(first.input).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is the capital of France?' },
    ]);
    // 23 prompt tokens include the 4 cached ones: input 19 + cached 4; total stays 30.
    expect(first.usageDetails).toEqual({ input: 19, output: 7, total: 30, input_cached_tokens: 4, output_reasoning_tokens: 0 });
    expect(first.modelParameters).toEqual({ temperature: 0.2, max_tokens: 64 });
    // The raw request body is not the input (messages rank first) but is kept in metadata.
    expect((first.metadata?.attributes as Record<string, unknown>)['input.value']).toContain('"messages"');
    // OpenInference sets status OK; the reverse mapping cannot derive it, so it is kept.
    expect(first.metadata?.['bridge.status_code']).toBe('OK');
    const embedding = byName(events, 'OpenAI Embeddings');
    expect(embedding).toMatchObject({ type: 'embedding-create', body: { model: 'text-embedding-3-small', input: 'hello world' } });
  });

  test('ai-sdk: only doGenerate/doStream/doEmbed carry model and usage; tool calls are tools', () => {
    const events = map('ai-sdk').value;
    expect(traces(events).map((t) => t.name).sort()).toEqual([
      'capital:ai.generateText',
      'embed:ai.embed',
      'stream:ai.streamText',
      'weather:ai.generateText',
    ]);
    for (const t of traces(events)) expect(t).toMatchObject({ userId: 'user-42', sessionId: 'sess-7', tags: ['peer'] });
    // The outer span repeats its children's usage: it stays a span without usage (no double count).
    const outer = byName(events, 'capital:ai.generateText');
    expect(outer.type).toBe('span-create');
    expect(outer.body.usageDetails).toBeUndefined();
    const inner = byName(events, 'capital:ai.generateText.doGenerate');
    expect(inner).toMatchObject({
      type: 'generation-create',
      body: { model: 'gpt-4o-mini', usageDetails: { input: 23, output: 7, total: 30 }, output: 'Paris is the capital of France.' },
    });
    expect(byName(events, 'get_weather')).toMatchObject({
      type: 'tool-create',
      body: { input: { city: 'Paris' }, output: { city: 'Paris', tempC: 18 } },
    });
    // msToFirstChunk 5.741513999999995 ms after a start of .719 s, to the nanosecond, no floats.
    expect(byName(events, 'stream:ai.streamText.doStream').body.completionStartTime).toBe('2026-11-24T20:08:56.724741513Z');
    expect(byName(events, 'embed:ai.embed.doEmbed').body).toMatchObject({ input: ['hello world'], usageDetails: { input: 5, total: 5 } });
  });

  test('ai-sdk with legacy types: the embedding becomes a generation and the tool a span', () => {
    const events = map('ai-sdk', { legacyTypes: true }).value;
    expect(byName(events, 'embed:ai.embed.doEmbed').type).toBe('generation-create');
    expect(byName(events, 'get_weather').type).toBe('span-create');
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['trace-create', 'span-create', 'generation-create']));
  });

  test('langfuse-tracing: langfuse.* keys map one to one, trace fields come from the root', () => {
    const events = map('langfuse-tracing').value;
    expect(traces(events)).toEqual([
      {
        id: 'fe788a55fddedaaa0b9686104a99f979',
        timestamp: '2026-11-24T20:09:25.061Z',
        name: 'rag-request',
        userId: 'user-42',
        sessionId: 'sess-7',
        input: { question: 'What is OTel?' },
        output: { answer: 'An observability framework.' },
        metadata: { tenant: 'acme' },
        tags: ['peer', 'rag'],
        release: 'v1.2.3',
        environment: 'peer-lab',
      },
    ]);
    expect(byName(events, 'llm-answer').body).toMatchObject({
      model: 'gpt-4o-mini',
      modelParameters: { temperature: 0.2, max_tokens: 64 },
      usageDetails: { input: 23, output: 7, cache_read_input_tokens: 4 },
      costDetails: { input: 0.0001, output: 0.0002, total: 0.0003 },
      // The SDK JSON-quotes the date; it is unquoted here.
      completionStartTime: '2026-11-24T20:09:25.063Z',
    });
    expect(byName(events, 'get_weather')).toMatchObject({
      type: 'tool-create',
      body: { level: 'WARNING', statusMessage: 'slow upstream' },
    });
    const event = byName(events, 'user-feedback-received');
    expect(event.type).toBe('event-create');
    expect(event.body.endTime).toBeUndefined();
    expect(byName(events, 'vector-search').type).toBe('retriever-create');
    expect(byName(events, 'rag-pipeline').body.metadata).toMatchObject({ team: 'search' });
  });
});
