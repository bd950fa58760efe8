/**
 * Per-field precedence of the forward mapping (genai-conventions.md 7.2, langfuse-ingestion.md
 * 3.5-3.9, design.md 4-5): name, model, model parameters, level, completion start, trace fields,
 * environment, input/output and metadata. Expected values are literals worked out from the docs.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, test } from 'vitest';
import type { SpanDump } from '../../../src/mapping/span-dump.js';
import type { Body } from './build.js';
import { END, PARENT_ID, SPAN_ID, START, START_ISO, TRACE_ID, leftovers, mapOne, mapSpans, span } from './build.js';

const CHAT = { 'gen_ai.operation.name': 'chat' };
type Attrs = Record<string, unknown>;
type Events = SpanDump['events'];

/** A span at START + `ms` milliseconds (still ending at END). */
function at(ms: number): [number, number] {
  return [START[0], START[1] + ms * 1_000_000];
}

describe('observation name', () => {
  test.for<{ name: string; spanName: string; attrs: Attrs; expected: string }>([
    {
      name: 'gen_ai.tool.name first',
      spanName: 'execute_tool get_weather',
      attrs: { 'gen_ai.tool.name': 'get_weather', 'ai.toolCall.name': 'other' },
      expected: 'get_weather',
    },
    {
      name: 'ai.toolCall.name before the operation id',
      spanName: 'ai.toolCall',
      attrs: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'search' },
      expected: 'search',
    },
    {
      name: 'functionId:operationId',
      spanName: 'ai.generateText',
      attrs: { 'ai.operationId': 'ai.generateText', 'ai.telemetry.functionId': 'answer' },
      expected: 'answer:ai.generateText',
    },
    { name: 'operationId alone', spanName: 'x', attrs: { 'ai.operationId': 'ai.generateText' }, expected: 'ai.generateText' },
    { name: 'span name last', spanName: 'my-span', attrs: {}, expected: 'my-span' },
  ])('$name', ({ spanName, attrs, expected }) => {
    const { body } = mapOne({ name: spanName, attributes: attrs });
    expect(body.name).toBe(expected);
    // The span name is kept for the reverse mapping only when it differs.
    if (expected === spanName) expect(body.metadata).not.toHaveProperty('bridge.span_name');
    else expect(body.metadata?.['bridge.span_name']).toBe(spanName);
  });

  test('no bridge.span_name when the derived name equals the span name', () => {
    const { body } = mapOne({ name: 'get_weather', attributes: { 'gen_ai.tool.name': 'get_weather' } });
    expect(body.name).toBe('get_weather');
    expect(body.metadata).not.toHaveProperty('bridge.span_name');
  });
});

describe('model', () => {
  test.for<{ name: string; attrs: Attrs; model: string; kept?: Attrs }>([
    {
      name: 'response model over request model (the request model stays an attribute)',
      attrs: { ...CHAT, 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06' },
      model: 'gpt-4o-2024-08-06',
      kept: { 'gen_ai.request.model': 'gpt-4o' },
    },
    {
      name: 'langfuse model name first',
      attrs: { ...CHAT, 'langfuse.observation.model.name': 'lf-model', 'gen_ai.response.model': 'resp' },
      model: 'lf-model',
    },
    {
      name: 'ai.response.model over ai.model.id',
      attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-4o', 'ai.response.model': 'gpt-4o-2024-08-06' },
      model: 'gpt-4o-2024-08-06',
    },
    {
      name: 'llm.response.model_name over llm.model_name',
      attrs: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.response.model_name': 'gpt-4o-mini-2024' },
      model: 'gpt-4o-mini-2024',
    },
    {
      name: 'gen_ai.request.model over ai.model.id',
      attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'id-model', 'gen_ai.request.model': 'req' },
      model: 'req',
    },
    {
      name: 'embedding.model_name on an OpenInference embedding',
      attrs: { 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'text-embedding-3-small' },
      model: 'text-embedding-3-small',
    },
  ])('$name', ({ attrs, model, kept }) => {
    const { body } = mapOne({ attributes: attrs });
    expect(body.model).toBe(model);
    if (kept) expect(leftovers(body)).toMatchObject(kept);
  });
});

