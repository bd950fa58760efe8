/**
 * Runs each real peer package against the fake OpenAI server, checks what it emitted, then maps
 * what it emitted with spansToIngestion and checks the Langfuse fields per dialect. Expected
 * values are literals taken from the fake's canned answers (test/helpers/fake-openai.ts) and agree
 * with the recorded fixtures in ../shared/fixtures/spans-*.json unless a comment says otherwise.
 */
import { availableParallelism } from 'node:os';
import { beforeAll, describe, expect, test } from 'vitest';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import type { RecordedRequest } from '../helpers/fake-openai.js';
import { spanDumpToReadableSpans } from '../../src/mapping/span-dump.js';
import type { IngestionEvent } from '../../src/mapping/schema.js';
import { parseIngestionEvent } from '../../src/mapping/schema.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { capturePeerSpans } from '../helpers/peers.js';
import type { PeerName, SpanDump } from '../helpers/peers.js';

interface Capture {
  spans: SpanDump[];
  requests: RecordedRequest[];
}

const PEERS: PeerName[] = ['otel', 'traceloop', 'openinference', 'ai-sdk', 'langfuse-tracing'];
const captures = new Map<PeerName, PromiseSettledResult<Capture>>();

// A child takes about 1 s, mostly CPU (tsx and module loading): run as many at once as there are CPUs.
beforeAll(async () => {
  const queue = [...PEERS];
  const worker = async (): Promise<void> => {
    for (let peer = queue.shift(); peer !== undefined; peer = queue.shift()) {
      const result = await capture(peer).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
      captures.set(peer, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), PEERS.length) }, worker));
}, 30_000);

async function capture(peer: PeerName): Promise<Capture> {
  const fakeOpenAI = await startFakeOpenAI();
  try {
    const spans = await capturePeerSpans(peer, { fakeOpenAI });
    return { spans, requests: fakeOpenAI.requests };
  } finally {
    await fakeOpenAI.close();
  }
}

function captured(peer: PeerName): Capture {
  const result = captures.get(peer);
  if (result?.status !== 'fulfilled') throw result?.reason ?? new Error(`${peer} was not captured`);
  return result.value;
}

function spanNames(peer: PeerName): string[] {
  return captured(peer).spans.map((s) => s.name);
}

/** The `index`-th span called `name`, in end order. */
function span(peer: PeerName, name: string, index = 0): SpanDump {
  const found = captured(peer).spans.filter((s) => s.name === name)[index];
  if (!found) throw new Error(`${peer}: no span ${name} #${index}`);
  return found;
}

function attrs(peer: PeerName, name: string, index = 0): Record<string, unknown> {
  return span(peer, name, index).attributes;
}

const DUMP_KEYS = [
  'name', 'kind', 'traceId', 'spanId', 'traceFlags', 'parentSpanId', 'startTime', 'endTime',
  'attributes', 'events', 'links', 'status', 'resource', 'scope',
];
const ROOTS: Record<PeerName, number> = { otel: 1, traceloop: 1, openinference: 1, 'ai-sdk': 4, 'langfuse-tracing': 1 };

describe('span dump format and tree', () => {
  test.for(PEERS)('%s', (peer) => {
    const { spans } = captured(peer);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const s of spans) {
      const keys = s.parentSpanId === undefined ? DUMP_KEYS.filter((k) => k !== 'parentSpanId') : DUMP_KEYS;
      expect(Object.keys(s)).toEqual(keys);
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(s.traceFlags).toBe(1);
      expect(s.resource).toEqual({ 'service.name': `peer-${peer}`, 'deployment.environment.name': 'peer-lab' });
      expect(s.links).toEqual([]);
      // Start times are whole milliseconds, as in every fixture.
      expect(s.startTime[1] % 1_000_000).toBe(0);
      if (s.parentSpanId !== undefined) {
        expect(byId.get(s.parentSpanId)?.traceId).toBe(s.traceId);
      }
    }
    expect(spans.filter((s) => s.parentSpanId === undefined)).toHaveLength(ROOTS[peer]);
  });
});

const OPENAI_INSTRUMENTATIONS: PeerName[] = ['otel', 'traceloop', 'openinference'];

