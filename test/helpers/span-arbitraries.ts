/**
 * fast-check arbitraries of span-like objects for the forward mappings' robustness properties:
 * keys of every dialect the mapping reads, values that steer it, junk of every kind, ids from small
 * pools (so traces group and span ids collide) next to random hex and junk, good and bad times.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';

/** Ids the pools share with test/mapping/to-ingestion/build.ts. */
export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const SPAN_ID = '00f067aa0ba902b7';
export const ODD_ID = 'dddddddddddddddd';

/** Keys of every dialect the mapping reads, so random spans hit real code paths. */
export const KEY_POOL = [
  'langfuse.observation.type', 'langfuse.observation.input', 'langfuse.observation.output',
  'langfuse.observation.metadata', 'langfuse.observation.metadata.k', 'langfuse.observation.level',
  'langfuse.observation.status_message', 'langfuse.observation.model.name', 'langfuse.observation.model.parameters',
  'langfuse.observation.usage_details', 'langfuse.observation.cost_details', 'langfuse.observation.completion_start_time',
  'langfuse.observation.prompt.name', 'langfuse.observation.prompt.version', 'langfuse.trace.name', 'langfuse.trace.input',
  'langfuse.trace.output', 'langfuse.trace.tags', 'langfuse.trace.public', 'langfuse.trace.metadata',
  'langfuse.trace.metadata.k', 'langfuse.user.id', 'langfuse.session.id', 'langfuse.environment', 'langfuse.release',
  'langfuse.version', 'langfuse.internal.as_root', 'user.id', 'session.id', 'gen_ai.operation.name',
  'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.request.temperature', 'gen_ai.request.max_tokens',
  'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.total_tokens',
  'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.prompt_tokens',
  'gen_ai.usage.custom_tokens', 'gen_ai.usage.cost', 'gen_ai.input.messages', 'gen_ai.output.messages',
  'gen_ai.system_instructions', 'gen_ai.tool.definitions', 'gen_ai.tool.name', 'gen_ai.tool.call.id',
  'gen_ai.tool.call.arguments', 'gen_ai.conversation.id', 'gen_ai.response.time_to_first_chunk', 'gen_ai.prompt.0.role',
  'gen_ai.prompt.0.content', 'gen_ai.prompt.1.content', 'gen_ai.completion.0.content', 'gen_ai.prompt', 'gen_ai.completion',
  'openinference.span.kind', 'llm.model_name', 'llm.invocation_parameters', 'llm.input_messages.0.message.role',
  'llm.input_messages.0.message.content', 'llm.output_messages.0.message.content', 'llm.tools.0.tool.json_schema',
  'llm.token_count.prompt', 'llm.token_count.completion', 'llm.token_count.prompt_details.cache_read',
  'llm.cost.prompt', 'llm.cost.total', 'llm.cost.prompt_details.cache_read', 'input.value', 'output.value', 'metadata',
  'tag.tags', 'embedding.model_name', 'llm.request.type', 'traceloop.span.kind', 'traceloop.entity.input',
  'traceloop.entity.output', 'traceloop.association.properties.user_id', 'llm.top_k', 'llm.request.functions.0.name',
  'ai.operationId', 'operation.name', 'ai.model.id', 'ai.telemetry.functionId', 'ai.telemetry.metadata.userId',
  'ai.telemetry.metadata.tags', 'ai.telemetry.metadata.langfusePrompt', 'ai.telemetry.metadata.extra',
  'ai.prompt.messages', 'ai.prompt', 'ai.prompt.tools', 'ai.response.text', 'ai.response.toolCalls',
  'ai.response.object', 'ai.response.msToFirstChunk', 'ai.usage.promptTokens', 'ai.usage.tokens',
  'ai.toolCall.name', 'ai.toolCall.args', 'ai.toolCall.result', 'ai.value', 'ai.values', 'ai.settings.temperature',
  'model', 'deployment.environment.name', 'service.version',
];

/** Values that steer the mapping: type names, levels, times, JSON for the JSON-holding keys. */
export const MEANINGFUL = fc.constantFrom(
  'chat', 'embeddings', 'invoke_agent', 'agent_step', 'execute_tool', 'LLM', 'TOOL', 'RERANKER', 'generation',
  'event', 'agent', 'tool', 'span', 'ai.generateText.doGenerate', 'ai.streamText.doStream', 'ai.embed.doEmbed',
  'ai.toolCall', 'ai.generateText', 'WARN', 'fatal', 'Langfuse-Prod', 'true', '"2026-11-24T20:08:40.600Z"',
  '2026-11-24T20:08:40Z', '{"name":"p","version":0}', '{"name":"p","version":2}', '{"input":1,"output":2.5}',
  '{"input":-1,"total":3}', '[{"role":"user","content":"hi"}]', '[{"role":"system","content":"s"}]',
  '[{"type":"text","content":"be brief"}]', '{"temperature":0.2,"nested":{"a":[1]}}', '["a","b"]', 'a,b', '{"a":',
  '[[[[[[', '{"__proto__":{"polluted":1},"x":1}', '{"constructor":{"prototype":{"polluted":1}}}', '', ' ',
  'n'.repeat(1200),
);