describe('model parameters', () => {
  test.for<{ name: string; attrs: Attrs; params: Attrs; kept?: Attrs }>([
    {
      name: 'langfuse JSON wins; nested values JSON-stringified, null kept',
      attrs: {
        ...CHAT,
        'langfuse.observation.model.parameters': '{"temperature":0.2,"stop":["a","b"],"tool_choice":{"type":"auto"},"n":null}',
        'gen_ai.request.temperature': 0.9,
      },
      params: { temperature: 0.2, stop: ['a', 'b'], tool_choice: '{"type":"auto"}', n: null },
      kept: { 'gen_ai.request.temperature': 0.9 },
    },
    {
      name: 'llm.invocation_parameters minus model, messages and tools',
      attrs: {
        'openinference.span.kind': 'LLM',
        'llm.invocation_parameters':
          '{"model":"gpt-4o-mini","temperature":0.2,"max_tokens":64,"messages":[{"role":"user"}],"tools":[{"type":"function"}],"response_format":{"type":"json_object"}}',
      },
      params: { temperature: 0.2, max_tokens: 64, response_format: '{"type":"json_object"}' },
    },
    {
      name: 'gen_ai.request.* minus model; arrays of numbers stringified',
      attrs: {
        ...CHAT,
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.max_tokens': 64,
        'gen_ai.request.stop_sequences': ['x', 'y'],
        'gen_ai.request.logit_bias_ids': [1, 2],
      },
      params: { temperature: 0.2, max_tokens: 64, stop_sequences: ['x', 'y'], logit_bias_ids: '[1,2]' },
    },
    {
      name: "Traceloop's llm.* extras join gen_ai.request.*",
      attrs: {
        ...CHAT,
        'gen_ai.request.temperature': 1,
        'llm.top_k': 5,
        'llm.frequency_penalty': 0.5,
        'llm.presence_penalty': 0.1,
        'llm.chat.stop_sequences': ['END'],
      },
      params: { temperature: 1, top_k: 5, frequency_penalty: 0.5, presence_penalty: 0.1, stop_sequences: ['END'] },
    },
    {
      name: 'AI SDK ai.settings.* when nothing else',
      attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-4o', 'ai.settings.maxOutputTokens': 64, 'ai.settings.temperature': 0.3 },
      params: { maxOutputTokens: 64, temperature: 0.3 },
    },
  ])('$name', ({ attrs, params, kept }) => {
    const { body, issues } = mapOne({ attributes: attrs });
    expect(issues).toEqual([]);
    expect(body.modelParameters).toEqual(params);
    if (kept) expect(leftovers(body)).toMatchObject(kept);
  });
});

describe('level and status message', () => {
  test.for<{ name: string; attrs?: Attrs; status?: { code: number; message?: string }; level?: string; statusMessage?: string; meta?: Attrs }>([
    { name: 'WARN -> WARNING', attrs: { 'langfuse.observation.level': 'WARN' }, level: 'WARNING' },
    {
      name: 'fatal -> ERROR (case-insensitive); the UNSET status is kept, the reverse mapping would derive ERROR',
      attrs: { 'langfuse.observation.level': 'fatal' },
      level: 'ERROR',
      meta: { 'bridge.status_code': 'UNSET' },
    },
    { name: 'info -> DEFAULT', attrs: { 'langfuse.observation.level': 'info' }, level: 'DEFAULT' },
    { name: 'trace -> DEBUG', attrs: { 'langfuse.observation.level': 'trace' }, level: 'DEBUG' },
    { name: 'WARNING as is', attrs: { 'langfuse.observation.level': 'WARNING' }, level: 'WARNING' },
    {
      name: 'status ERROR -> level ERROR + status message, no bridge keys needed',
      status: { code: SpanStatusCode.ERROR, message: 'boom' },
      level: 'ERROR',
      statusMessage: 'boom',
    },
    {
      name: 'explicit status message wins; the span status message is kept',
      attrs: { 'langfuse.observation.status_message': 'explicit' },
      status: { code: SpanStatusCode.ERROR, message: 'boom' },
      level: 'ERROR',
      statusMessage: 'explicit',
      meta: { 'bridge.status_message': 'boom' },
    },
    {
      name: 'explicit WARNING over status ERROR keeps the status code in metadata',
      attrs: { 'langfuse.observation.level': 'WARNING' },
      status: { code: SpanStatusCode.ERROR, message: 'boom' },
      level: 'WARNING',
      statusMessage: 'boom',
      meta: { 'bridge.status_code': 'ERROR' },
    },
    { name: 'status OK: no level, code kept', status: { code: SpanStatusCode.OK }, meta: { 'bridge.status_code': 'OK' } },
  ])('$name', ({ attrs, status, level, statusMessage, meta }) => {
    const { body, issues } = mapOne({ attributes: attrs ?? {}, ...(status ? { status } : {}) });
    expect(issues).toEqual([]);
    expect(body.level).toBe(level);
    expect(body.statusMessage).toBe(statusMessage);
    const bridge = Object.fromEntries(Object.entries(body.metadata ?? {}).filter(([k]) => k.startsWith('bridge.status')));
    expect(bridge).toEqual(meta ?? {});
    expect(leftovers(body)).not.toHaveProperty('langfuse.observation.level');
  });

  test('an unknown level is an issue and stays an attribute', () => {
    const { body, issues } = mapOne({ attributes: { 'langfuse.observation.level': 'loud' } });
    expect(body).not.toHaveProperty('level');
    expect(issues).toMatchObject([{ code: 'INVALID_VALUE', path: 'langfuse.observation.level', spanId: SPAN_ID }]);
    expect(leftovers(body)).toEqual({ 'langfuse.observation.level': 'loud' });
  });
});