describe('requests the fake server received', () => {
  test.for(OPENAI_INSTRUMENTATIONS)('%s: the openai client calls', (peer) => {
    const { requests } = captured(peer);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/chat/completions',
      'POST /v1/chat/completions',
      'POST /v1/chat/completions',
      'POST /v1/embeddings',
    ]);
    expect(requests[0]?.headers['authorization']).toBe('Bearer test-key');
    expect(requests[0]?.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 64 });
    expect(requests[1]?.body).toMatchObject({ model: 'gpt-4o', tools: [{ function: { name: 'get_weather' } }] });
    expect(requests[2]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    // openai 6 asks for base64 unless told otherwise.
    expect(requests[3]?.body).toEqual({
      model: 'text-embedding-3-small',
      input: 'hello world',
      encoding_format: 'base64',
    });
  });

  test('ai-sdk: two steps for the tool call, then stream and embed', () => {
    const { requests } = captured('ai-sdk');
    expect(requests.map((r) => r.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/embeddings',
    ]);
    const roles = (requests[2]?.body as { messages: { role: string }[] }).messages.map((m) => m.role);
    expect(roles).toEqual(['user', 'assistant', 'tool']);
    expect(requests[3]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(requests[4]?.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['hello world'],
      encoding_format: 'float',
    });
  });

  test('langfuse-tracing: none', () => {
    expect(captured('langfuse-tracing').requests).toEqual([]);
  });
});

describe('@opentelemetry/instrumentation-openai 0.21.0', () => {
  const peer = 'otel';

  test('spans', () => {
    expect(spanNames(peer)).toEqual([
      'chat gpt-4o-mini',
      'chat gpt-4o',
      'chat gpt-4o-mini',
      'embeddings text-embedding-3-small',
      'answer-question',
    ]);
    expect(span(peer, 'chat gpt-4o').kind).toBe(2);
    expect(span(peer, 'chat gpt-4o').scope).toEqual({
      name: '@opentelemetry/instrumentation-openai',
      version: '0.21.0',
    });
    expect(span(peer, 'answer-question').scope).toEqual({ name: 'peer-app' });
  });

  test('chat attributes: old gen_ai.system key, no content on spans', () => {
    expect(attrs(peer, 'chat gpt-4o-mini')).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.system': 'openai',
      'server.address': '127.0.0.1',
      'server.port': expect.any(Number),
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.id': 'chatcmpl-peer-001',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 23,
      'gen_ai.usage.output_tokens': 7,
    });
    expect(attrs(peer, 'chat gpt-4o')).toMatchObject({
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'gen_ai.usage.input_tokens': 50,
      'gen_ai.usage.output_tokens': 12,
    });
    expect(attrs(peer, 'chat gpt-4o-mini', 1)).toMatchObject({
      'gen_ai.response.id': 'chatcmpl-peer-003',
      'gen_ai.usage.input_tokens': 23,
      'gen_ai.usage.output_tokens': 5,
    });
    expect(attrs(peer, 'embeddings text-embedding-3-small')).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.usage.input_tokens': 5,
    });
  });
});

describe('@traceloop/instrumentation-openai 0.27.0', () => {
  const peer = 'traceloop';

  test('spans: no embeddings span', () => {
    expect(spanNames(peer)).toEqual(['chat gpt-4o-mini', 'chat gpt-4o', 'chat gpt-4o-mini', 'answer-question']);
    expect(span(peer, 'chat gpt-4o').scope).toEqual({ name: '@traceloop/instrumentation-openai', version: '0.27.0' });
  });

  test('messages as gen_ai.input.messages / gen_ai.output.messages JSON', () => {
    const chat = attrs(peer, 'chat gpt-4o-mini');
    expect(chat).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 23,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.usage.total_tokens': 30,
    });
    expect(JSON.parse(chat['gen_ai.input.messages'] as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is the capital of France?' }] },
    ]);
    const tool = attrs(peer, 'chat gpt-4o');
    expect(tool['gen_ai.response.finish_reasons']).toEqual(['tool_call']);
    expect(JSON.parse(tool['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        finish_reason: 'tool_call',
        parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
      },
    ]);
  });

  test('the streamed call has no usage although the server sent it', () => {
    const streamed = attrs(peer, 'chat gpt-4o-mini', 1);
    expect(streamed['gen_ai.response.id']).toBe('chatcmpl-peer-003');
    expect(Object.keys(streamed).filter((k) => k.startsWith('gen_ai.usage.'))).toEqual([]);
  });
});

