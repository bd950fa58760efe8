/**
 * Usage and cost through spansToIngestion (langfuse-ingestion.md 2.6 and 3.6, genai-conventions.md
 * 7.2). Langfuse buckets are exclusive: input excludes the cache and audio input buckets, output
 * excludes reasoning and audio output; total is the inclusive sum. Expected values are worked out
 * by hand from the attribute values in each row.
 */
import { describe, expect, test } from 'vitest';
import type { MappingIssue } from '../../../src/mapping/result.js';
import { SPAN_ID, leftovers, mapOne } from './build.js';

const CHAT = { 'gen_ai.operation.name': 'chat' };
const DO_GENERATE = { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-4o' };
const DO_STREAM = { 'ai.operationId': 'ai.streamText.doStream', 'ai.model.id': 'gpt-4o' };

/** Issue code and path, the stable part of an issue. */
function where(issues: readonly MappingIssue[]): Array<{ code: string; path?: string; spanId?: string }> {
  return issues.map(({ code, path, spanId }) => ({ code, ...(path === undefined ? {} : { path }), ...(spanId === undefined ? {} : { spanId }) }));
}

interface UsageRow {
  name: string;
  attrs: Record<string, unknown>;
  usage: Record<string, number> | undefined;
  /** Attributes that must stay in metadata.attributes (not consumed). */
  kept?: Record<string, unknown>;
}

describe('usage buckets, made exclusive', () => {
  test.for<UsageRow>([
    {
      name: 'OTel current keys: cache read/creation out of input, reasoning out of output',
      attrs: {
        ...CHAT,
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.output_tokens': 50,
        'gen_ai.usage.cache_read.input_tokens': 30,
        'gen_ai.usage.cache_creation.input_tokens': 10,
        'gen_ai.usage.reasoning.output_tokens': 20,
      },
      // input 100 - 30 - 10 = 60; output 50 - 20 = 30; total 100 + 50 = 150.
      usage: { input: 60, output: 30, total: 150, input_cached_tokens: 30, input_cache_creation: 10, output_reasoning_tokens: 20 },
    },
    {
      name: 'OTel input and output only: total is their sum',
      attrs: { ...CHAT, 'gen_ai.usage.input_tokens': 23, 'gen_ai.usage.output_tokens': 7 },
      usage: { input: 23, output: 7, total: 30 },
    },
    {
      name: 'explicit total wins over the sum',
      attrs: { ...CHAT, 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5, 'gen_ai.usage.total_tokens': 20 },
      usage: { input: 10, output: 5, total: 20 },
    },
    {
      name: 'Traceloop legacy underscore keys and llm.usage.total_tokens',
      attrs: {
        ...CHAT,
        'gen_ai.usage.prompt_tokens': 23,
        'gen_ai.usage.completion_tokens': 7,
        'llm.usage.total_tokens': 30,
        'gen_ai.usage.cache_read_input_tokens': 4,
        'gen_ai.usage.cache_creation_input_tokens': 2,
        'gen_ai.usage.reasoning_tokens': 3,
      },
      // input 23 - 4 - 2 = 17; output 7 - 3 = 4.
      usage: { input: 17, output: 4, total: 30, input_cached_tokens: 4, input_cache_creation: 2, output_reasoning_tokens: 3 },
    },
    {
      name: 'OpenInference token counts with prompt and completion details',
      attrs: {
        'openinference.span.kind': 'LLM',
        'llm.token_count.prompt': 23,
        'llm.token_count.completion': 7,
        'llm.token_count.total': 30,
        'llm.token_count.prompt_details.cache_read': 4,
        'llm.token_count.prompt_details.cache_write': 1,
        'llm.token_count.prompt_details.audio': 2,
        'llm.token_count.completion_details.reasoning': 3,
        'llm.token_count.completion_details.audio': 1,
      },
      // input 23 - 4 - 1 - 2 = 16; output 7 - 3 - 1 = 3.
      usage: {
        input: 16,
        output: 3,
        total: 30,
        input_cached_tokens: 4,
        input_cache_creation: 1,
        input_audio_tokens: 2,
        output_reasoning_tokens: 3,
        output_audio_tokens: 1,
      },
    },
    {
      name: 'OpenInference as recorded (reasoning 0)',
      attrs: {
        'openinference.span.kind': 'LLM',
        'llm.token_count.prompt': 23,
        'llm.token_count.completion': 7,
        'llm.token_count.total': 30,
        'llm.token_count.prompt_details.cache_read': 4,
        'llm.token_count.completion_details.reasoning': 0,
      },
      usage: { input: 19, output: 7, total: 30, input_cached_tokens: 4, output_reasoning_tokens: 0 },
    },
    {
      name: 'current key ranks above the legacy alias, which stays an attribute',
      attrs: { ...CHAT, 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.prompt_tokens': 99 },
      usage: { input: 10, total: 10 },
      kept: { 'gen_ai.usage.prompt_tokens': 99 },
    },
    {
      name: 'numeric strings (OTLP/JSON intValue) are counts',
      attrs: { ...CHAT, 'gen_ai.usage.input_tokens': '23', 'gen_ai.usage.output_tokens': '7' },
      usage: { input: 23, output: 7, total: 30 },
    },
    {
      name: 'unknown gen_ai.usage.* keys pass through under their stripped name',
      attrs: { ...CHAT, 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5, 'gen_ai.usage.custom_tokens': 9 },
      usage: { input: 10, output: 5, total: 15, custom_tokens: 9 },
    },
    {
      name: 'a span that is not model-bearing gets no usage; the keys stay attributes',
      attrs: { 'gen_ai.usage.input_tokens': 10 },
      usage: undefined,
      kept: { 'gen_ai.usage.input_tokens': 10 },
    },
  ])('$name', ({ attrs, usage, kept }) => {
    const { body, issues } = mapOne({ attributes: attrs });
    expect(issues).toEqual([]);
    expect(body.usageDetails).toEqual(usage);
    if (kept) expect(leftovers(body)).toMatchObject(kept);
  });
});

describe('Vercel AI SDK ai.usage.*: read on doGenerate/doStream/doEmbed spans only', () => {
  test.for<UsageRow & { type: string }>([
    {
      name: 'doGenerate: promptTokens / completionTokens',
      attrs: { ...DO_GENERATE, 'ai.usage.promptTokens': 10, 'ai.usage.completionTokens': 5 },
      type: 'generation-create',
      usage: { input: 10, output: 5, total: 15 },
    },
    {
      name: 'doStream: inputTokens / outputTokens / totals and details',
      attrs: {
        ...DO_STREAM,
        'ai.usage.inputTokens': 10,
        'ai.usage.outputTokens': 5,
        'ai.usage.totalTokens': 15,
        'ai.usage.reasoningTokens': 2,
        'ai.usage.cachedInputTokens': 3,
      },
      type: 'generation-create',
      // input 10 - 3 = 7; output 5 - 2 = 3.
      usage: { input: 7, output: 3, total: 15, input_cached_tokens: 3, output_reasoning_tokens: 2 },
    },
    {
      name: 'gen_ai.usage.* twins rank first; ai.usage.* stay attributes',
      attrs: {
        ...DO_GENERATE,
        'gen_ai.usage.input_tokens': 11,
        'gen_ai.usage.output_tokens': 6,
        'ai.usage.promptTokens': 10,
        'ai.usage.completionTokens': 5,
      },
      type: 'generation-create',
      usage: { input: 11, output: 6, total: 17 },
      kept: { 'ai.usage.promptTokens': 10, 'ai.usage.completionTokens': 5 },
    },
    {
      name: 'doEmbed: the bare ai.usage.tokens total is input',
      attrs: { 'ai.operationId': 'ai.embed.doEmbed', 'ai.model.id': 'text-embedding-3-small', 'ai.usage.tokens': 5 },
      type: 'embedding-create',
      usage: { input: 5, total: 5 },
    },
    {
      name: 'outer ai.generateText is a span: no usage',
      attrs: { 'ai.operationId': 'ai.generateText', 'ai.model.id': 'gpt-4o', 'ai.usage.promptTokens': 10, 'ai.usage.completionTokens': 5 },
      type: 'span-create',
      usage: undefined,
      kept: { 'ai.usage.promptTokens': 10, 'ai.usage.completionTokens': 5 },
    },
    {
      name: 'outer ai.generateText typed agent: still no ai.usage.* (it repeats its children)',
      attrs: {
        'langfuse.observation.type': 'agent',
        'ai.operationId': 'ai.generateText',
        'ai.usage.promptTokens': 10,
        'ai.usage.completionTokens': 5,
      },
      type: 'agent-create',
      usage: undefined,
      kept: { 'ai.usage.promptTokens': 10, 'ai.usage.completionTokens': 5 },
    },
  ])('$name', ({ attrs, type, usage, kept }) => {
    const mapped = mapOne({ attributes: attrs });
    expect(mapped.issues).toEqual([]);
    expect(mapped.type).toBe(type);
    expect(mapped.body.usageDetails).toEqual(usage);
    if (kept) expect(leftovers(mapped.body)).toMatchObject(kept);
  });
});

describe('langfuse.observation.usage_details: used verbatim', () => {
  test('wins over gen_ai.usage.*, no subtraction, no total added', () => {
    const { body, issues } = mapOne({
      attributes: {
        ...CHAT,
        'langfuse.observation.usage_details': '{"input":10,"output":5,"input_cached_tokens":3}',
        'gen_ai.usage.input_tokens': 99,
      },
    });
    expect(issues).toEqual([]);
    expect(body.usageDetails).toEqual({ input: 10, output: 5, input_cached_tokens: 3 });
    expect(leftovers(body)).toMatchObject({ 'gen_ai.usage.input_tokens': 99 });
    expect(leftovers(body)).not.toHaveProperty('langfuse.observation.usage_details');
  });

  test('a float value is dropped with INVALID_USAGE; numeric strings are counts', () => {
    const { body, issues } = mapOne({
      attributes: { ...CHAT, 'langfuse.observation.usage_details': '{"input":"23","output":2.5}' },
    });
    expect(body.usageDetails).toEqual({ input: 23 });
    expect(where(issues)).toEqual([
      { code: 'INVALID_USAGE', path: 'langfuse.observation.usage_details.output', spanId: SPAN_ID },
    ]);
  });
});

describe('invalid counts', () => {
  test('floats and negatives are rejected with issues and kept as attributes', () => {
    const { body, issues } = mapOne({
      attributes: { ...CHAT, 'gen_ai.usage.input_tokens': 1.5, 'gen_ai.usage.output_tokens': -3 },
    });
    expect(body).not.toHaveProperty('usageDetails');
    expect(where(issues)).toEqual([
      { code: 'INVALID_USAGE', path: 'gen_ai.usage.input_tokens', spanId: SPAN_ID },
      { code: 'INVALID_USAGE', path: 'gen_ai.usage.output_tokens', spanId: SPAN_ID },
    ]);
    expect(leftovers(body)).toMatchObject({ 'gen_ai.usage.input_tokens': 1.5, 'gen_ai.usage.output_tokens': -3 });
  });

  test('an invalid current key falls back to the legacy alias', () => {
    const { body, issues } = mapOne({
      attributes: { ...CHAT, 'gen_ai.usage.input_tokens': 1.5, 'gen_ai.usage.prompt_tokens': 20, 'gen_ai.usage.output_tokens': 4 },
    });
    expect(body.usageDetails).toEqual({ input: 20, output: 4, total: 24 });
    expect(where(issues)).toEqual([{ code: 'INVALID_USAGE', path: 'gen_ai.usage.input_tokens', spanId: SPAN_ID }]);
    expect(leftovers(body)).toMatchObject({ 'gen_ai.usage.input_tokens': 1.5 });
  });

  test('input details exceeding input: input floored at 0 with an issue', () => {
    const { body, issues } = mapOne({
      attributes: {
        ...CHAT,
        'gen_ai.usage.input_tokens': 5,
        'gen_ai.usage.output_tokens': 2,
        'gen_ai.usage.cache_read.input_tokens': 8,
      },
    });
    expect(body.usageDetails).toEqual({ input: 0, output: 2, total: 7, input_cached_tokens: 8 });
    expect(where(issues)).toEqual([{ code: 'INVALID_USAGE', path: 'body.usageDetails.input', spanId: SPAN_ID }]);
  });

  test('output details exceeding output: output floored at 0 with an issue', () => {
    const { body, issues } = mapOne({
      attributes: {
        ...CHAT,
        'gen_ai.usage.input_tokens': 1,
        'gen_ai.usage.output_tokens': 3,
        'gen_ai.usage.reasoning.output_tokens': 5,
      },
    });
    expect(body.usageDetails).toEqual({ input: 1, output: 0, total: 4, output_reasoning_tokens: 5 });
    expect(where(issues)).toEqual([{ code: 'INVALID_USAGE', path: 'body.usageDetails.output', spanId: SPAN_ID }]);
  });
});

describe('cost', () => {
  test.for<{ name: string; attrs: Record<string, unknown>; cost: Record<string, number> | undefined; kept?: Record<string, unknown> }>([
    {
      name: 'cost_details verbatim, total added',
      attrs: { 'langfuse.observation.cost_details': '{"input":0.001,"output":0.002}' },
      cost: { input: 0.001, output: 0.002, total: 0.003 },
    },
    {
      name: 'cost_details with its own total',
      attrs: { 'langfuse.observation.cost_details': '{"input":1,"total":5}' },
      cost: { input: 1, total: 5 },
    },
    {
      name: 'cost_details ranks above gen_ai.usage.cost, which stays an attribute',
      attrs: { 'langfuse.observation.cost_details': '{"total":2}', 'gen_ai.usage.cost': 7 },
      cost: { total: 2 },
      kept: { 'gen_ai.usage.cost': 7 },
    },
    { name: 'gen_ai.usage.cost -> total', attrs: { 'gen_ai.usage.cost': 0.5 }, cost: { total: 0.5 } },
    { name: 'gen_ai.usage.cost as a numeric string', attrs: { 'gen_ai.usage.cost': '0.25' }, cost: { total: 0.25 } },
    {
      name: 'llm.cost.prompt/completion/total -> input/output/total',
      attrs: { 'llm.cost.prompt': 0.1, 'llm.cost.completion': 0.2, 'llm.cost.total': 0.3 },
      cost: { input: 0.1, output: 0.2, total: 0.3 },
    },
    {
      name: 'llm.cost without total: the sum, without float noise',
      attrs: { 'llm.cost.prompt': 0.1, 'llm.cost.completion': 0.2 },
      cost: { input: 0.1, output: 0.2, total: 0.3 },
    },
    {
      // OpenInference prompt cost 0.1 includes 0.04 of cache reads: exclusive buckets, inclusive total.
      name: 'llm.cost.prompt_details are subtracted from input, the total is not double counted',
      attrs: { 'llm.cost.prompt': 0.1, 'llm.cost.prompt_details.cache_read': 0.04, 'llm.cost.completion': 0.2 },
      cost: { input: 0.06, input_cache_read: 0.04, output: 0.2, total: 0.3 },
    },
  ])('$name', ({ attrs, cost, kept }) => {
    const { body, issues } = mapOne({ attributes: { ...CHAT, ...attrs } });
    expect(issues).toEqual([]);
    expect(body.costDetails).toEqual(cost);
    expect(body.usageDetails).toBeUndefined();
    if (kept) expect(leftovers(body)).toMatchObject(kept);
  });

  test('a negative gen_ai.usage.cost is dropped with INVALID_COST and kept as an attribute', () => {
    const { body, issues } = mapOne({ attributes: { ...CHAT, 'gen_ai.usage.cost': -1 } });
    expect(body).not.toHaveProperty('costDetails');
    expect(where(issues)).toEqual([{ code: 'INVALID_COST', path: 'gen_ai.usage.cost', spanId: SPAN_ID }]);
    expect(leftovers(body)).toMatchObject({ 'gen_ai.usage.cost': -1 });
  });

  test('a negative entry of cost_details is dropped, the rest kept', () => {
    const { body, issues } = mapOne({ attributes: { ...CHAT, 'langfuse.observation.cost_details': '{"input":-1,"output":2}' } });
    expect(body.costDetails).toEqual({ output: 2, total: 2 });
    expect(where(issues)).toEqual([
      { code: 'INVALID_COST', path: 'langfuse.observation.cost_details.input', spanId: SPAN_ID },
    ]);
  });
});

describe('agent-step spans (invoke_agent, agent_step) repeat their children: no model, usage or cost', () => {
  test.for([{ name: 'invoke_agent' }, { name: 'agent_step' }])('$name', ({ name }) => {
    const attrs = {
      'langfuse.observation.type': 'agent',
      'gen_ai.operation.name': name,
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.cost': 0.1,
    };
    const { type, body, issues } = mapOne({ attributes: attrs });
    expect(issues).toEqual([]);
    expect(type).toBe('agent-create');
    expect(body).not.toHaveProperty('model');
    expect(body).not.toHaveProperty('usageDetails');
    expect(body).not.toHaveProperty('costDetails');
    expect(leftovers(body)).toEqual({
      'gen_ai.operation.name': name,
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.cost': 0.1,
    });
  });
});