describe('completionStartTime (start is 2026-11-24T20:08:40.559Z)', () => {
  const DO_STREAM = { 'ai.operationId': 'ai.streamText.doStream', 'ai.model.id': 'gpt-4o' };
  test.for<{ name: string; attrs: Attrs; events?: Events; expected: string; kept?: Attrs }>([
    {
      name: 'JSON-quoted ISO (what @langfuse/tracing writes)',
      attrs: { ...CHAT, 'langfuse.observation.completion_start_time': '"2026-11-24T20:08:40.600Z"' },
      expected: '2026-11-24T20:08:40.600Z',
    },
    {
      name: 'plain ISO with microseconds',
      attrs: { ...CHAT, 'langfuse.observation.completion_start_time': '2026-11-24T20:08:40.600123Z' },
      expected: '2026-11-24T20:08:40.600123000Z',
    },
    {
      name: 'ISO with an offset, converted to UTC',
      attrs: { ...CHAT, 'langfuse.observation.completion_start_time': '2026-11-24T21:08:40.6+01:00' },
      expected: '2026-11-24T20:08:40.600Z',
    },
    {
      name: 'ai.response.msToFirstChunk: exact nanoseconds (12.345678 ms)',
      attrs: { ...DO_STREAM, 'ai.response.msToFirstChunk': 12.345678 },
      expected: '2026-11-24T20:08:40.571345678Z',
    },
    {
      name: 'ai.stream.msToFirstChunk',
      attrs: { ...DO_STREAM, 'ai.stream.msToFirstChunk': 41 },
      expected: '2026-11-24T20:08:40.600Z',
    },
    {
      name: 'gen_ai.response.time_to_first_chunk in seconds',
      attrs: { ...CHAT, 'gen_ai.response.time_to_first_chunk': 0.1 },
      expected: '2026-11-24T20:08:40.659Z',
    },
    {
      name: 'time of the ai.stream.firstChunk event',
      attrs: DO_STREAM,
      events: [{ name: 'ai.stream.firstChunk', time: [START[0], 600_000_001] }],
      expected: '2026-11-24T20:08:40.600000001Z',
    },
    {
      name: 'explicit ISO over msToFirstChunk, which stays an attribute',
      attrs: { ...DO_STREAM, 'langfuse.observation.completion_start_time': '"2026-11-24T20:08:40.700Z"', 'ai.response.msToFirstChunk': 1 },
      expected: '2026-11-24T20:08:40.700Z',
      kept: { 'ai.response.msToFirstChunk': 1 },
    },
  ])('$name', ({ attrs, events, expected, kept }) => {
    const { body, issues } = mapOne({ attributes: attrs, ...(events ? { events } : {}) });
    expect(issues).toEqual([]);
    expect(body.completionStartTime).toBe(expected);
    if (kept) expect(leftovers(body)).toMatchObject(kept);
  });

  test('a value that is not an ISO date-time is an issue and stays an attribute', () => {
    const { body, issues } = mapOne({ attributes: { ...CHAT, 'langfuse.observation.completion_start_time': 'yesterday' } });
    expect(body).not.toHaveProperty('completionStartTime');
    expect(issues).toMatchObject([{ code: 'INVALID_TIME', path: 'langfuse.observation.completion_start_time', spanId: SPAN_ID }]);
    expect(leftovers(body)).toMatchObject({ 'langfuse.observation.completion_start_time': 'yesterday' });
  });
});