describe('@arizeai/openinference-instrumentation-openai 4.2.7', () => {
  const peer = 'openinference';

  test('spans: INTERNAL kind, OK status except on the streamed call', () => {
    expect(spanNames(peer)).toEqual([
      'OpenAI Chat Completions',
      'OpenAI Chat Completions',
      'OpenAI Chat Completions',
      'OpenAI Embeddings',
      'answer-question',
    ]);
    const chats = captured(peer).spans.filter((s) => s.name === 'OpenAI Chat Completions');
    expect(chats.map((s) => [s.kind, s.status.code])).toEqual([
      [0, 1],
      [0, 1],
      [0, 0],
    ]);
  });

  test('LLM attributes with token counts and flattened messages', () => {
    expect(attrs(peer, 'OpenAI Chat Completions')).toMatchObject({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.system': 'openai',
      'llm.invocation_parameters': '{"model":"gpt-4o-mini","temperature":0.2,"max_tokens":64}',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'You are terse.',
      'llm.output_messages.0.message.content': 'Paris is the capital of France.',
      'llm.token_count.prompt': 23,
      'llm.token_count.completion': 7,
      'llm.token_count.total': 30,
      'llm.token_count.prompt_details.cache_read': 4,
      'llm.token_count.completion_details.reasoning': 0,
    });
    expect(attrs(peer, 'OpenAI Chat Completions', 1)).toMatchObject({
      'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'call_1',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'get_weather',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"city":"Paris"}',
      'llm.finish_reason': 'tool_calls',
    });
    const streamed = attrs(peer, 'OpenAI Chat Completions', 2);
    expect(streamed['output.value']).toBe('Paris is the capital.');
    expect(streamed['llm.token_count.prompt']).toBeUndefined();
  });

  test('EMBEDDING span with the decoded vector', () => {
    expect(attrs(peer, 'OpenAI Embeddings')).toMatchObject({
      'openinference.span.kind': 'EMBEDDING',
      'embedding.model_name': 'text-embedding-3-small',
      'embedding.embeddings.0.embedding.text': 'hello world',
      // float32 values. The fixture has [] here: its fake sent floats to a base64 request, which the
      // openai client decoded to an empty array.
      'embedding.embeddings.0.embedding.vector': [0.10000000149011612, 0.20000000298023224, 0.30000001192092896],
    });
  });
});