export const VALUE = fc.oneof(
  MEANINGFUL,
  fc.integer({ min: -5, max: 100_000 }),
  fc.double(),
  fc.string(),
  fc.json(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withNullPrototype: true,
    withBoxedValues: true,
    withObjectString: true,
  }),
);

export const KEY = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KEY_POOL) },
  { weight: 2, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'a.prototype.b', 'toString') },
);

export const ATTRIBUTES = fc.dictionary(KEY, VALUE, { maxKeys: 10 });

export const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });

/** Ids from small pools (so traces group and span ids collide), random hex, and junk. */
export const TRACE_ID_ARB = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(TRACE_ID, 'ffffffffffffffffffffffffffffffff') },
  { weight: 2, arbitrary: hex(32) },
  { weight: 1, arbitrary: fc.oneof(fc.constant('0'.repeat(32)), fc.string(), fc.anything()) },
);
export const SPAN_ID_ARB = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(SPAN_ID, ODD_ID, '1111111111111111', '2222222222222222', 'ABCDEF0123456789') },
  { weight: 2, arbitrary: hex(16) },
  { weight: 1, arbitrary: fc.oneof(fc.constant('0'.repeat(16)), fc.string(), fc.anything()) },
);

export const HRTIME = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 1_795_550_000, max: 1_795_551_000 }), fc.integer({ min: 0, max: 999_999_999 })) },
  { weight: 2, arbitrary: fc.tuple(fc.oneof(fc.double(), fc.integer()), fc.oneof(fc.double(), fc.integer())) },
  { weight: 1, arbitrary: fc.oneof(fc.constant([0, 0]), fc.anything()) },
);

export const EVENT = fc.oneof(
  { weight: 4, arbitrary: fc.record({ name: fc.oneof(fc.constantFrom('gen_ai.user.message', 'gen_ai.choice', 'gen_ai.system.message', 'exception', 'ai.stream.firstChunk', 'gen_ai.client.inference.operation.details', 'toString', '__proto__'), fc.string()), time: HRTIME, attributes: ATTRIBUTES }) },
  { weight: 1, arbitrary: fc.anything() },
);

export const LINK = fc.oneof(
  fc.record({ context: fc.record({ traceId: TRACE_ID_ARB, spanId: SPAN_ID_ARB }), attributes: ATTRIBUTES }),
  fc.anything(),
);

export interface SpanSpec {
  traceId: unknown;
  spanId: unknown;
  parent: unknown;
  name: unknown;
  kind: unknown;
  startTime: unknown;
  endTime: unknown;
  ended: boolean;
  status: unknown;
  attributes: Record<string, unknown>;
  events: unknown;
  links: unknown;
  resource: Record<string, unknown>;
  scope: unknown;
}

export const SPAN_SPEC: fc.Arbitrary<SpanSpec> = fc.record({
  traceId: TRACE_ID_ARB,
  spanId: SPAN_ID_ARB,
  parent: fc.option(SPAN_ID_ARB, { nil: undefined }),
  name: fc.oneof({ weight: 5, arbitrary: fc.string() }, { weight: 1, arbitrary: fc.anything() }),
  kind: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.anything()),
  startTime: HRTIME,
  endTime: HRTIME,
  ended: fc.boolean(),
  status: fc.oneof(fc.record({ code: fc.integer({ min: 0, max: 2 }), message: fc.option(fc.string(), { nil: undefined }) }), fc.anything()),
  attributes: ATTRIBUTES,
  events: fc.oneof({ weight: 4, arbitrary: fc.array(EVENT, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.anything() }),
  links: fc.oneof({ weight: 4, arbitrary: fc.array(LINK, { maxLength: 2 }) }, { weight: 1, arbitrary: fc.anything() }),
  resource: fc.dictionary(fc.oneof(fc.constantFrom('service.name', 'service.version', 'deployment.environment.name', 'langfuse.release'), fc.string()), VALUE, { maxKeys: 3 }),
  scope: fc.oneof(fc.record({ name: fc.constantFrom('ai', 'langfuse-sdk', 'x'), version: fc.option(fc.string(), { nil: undefined }) }), fc.anything()),
});

/** A span-like object from a spec; a fresh object each time, so no state is shared between runs. */
export function toSpan(spec: SpanSpec): ReadableSpan {
  return {
    name: spec.name,
    kind: spec.kind,
    spanContext: () => ({ traceId: spec.traceId, spanId: spec.spanId, traceFlags: 1 }),
    parentSpanContext: spec.parent === undefined ? undefined : { traceId: spec.traceId, spanId: spec.parent, traceFlags: 1 },
    startTime: spec.startTime,
    endTime: spec.endTime,
    ended: spec.ended,
    status: spec.status,
    attributes: spec.attributes,
    events: spec.events,
    links: spec.links,
    resource: { attributes: spec.resource },
    instrumentationScope: spec.scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  } as unknown as ReadableSpan;
}