describe('user, session and tags from every dialect', () => {
  const META = 'langfuse.observation.metadata.';
  const TL = 'traceloop.association.properties.';
  test.for<{ name: string; attrs: Attrs; field: 'userId' | 'sessionId' | 'tags'; expected: unknown }>([
    { name: 'user: langfuse.user.id > user.id', attrs: { 'langfuse.user.id': 'lf', 'user.id': 'otel' }, field: 'userId', expected: 'lf' },
    { name: 'user: user.id > metadata langfuse_user_id', attrs: { 'user.id': 'otel', [`${META}langfuse_user_id`]: 'meta' }, field: 'userId', expected: 'otel' },
    {
      name: 'user: metadata langfuse_user_id > ai.telemetry.metadata.userId',
      attrs: { [`${META}langfuse_user_id`]: 'meta', 'ai.telemetry.metadata.userId': 'ai' },
      field: 'userId',
      expected: 'meta',
    },
    { name: 'user: trace metadata langfuse_user_id', attrs: { 'langfuse.trace.metadata.langfuse_user_id': 'tmeta' }, field: 'userId', expected: 'tmeta' },
    {
      name: 'user: ai.telemetry.metadata.userId > traceloop association',
      attrs: { 'ai.telemetry.metadata.userId': 'ai', [`${TL}user_id`]: 'tl' },
      field: 'userId',
      expected: 'ai',
    },
    { name: 'user: traceloop association user_id', attrs: { [`${TL}user_id`]: 'tl' }, field: 'userId', expected: 'tl' },
    { name: 'user: traceloop association userId', attrs: { [`${TL}userId`]: 'tl2' }, field: 'userId', expected: 'tl2' },
    { name: 'session: langfuse.session.id > session.id', attrs: { 'langfuse.session.id': 'lf', 'session.id': 'otel' }, field: 'sessionId', expected: 'lf' },
    {
      name: 'session: session.id > gen_ai.conversation.id',
      attrs: { 'session.id': 'otel', 'gen_ai.conversation.id': 'conv' },
      field: 'sessionId',
      expected: 'otel',
    },
    {
      name: 'session: gen_ai.conversation.id > metadata langfuse_session_id',
      attrs: { 'gen_ai.conversation.id': 'conv', [`${META}langfuse_session_id`]: 'meta' },
      field: 'sessionId',
      expected: 'conv',
    },
    {
      name: 'session: metadata > ai.telemetry.metadata.sessionId',
      attrs: { [`${META}langfuse_session_id`]: 'meta', 'ai.telemetry.metadata.sessionId': 'ai' },
      field: 'sessionId',
      expected: 'meta',
    },
    {
      name: 'session: ai.telemetry.metadata.sessionId > traceloop association',
      attrs: { 'ai.telemetry.metadata.sessionId': 'ai', [`${TL}session_id`]: 'tl' },
      field: 'sessionId',
      expected: 'ai',
    },
    { name: 'session: traceloop association session_id', attrs: { [`${TL}session_id`]: 'tl' }, field: 'sessionId', expected: 'tl' },
    { name: 'tags: string array, sorted', attrs: { 'langfuse.trace.tags': ['b', 'a'] }, field: 'tags', expected: ['a', 'b'] },
    { name: 'tags: JSON array string', attrs: { 'langfuse.trace.tags': '["x","y"]' }, field: 'tags', expected: ['x', 'y'] },
    { name: 'tags: CSV, trimmed, deduplicated', attrs: { 'langfuse.tags': 'b, a,b' }, field: 'tags', expected: ['a', 'b'] },
    { name: 'tags: one plain string', attrs: { 'tag.tags': 'solo' }, field: 'tags', expected: ['solo'] },
    { name: 'tags: ai.telemetry.metadata.tags', attrs: { 'ai.telemetry.metadata.tags': ['peer'] }, field: 'tags', expected: ['peer'] },
    { name: 'tags: langfuse.trace.tags > tag.tags', attrs: { 'langfuse.trace.tags': ['lf'], 'tag.tags': ['oi'] }, field: 'tags', expected: ['lf'] },
  ])('$name', ({ attrs, field, expected }) => {
    const { trace, body, issues } = mapOne({ attributes: attrs });
    expect(issues).toEqual([]);
    expect(trace[field]).toEqual(expected);
    // Trace fields live on the trace, never on the observation.
    expect(body).not.toHaveProperty(field);
  });

  test('the winning key is consumed, the losing one stays an attribute', () => {
    const { body } = mapOne({ attributes: { 'langfuse.user.id': 'lf', 'user.id': 'otel' } });
    expect(leftovers(body)).toEqual({ 'user.id': 'otel' });
  });
});