describe('ai 5.0.277 + @ai-sdk/openai 2.0.131', () => {
  const peer = 'ai-sdk';

  test('spans: one trace per call, the tool round trip under one generateText', () => {
    expect(spanNames(peer)).toEqual([
      'ai.generateText.doGenerate',
      'ai.generateText',
      'ai.generateText.doGenerate',
      'ai.toolCall',
      'ai.generateText.doGenerate',
      'ai.generateText',
      'ai.streamText.doStream',
      'ai.streamText',
      'ai.embed.doEmbed',
      'ai.embed',
    ]);
    const weather = span(peer, 'ai.generateText', 1);
    expect(span(peer, 'ai.toolCall').parentSpanId).toBe(weather.spanId);
    expect(span(peer, 'ai.generateText.doGenerate', 2).parentSpanId).toBe(weather.spanId);
    expect(weather.scope).toEqual({ name: 'ai' });
  });

  test('generateText: usage, settings and telemetry metadata', () => {
    expect(attrs(peer, 'ai.generateText.doGenerate')).toMatchObject({
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.telemetry.functionId': 'capital',
      'ai.model.provider': 'openai.chat',
      'ai.settings.maxOutputTokens': 64,
      'gen_ai.request.temperature': 0.2,
      'ai.telemetry.metadata.userId': 'user-42',
      'ai.telemetry.metadata.sessionId': 'sess-7',
      'ai.telemetry.metadata.tags': ['peer'],
      'ai.response.text': 'Paris is the capital of France.',
      'ai.usage.promptTokens': 23,
      'ai.usage.completionTokens': 7,
    });
    expect(attrs(peer, 'ai.generateText.doGenerate', 1)).toMatchObject({
      'ai.response.finishReason': 'tool-calls',
      'ai.usage.promptTokens': 50,
    });
  });

  test('toolCall span with arguments and result', () => {
    expect(attrs(peer, 'ai.toolCall')).toMatchObject({
      'ai.toolCall.name': 'get_weather',
      'ai.toolCall.id': 'call_1',
      'ai.toolCall.args': '{"city":"Paris"}',
      'ai.toolCall.result': '{"city":"Paris","tempC":18}',
    });
  });

  test('streamText.doStream: v5 usage keys and stream events', () => {
    const doStream = span(peer, 'ai.streamText.doStream');
    expect(doStream.attributes).toMatchObject({
      'ai.response.text': 'Paris is the capital.',
      'ai.usage.inputTokens': 23,
      'ai.usage.outputTokens': 5,
      'ai.usage.totalTokens': 28,
    });
    expect(doStream.events.map((e) => e.name)).toEqual(['ai.stream.firstChunk', 'ai.stream.finish']);
    expect(doStream.events[0]?.attributes['ai.response.msToFirstChunk']).toEqual(expect.any(Number));
  });

  test('embed.doEmbed', () => {
    expect(attrs(peer, 'ai.embed.doEmbed')).toMatchObject({
      'ai.model.provider': 'openai.embedding',
      'ai.values': ['"hello world"'],
      'ai.embeddings': ['[0.1,0.2,0.3]'],
      'ai.usage.tokens': 5,
    });
  });
});

describe('@langfuse/tracing 5.11.1', () => {
  const peer = 'langfuse-tracing';

  test('observation types, all children of the root', () => {
    const { spans } = captured(peer);
    expect(spans.map((s) => [s.name, s.attributes['langfuse.observation.type']])).toEqual([
      ['vector-search', 'retriever'],
      ['llm-answer', 'generation'],
      ['user-feedback-received', 'event'],
      ['get_weather', 'tool'],
      ['rag-pipeline', 'span'],
    ]);
    const root = span(peer, 'rag-pipeline');
    expect(spans.filter((s) => s !== root).map((s) => s.parentSpanId)).toEqual(Array(4).fill(root.spanId));
    expect(root.scope).toEqual({ name: 'langfuse-sdk', version: '5.11.1' });
  });

  test('trace keys on the root only', () => {
    expect(attrs(peer, 'rag-pipeline')).toMatchObject({
      'langfuse.trace.name': 'rag-request',
      'user.id': 'user-42',
      'session.id': 'sess-7',
      'langfuse.trace.tags': ['peer', 'rag'],
      'langfuse.trace.metadata.tenant': 'acme',
      'langfuse.observation.metadata.team': 'search',
      'langfuse.release': 'v1.2.3',
    });
    expect(attrs(peer, 'llm-answer')['user.id']).toBeUndefined();
  });

  test('generation, event and tool attributes', () => {
    expect(attrs(peer, 'llm-answer')).toMatchObject({
      'langfuse.observation.model.name': 'gpt-4o-mini',
      'langfuse.observation.model.parameters': '{"temperature":0.2,"max_tokens":64}',
      'langfuse.observation.usage_details': '{"input":23,"output":7,"cache_read_input_tokens":4}',
      'langfuse.observation.cost_details': '{"input":0.0001,"output":0.0002}',
      'langfuse.observation.completion_start_time': expect.stringMatching(/^"\d{4}-\d\d-\d\dT[\d:.]+Z"$/),
    });
    // An event ends at a Date taken right after its start: whole milliseconds, no duration to speak of.
    const event = span(peer, 'user-feedback-received');
    const millis = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;
    expect(event.endTime[1] % 1_000_000).toBe(0);
    expect(millis(event.endTime) - millis(event.startTime)).toBeLessThanOrEqual(1);
    expect(event.attributes['langfuse.observation.level']).toBe('DEFAULT');
    expect(attrs(peer, 'get_weather')).toMatchObject({
      'langfuse.observation.level': 'WARNING',
      'langfuse.observation.status_message': 'slow upstream',
      'langfuse.observation.output': '{"tempC":18}',
    });
  });
});

/** What the real spans of `peer` become, checked against Langfuse's schema and free of issues. */
function mapped(peer: PeerName): IngestionEvent[] {
  const spans = spanDumpToReadableSpans(captured(peer).spans);
  expect(spans.issues).toEqual([]);
  const result = spansToIngestion(spans.value);
  expect(result.issues).toEqual([]);
  for (const event of result.value) expect(parseIngestionEvent(event)).toMatchObject({ ok: true });
  expect(result.value.filter((e) => e.type !== 'trace-create')).toHaveLength(captured(peer).spans.length);
  return result.value;
}

type Body = Record<string, unknown>;

function observations(events: IngestionEvent[], name: string): Array<{ type: string; body: Body }> {
  return events
    .filter((e) => e.type !== 'trace-create' && (e.body as Body).name === name)
    .map((e) => ({ type: e.type, body: e.body as Body }));
}

function traceCreates(events: IngestionEvent[]): Body[] {
  return events.filter((e) => e.type === 'trace-create').map((e) => e.body as Body);
}

/** Every observation's parent is an observation of the same call (nesting survives). */
function expectNested(events: IngestionEvent[]): void {
  const ids = new Set(events.filter((e) => e.type !== 'trace-create').map((e) => (e.body as Body).id));
  for (const e of events) {
    const parent = (e.body as Body).parentObservationId;
    if (parent !== undefined) expect(ids.has(parent)).toBe(true);
  }
}