describe('trace-create', () => {
  test('a root span gives the trace its name, input and output', () => {
    const { traces } = mapSpans([
      span({ name: 'root', attributes: { 'langfuse.observation.input': 'question', 'langfuse.observation.output': 'answer' } }),
    ]);
    expect(traces).toEqual([{ id: TRACE_ID, timestamp: START_ISO, name: 'root', input: 'question', output: 'answer' }]);
  });

  test('explicit langfuse.trace.input/output on the root win over its observation I/O', () => {
    const { traces, observations } = mapSpans([
      span({ attributes: { 'langfuse.trace.input': 'trace-in', 'langfuse.trace.output': 'trace-out', 'langfuse.observation.input': 'obs-in' } }),
    ]);
    expect(traces[0]).toMatchObject({ input: 'trace-in', output: 'trace-out' });
    expect(observations[0]?.body.input).toBe('obs-in');
  });

  test('a child with only user.id (root not in the call): userId, no name, no I/O', () => {
    const { traces } = mapSpans([
      span({ name: 'child', parentSpanId: PARENT_ID, attributes: { 'user.id': 'u1', 'langfuse.observation.input': 'q' } }),
    ]);
    expect(traces).toEqual([{ id: TRACE_ID, timestamp: START_ISO, userId: 'u1' }]);
  });

  test('a child without trace keys gives a shallow trace-create', () => {
    const { traces } = mapSpans([span({ name: 'child', parentSpanId: PARENT_ID })]);
    expect(traces).toEqual([{ id: TRACE_ID, timestamp: START_ISO }]);
  });

  test("a child's langfuse.trace.name is explicit and used, also over the root's span name", () => {
    expect(mapSpans([span({ parentSpanId: PARENT_ID, attributes: { 'langfuse.trace.name': 'explicit' } })]).traces[0]?.name).toBe(
      'explicit',
    );
    const { traces } = mapSpans([
      span({ name: 'root', spanId: PARENT_ID }),
      span({ name: 'child', parentSpanId: PARENT_ID, attributes: { 'langfuse.trace.name': 'child-named' } }),
    ]);
    expect(traces.map((t) => t.name)).toEqual(['child-named']);
  });

  test('langfuse.internal.as_root makes a child the trace root', () => {
    const { traces } = mapSpans([
      span({ name: 'app-root', parentSpanId: PARENT_ID, attributes: { 'langfuse.internal.as_root': true, 'langfuse.observation.input': 'q' } }),
    ]);
    expect(traces).toEqual([{ id: TRACE_ID, timestamp: START_ISO, name: 'app-root', input: 'q' }]);
  });

  test('exactly one trace-create per trace id; tags unioned and sorted; the root user wins', () => {
    const OTHER_TRACE = 'ffffffffffffffffffffffffffffffff';
    const { events, traces } = mapSpans([
      span({ name: 'child-1', spanId: '1111111111111111', parentSpanId: PARENT_ID, startTime: at(10), attributes: { 'user.id': 'child', 'langfuse.trace.tags': ['z', 'b'] } }),
      span({ name: 'other', traceId: OTHER_TRACE, spanId: '3333333333333333' }),
      span({ name: 'root', spanId: PARENT_ID, attributes: { 'user.id': 'root-user' } }),
      span({ name: 'child-2', spanId: '2222222222222222', parentSpanId: PARENT_ID, startTime: at(20), attributes: { 'tag.tags': 'a,b' } }),
    ]);
    expect(events.map((e) => `${e.type}:${String((e.body as Body).name)}`)).toEqual([
      'trace-create:root',
      'span-create:root',
      'span-create:child-1',
      'span-create:child-2',
      'trace-create:other',
      'span-create:other',
    ]);
    expect(traces[0]).toEqual({ id: TRACE_ID, timestamp: START_ISO, name: 'root', userId: 'root-user', tags: ['a', 'b', 'z'] });
  });

  test('without a root, the earliest span carrying a field wins, whatever the input order', () => {
    const late = span({ spanId: '2222222222222222', parentSpanId: PARENT_ID, startTime: at(20), attributes: { 'user.id': 'late' } });
    const early = span({ spanId: '1111111111111111', parentSpanId: PARENT_ID, startTime: at(10), attributes: { 'user.id': 'early' } });
    expect(mapSpans([late, early]).traces[0]?.userId).toBe('early');
    expect(mapSpans([early, late]).traces[0]?.userId).toBe('early');
  });
});