describe('mapped to ingestion events', () => {
  test.for(OPENAI_INSTRUMENTATIONS)('%s: root trace, nesting, a generation per chat call', (peer) => {
    const events = mapped(peer);
    expectNested(events);
    expect(traceCreates(events)).toEqual([
      expect.objectContaining({ name: 'answer-question', environment: 'peer-lab' }),
    ]);
    const generations = events.filter((e) => e.type === 'generation-create').map((e) => e.body as Body);
    expect(generations.map((g) => g.model)).toEqual(['gpt-4o-mini', 'gpt-4o', 'gpt-4o-mini']);
    for (const g of generations) expect(g.parentObservationId).toBe(observations(events, 'answer-question')[0]?.body.id);
  });

  test('otel: usage of all three chat calls (streamed included) and the embedding', () => {
    const events = mapped('otel');
    const spans = events.filter((e) => e.type !== 'trace-create');
    // The root span (no parent) has no usage. Apart: its first child may start within the same
    // microsecond, and then either comes first.
    const roots = spans.filter((e) => (e.body as Body).parentObservationId === undefined);
    expect(roots.map((e) => (e.body as Body).usageDetails)).toEqual([undefined]);
    const usage = spans.filter((e) => !roots.includes(e)).map((e) => (e.body as Body).usageDetails);
    expect(usage).toEqual([
      { input: 23, output: 7, total: 30 },
      { input: 50, output: 12, total: 62 },
      { input: 23, output: 5, total: 28 },
      { input: 5, total: 5 },
    ]);
    expect(observations(events, 'chat gpt-4o-mini')[0]?.body.modelParameters).toEqual({ max_tokens: 64, temperature: 0.2 });
  });

  test('traceloop: message lists in, tool call out, no usage invented for the stream', () => {
    const events = mapped('traceloop');
    const [plain, streamed] = observations(events, 'chat gpt-4o-mini');
    expect(plain?.body.input).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'What is the capital of France?' }] },
    ]);
    expect(plain?.body.usageDetails).toEqual({ input: 23, output: 7, total: 30 });
    expect(streamed?.body.usageDetails).toBeUndefined();
    expect(streamed?.body.output).toEqual([
      { role: 'assistant', finish_reason: 'stop', parts: [{ type: 'text', content: 'Paris is the capital.' }] },
    ]);
    const tool = observations(events, 'chat gpt-4o')[0]?.body;
    expect(tool?.output).toEqual([
      {
        role: 'assistant',
        finish_reason: 'tool_call',
        parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
      },
    ]);
    expect((tool?.input as { tools?: unknown[] }).tools).toHaveLength(1);
  });

  test('openinference: rebuilt messages, exclusive cache buckets, tool calls, embedding', () => {
    const events = mapped('openinference');
    const [plain, tool, streamed] = observations(events, 'OpenAI Chat Completions');
    expect(plain?.body).toMatchObject({
      input: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
      output: [{ role: 'assistant', content: 'Paris is the capital of France.' }],
      usageDetails: { input: 19, output: 7, total: 30, input_cached_tokens: 4, output_reasoning_tokens: 0 },
    });
    expect(tool?.body.output).toEqual([
      { role: 'assistant', tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    ]);
    expect(streamed?.body.output).toEqual([{ content: 'Paris is the capital.', role: 'assistant' }]);
    expect(observations(events, 'OpenAI Embeddings')[0]).toMatchObject({
      type: 'embedding-create',
      body: { model: 'text-embedding-3-small', input: 'hello world' },
    });
  });

  test('ai-sdk: four traces with user, session, tags; generations, a tool and an embedding', () => {
    const events = mapped('ai-sdk');
    expectNested(events);
    expect(traceCreates(events).map((t) => [t.name, t.userId, t.sessionId, t.tags])).toEqual(
      expect.arrayContaining([
        ['capital:ai.generateText', 'user-42', 'sess-7', ['peer']],
        ['weather:ai.generateText', 'user-42', 'sess-7', ['peer']],
        ['stream:ai.streamText', 'user-42', 'sess-7', ['peer']],
        ['embed:ai.embed', 'user-42', 'sess-7', ['peer']],
      ]),
    );
    const steps = observations(events, 'weather:ai.generateText.doGenerate');
    expect(steps.map((s) => [s.type, s.body.model, s.body.usageDetails])).toEqual([
      ['generation-create', 'gpt-4o', { input: 50, output: 12, total: 62 }],
      ['generation-create', 'gpt-4o', { input: 23, output: 7, total: 30 }],
    ]);
    expect(observations(events, 'get_weather')[0]).toMatchObject({
      type: 'tool-create',
      body: { input: { city: 'Paris' }, output: { city: 'Paris', tempC: 18 } },
    });
    const stream = observations(events, 'stream:ai.streamText.doStream')[0]?.body;
    expect(stream).toMatchObject({ model: 'gpt-4o-mini', usageDetails: { input: 23, output: 5, total: 28 }, output: 'Paris is the capital.' });
    // The time to first chunk is measured by the SDK: after the start, before the end.
    expect(String(stream?.completionStartTime) > String(stream?.startTime)).toBe(true);
    expect(observations(events, 'embed:ai.embed.doEmbed')[0]).toMatchObject({
      type: 'embedding-create',
      body: { model: 'text-embedding-3-small', input: ['hello world'], usageDetails: { input: 5, total: 5 } },
    });
  });

  test('langfuse-tracing: every observation type, trace fields from the root', () => {
    const events = mapped('langfuse-tracing');
    expect(events.map((e) => e.type).sort()).toEqual(
      ['event-create', 'generation-create', 'retriever-create', 'span-create', 'tool-create', 'trace-create'],
    );
    expect(traceCreates(events)[0]).toMatchObject({
      name: 'rag-request',
      userId: 'user-42',
      sessionId: 'sess-7',
      tags: ['peer', 'rag'],
      release: 'v1.2.3',
      metadata: { tenant: 'acme' },
    });
    expect(observations(events, 'llm-answer')[0]?.body).toMatchObject({
      model: 'gpt-4o-mini',
      usageDetails: { input: 23, output: 7, cache_read_input_tokens: 4 },
      costDetails: { input: 0.0001, output: 0.0002, total: 0.0003 },
    });
    expect(observations(events, 'get_weather')[0]?.body).toMatchObject({ level: 'WARNING', statusMessage: 'slow upstream' });
  });
});