describe('environment, release, version', () => {
  test.for<{ name: string; attrs?: Attrs; resource?: Attrs; defaultEnv?: string; environment: string | undefined }>([
    { name: 'Langfuse-Prod -> prod', attrs: { 'langfuse.environment': 'Langfuse-Prod' }, environment: 'prod' },
    { name: 'langfuse_langfuse-x -> x (prefix stripped repeatedly)', attrs: { 'langfuse.environment': 'langfuse_langfuse-x' }, environment: 'x' },
    { name: 'invalid characters -> default', attrs: { 'langfuse.environment': 'my env!' }, environment: 'default' },
    { name: 'only the reserved prefix -> default', attrs: { 'langfuse.environment': 'langfuse' }, environment: 'default' },
    { name: 'cut to 40 characters', attrs: { 'langfuse.environment': 'a'.repeat(50) }, environment: 'a'.repeat(40) },
    { name: 'resource deployment.environment.name', resource: { 'deployment.environment.name': 'staging' }, environment: 'staging' },
    {
      name: 'span attribute before resource attribute',
      attrs: { 'langfuse.environment': 'dev' },
      resource: { 'langfuse.environment': 'prod' },
      environment: 'dev',
    },
    { name: 'option default when the span names none', defaultEnv: 'CI', environment: 'ci' },
    { name: 'none at all', environment: undefined },
  ])('$name', ({ attrs, resource, defaultEnv, environment }) => {
    const options = defaultEnv === undefined ? {} : { environment: defaultEnv };
    const { body, trace } = mapOne({ attributes: attrs ?? {}, resource: resource ?? {} }, options);
    expect(body.environment).toBe(environment);
    expect(trace.environment).toBe(environment);
  });

  test('release from the span, version from resource service.version', () => {
    const { body, trace } = mapOne({ attributes: { 'langfuse.release': 'r1' }, resource: { 'service.version': '1.2.3' } });
    expect(body.version).toBe('1.2.3');
    expect(trace).toMatchObject({ release: 'r1', version: '1.2.3' });
    expect(leftovers(body)).toEqual({});
  });
});

describe('input / output precedence', () => {
  const USER_MSG = '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]';
  test.for<{ name: string; attrs: Attrs; events?: Events; input: unknown; kept?: Attrs }>([
    {
      name: 'langfuse input > ai.prompt.messages',
      attrs: { 'langfuse.observation.input': 'lf', 'ai.prompt.messages': '[{"role":"user","content":"ai"}]' },
      input: 'lf',
      kept: { 'ai.prompt.messages': '[{"role":"user","content":"ai"}]' },
    },
    {
      name: 'ai.prompt.messages > gen_ai.input.messages',
      attrs: { 'ai.prompt.messages': '[{"role":"user","content":"ai"}]', 'gen_ai.input.messages': USER_MSG },
      input: [{ role: 'user', content: 'ai' }],
      kept: { 'gen_ai.input.messages': USER_MSG },
    },
    {
      name: 'gen_ai.input.messages with gen_ai.system_instructions prepended',
      attrs: { 'gen_ai.input.messages': USER_MSG, 'gen_ai.system_instructions': '[{"type":"text","content":"be brief"}]' },
      input: [
        { role: 'system', parts: [{ type: 'text', content: 'be brief' }] },
        { role: 'user', parts: [{ type: 'text', content: 'hi' }] },
      ],
    },
    {
      name: 'system instructions are not prepended over an existing system message, and are kept',
      attrs: {
        'gen_ai.input.messages': '[{"role":"system","content":"sys"},{"role":"user","content":"hi"}]',
        'gen_ai.system_instructions': 'other',
      },
      input: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
      ],
      kept: { 'gen_ai.system_instructions': 'other' },
    },
    {
      name: 'gen_ai.input.messages > message span events',
      attrs: { 'gen_ai.input.messages': USER_MSG },
      events: [{ name: 'gen_ai.user.message', time: START, attributes: { content: 'event' } }],
      input: [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }],
    },
    {
      name: 'message span events > llm.input_messages',
      attrs: { 'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'oi' },
      events: [{ name: 'gen_ai.user.message', time: START, attributes: { content: 'event' } }],
      input: [{ role: 'user', content: 'event' }],
      kept: { 'llm.input_messages.0.message.content': 'oi' },
    },
    {
      name: 'llm.input_messages > gen_ai.prompt.N',
      attrs: {
        'llm.input_messages.0.message.role': 'user',
        'llm.input_messages.0.message.content': 'oi',
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': 'indexed',
      },
      input: [{ role: 'user', content: 'oi' }],
      kept: { 'gen_ai.prompt.0.content': 'indexed' },
    },
    {
      name: 'gen_ai.prompt.N > traceloop.entity.input',
      attrs: { 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'indexed', 'traceloop.entity.input': '{"args":["tl"],"kwargs":{}}' },
      input: [{ role: 'user', content: 'indexed' }],
      kept: { 'traceloop.entity.input': '{"args":["tl"],"kwargs":{}}' },
    },
    {
      name: 'traceloop.entity.input > input.value',
      attrs: { 'traceloop.entity.input': '{"args":["tl"],"kwargs":{}}', 'input.value': 'raw' },
      input: { args: ['tl'], kwargs: {} },
      kept: { 'input.value': 'raw' },
    },
    { name: 'input.value last', attrs: { 'input.value': 'raw' }, input: 'raw' },
    {
      name: 'tool definitions join the input as {messages, tools}',
      attrs: { 'gen_ai.input.messages': '[{"role":"user","content":"hi"}]', 'gen_ai.tool.definitions': '[{"type":"function","name":"get_weather"}]' },
      input: { messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', name: 'get_weather' }] },
    },
  ])('$name', ({ attrs, events, input, kept }) => {
    const { body, issues } = mapOne({ attributes: attrs, ...(events ? { events } : {}) });
    expect(issues).toEqual([]);
    expect(body.input).toEqual(input);
    if (kept) expect(leftovers(body)).toMatchObject(kept);
  });

  test.for<{ name: string; attrs: Attrs; output: unknown }>([
    { name: 'langfuse output > ai.response.text', attrs: { 'langfuse.observation.output': 'lf', 'ai.response.text': 'ai' }, output: 'lf' },
    {
      name: 'AI SDK text and tool calls combine into one assistant message',
      attrs: { 'ai.response.text': 'ok', 'ai.response.toolCalls': '[{"toolName":"t"}]' },
      output: { role: 'assistant', content: 'ok', tool_calls: [{ toolName: 't' }] },
    },
    {
      name: 'gen_ai.output.messages > llm.output_messages',
      attrs: { 'gen_ai.output.messages': '[{"role":"assistant","content":"a"}]', 'llm.output_messages.0.message.content': 'oi' },
      output: [{ role: 'assistant', content: 'a' }],
    },
    { name: 'gen_ai.completion.N', attrs: { 'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.content': 'c' }, output: [{ role: 'assistant', content: 'c' }] },
    { name: 'traceloop.entity.output > output.value', attrs: { 'traceloop.entity.output': '"tl"', 'output.value': 'raw' }, output: '"tl"' },
    { name: 'output.value last', attrs: { 'output.value': 'raw' }, output: 'raw' },
  ])('$name', ({ attrs, output }) => {
    expect(mapOne({ attributes: attrs }).body.output).toEqual(output);
  });

  test('message events become I/O; consumed events are not repeated in bridge.events, others are', () => {
    const { body, issues } = mapOne({
      events: [
        { name: 'gen_ai.system.message', time: at(1), attributes: { content: 'sys' } },
        { name: 'gen_ai.user.message', time: at(2), attributes: { content: 'hi' } },
        { name: 'gen_ai.choice', time: at(3), attributes: { index: 0, finish_reason: 'stop', message: '{"role":"assistant","content":"yo"}' } },
        { name: 'exception', time: at(4), attributes: { 'exception.type': 'Error', 'exception.message': 'x' } },
      ],
    });
    expect(issues).toEqual([]);
    expect(body.input).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'hi' },
    ]);
    expect(body.output).toEqual({ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'yo' } });
    expect(body.metadata?.['bridge.events']).toEqual([
      { name: 'exception', time: '2026-11-24T20:08:40.563Z', attributes: { 'exception.type': 'Error', 'exception.message': 'x' } },
    ]);
  });

  test('an event named like an Object.prototype member is not a message event', () => {
    const { body } = mapOne({ events: [{ name: 'toString', time: START, attributes: { content: 'x' } }] });
    expect(body).not.toHaveProperty('input');
    expect(body.metadata?.['bridge.events']).toEqual([{ name: 'toString', time: START_ISO, attributes: { content: 'x' } }]);
  });
});

describe('metadata', () => {
  test('leftovers, resource, scope and explicit metadata from every dialect', () => {
    const { body } = mapOne({
      attributes: {
        'http.method': 'GET',
        'langfuse.observation.metadata.k': 'v',
        'langfuse.observation.metadata.n': '{"a":1}',
        'ai.telemetry.metadata.foo': 'bar',
        metadata: '{"x":1}',
      },
      resource: { 'service.name': 'svc' },
      scope: { name: 'my-lib', version: '1.0.0' },
    });
    expect(body.metadata).toEqual({
      x: 1,
      k: 'v',
      n: { a: 1 },
      foo: 'bar',
      attributes: { 'http.method': 'GET' },
      resourceAttributes: { 'service.name': 'svc' },
      scope: { name: 'my-lib', version: '1.0.0' },
    });
  });

  test.for<{ name: string; attrs: Attrs; kind: number; expected: string | undefined }>([
    { name: 'generation + CLIENT: derived, not kept', attrs: CHAT, kind: SpanKind.CLIENT, expected: undefined },
    { name: 'generation + INTERNAL: kept', attrs: CHAT, kind: SpanKind.INTERNAL, expected: 'INTERNAL' },
    { name: 'embedding + CLIENT: derived', attrs: { 'gen_ai.operation.name': 'embeddings' }, kind: SpanKind.CLIENT, expected: undefined },
    { name: 'span + INTERNAL: derived', attrs: {}, kind: SpanKind.INTERNAL, expected: undefined },
    { name: 'span + SERVER: kept', attrs: {}, kind: SpanKind.SERVER, expected: 'SERVER' },
    { name: 'tool + CLIENT: kept', attrs: { 'gen_ai.tool.name': 't' }, kind: SpanKind.CLIENT, expected: 'CLIENT' },
  ])('bridge.span_kind: $name', ({ attrs, kind, expected }) => {
    expect(mapOne({ attributes: attrs, kind }).body.metadata?.['bridge.span_kind']).toBe(expected);
  });

  test('links are kept under bridge.links', () => {
    const { body } = mapOne({
      links: [{ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, attributes: { 'link.kind': 'follows' } }],
    });
    expect(body.metadata?.['bridge.links']).toEqual([
      { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { 'link.kind': 'follows' } },
    ]);
  });

  test('a span without end time: end = start, bridge.incomplete and MISSING_END_TIME', () => {
    const { body, issues } = mapOne({ endTime: [0, 0] });
    expect(body.startTime).toBe(START_ISO);
    expect(body.endTime).toBe(START_ISO);
    expect(body.metadata?.['bridge.incomplete']).toBe(true);
    expect(issues).toMatchObject([{ code: 'MISSING_END_TIME', spanId: SPAN_ID }]);
  });

  test('start/end nanoseconds only when sub-millisecond', () => {
    const { body } = mapOne({ startTime: [START[0], 559_000_001], endTime: END });
    expect(body.startTime).toBe('2026-11-24T20:08:40.559000001Z');
    expect(body.metadata?.['bridge.start_time_unix_nano']).toBe('1795550920559000001');
    expect(body.metadata).not.toHaveProperty('bridge.end_time_unix_nano');
    const whole = mapOne().body.metadata ?? {};
    expect(Object.keys(whole).filter((k) => k.startsWith('bridge.'))).toEqual([]);
  });

  test('the trace state is kept', () => {
    const s = span();
    const ctx = s.spanContext();
    const withState = { ...s, spanContext: () => ({ ...ctx, traceState: { serialize: () => 'vendor=1' } }) } as unknown as ReadableSpan;
    const { observations } = mapSpans([withState]);
    expect(observations[0]?.body.metadata?.['bridge.trace_state']).toBe('vendor=1');
  });
});
