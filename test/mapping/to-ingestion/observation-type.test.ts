/**
 * The observation-type decision table: Langfuse's own mapper order (langfuse-ingestion.md 3.4)
 * plus our additions (genai-conventions.md 7.2). One row per rule, then precedence between
 * rules, then a few rows end to end through spansToIngestion (event type strings, legacy folding).
 */
import { describe, expect, test } from 'vitest';
import { AttributeBag } from '../../../src/mapping/attribute-bag.js';
import { IssueSink } from '../../../src/mapping/result.js';
import type { ObservationType } from '../../../src/mapping/schema.js';
import { decideObservationType } from '../../../src/mapping/to-ingestion/observation-type.js';
import { END_ISO, mapOne } from './build.js';

interface Row {
  name: string;
  attrs: Record<string, unknown>;
  type: ObservationType;
}

function decide(attrs: Record<string, unknown>): ObservationType {
  return decideObservationType(new AttributeBag(attrs, new IssueSink()));
}

describe('rule 1: langfuse.observation.type (lower case only)', () => {
  test.for<Row>([
    { name: 'span', attrs: { 'langfuse.observation.type': 'span' }, type: 'SPAN' },
    { name: 'generation', attrs: { 'langfuse.observation.type': 'generation' }, type: 'GENERATION' },
    { name: 'event', attrs: { 'langfuse.observation.type': 'event' }, type: 'EVENT' },
    { name: 'embedding', attrs: { 'langfuse.observation.type': 'embedding' }, type: 'EMBEDDING' },
    { name: 'agent', attrs: { 'langfuse.observation.type': 'agent' }, type: 'AGENT' },
    { name: 'tool', attrs: { 'langfuse.observation.type': 'tool' }, type: 'TOOL' },
    { name: 'chain', attrs: { 'langfuse.observation.type': 'chain' }, type: 'CHAIN' },
    { name: 'retriever', attrs: { 'langfuse.observation.type': 'retriever' }, type: 'RETRIEVER' },
    { name: 'guardrail', attrs: { 'langfuse.observation.type': 'guardrail' }, type: 'GUARDRAIL' },
    { name: 'evaluator', attrs: { 'langfuse.observation.type': 'evaluator' }, type: 'EVALUATOR' },
    { name: 'upper case is not a Langfuse value', attrs: { 'langfuse.observation.type': 'GENERATION' }, type: 'SPAN' },
    { name: 'unknown value falls through', attrs: { 'langfuse.observation.type': 'banana' }, type: 'SPAN' },
    { name: 'non-string value falls through', attrs: { 'langfuse.observation.type': 1 }, type: 'SPAN' },
  ])('$name', ({ attrs, type }) => {
    expect(decide(attrs)).toBe(type);
  });
});

describe('rule 2: openinference.span.kind', () => {
  test.for<Row>([
    { name: 'LLM -> GENERATION', attrs: { 'openinference.span.kind': 'LLM' }, type: 'GENERATION' },
    { name: 'CHAIN', attrs: { 'openinference.span.kind': 'CHAIN' }, type: 'CHAIN' },
    { name: 'RETRIEVER', attrs: { 'openinference.span.kind': 'RETRIEVER' }, type: 'RETRIEVER' },
    { name: 'EMBEDDING', attrs: { 'openinference.span.kind': 'EMBEDDING' }, type: 'EMBEDDING' },
    { name: 'AGENT', attrs: { 'openinference.span.kind': 'AGENT' }, type: 'AGENT' },
    { name: 'TOOL', attrs: { 'openinference.span.kind': 'TOOL' }, type: 'TOOL' },
    { name: 'GUARDRAIL', attrs: { 'openinference.span.kind': 'GUARDRAIL' }, type: 'GUARDRAIL' },
    { name: 'EVALUATOR', attrs: { 'openinference.span.kind': 'EVALUATOR' }, type: 'EVALUATOR' },
    { name: 'RERANKER falls through to the default', attrs: { 'openinference.span.kind': 'RERANKER' }, type: 'SPAN' },
    {
      name: 'RERANKER falls through to the model fallback',
      attrs: { 'openinference.span.kind': 'RERANKER', 'llm.model_name': 'rerank-v3' },
      type: 'GENERATION',
    },
    { name: 'PROMPT falls through', attrs: { 'openinference.span.kind': 'PROMPT' }, type: 'SPAN' },
  ])('$name', ({ attrs, type }) => {
    expect(decide(attrs)).toBe(type);
  });
});

describe('rule 3: gen_ai.operation.name', () => {
  test.for<Row>([
    { name: 'chat', attrs: { 'gen_ai.operation.name': 'chat' }, type: 'GENERATION' },
    { name: 'completion', attrs: { 'gen_ai.operation.name': 'completion' }, type: 'GENERATION' },
    { name: 'text_completion', attrs: { 'gen_ai.operation.name': 'text_completion' }, type: 'GENERATION' },
    { name: 'generate_content', attrs: { 'gen_ai.operation.name': 'generate_content' }, type: 'GENERATION' },
    { name: 'generate', attrs: { 'gen_ai.operation.name': 'generate' }, type: 'GENERATION' },
    { name: 'embeddings', attrs: { 'gen_ai.operation.name': 'embeddings' }, type: 'EMBEDDING' },
    { name: 'invoke_agent', attrs: { 'gen_ai.operation.name': 'invoke_agent' }, type: 'AGENT' },
    { name: 'create_agent', attrs: { 'gen_ai.operation.name': 'create_agent' }, type: 'AGENT' },
    { name: 'execute_tool', attrs: { 'gen_ai.operation.name': 'execute_tool' }, type: 'TOOL' },
    { name: 'retrieval is not in the table', attrs: { 'gen_ai.operation.name': 'retrieval' }, type: 'SPAN' },
  ])('$name', ({ attrs, type }) => {
    expect(decide(attrs)).toBe(type);
  });
});

describe('rules 5-6: Vercel AI SDK operations', () => {
  test.for<Row>([
    {
      name: 'doGenerate with ai.model.id',
      attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-4o' },
      type: 'GENERATION',
    },
    {
      name: 'doGenerate without a model key stays a span',
      attrs: { 'ai.operationId': 'ai.generateText.doGenerate' },
      type: 'SPAN',
    },
    {
      name: 'doStream with gen_ai.request.model',
      attrs: { 'ai.operationId': 'ai.streamText.doStream', 'gen_ai.request.model': 'gpt-4o' },
      type: 'GENERATION',
    },
    {
      name: 'generateObject.doGenerate with langfuse model name',
      attrs: { 'ai.operationId': 'ai.generateObject.doGenerate', 'langfuse.observation.model.name': 'm' },
      type: 'GENERATION',
    },
    {
      name: 'streamObject.doStream with gen_ai.response.model',
      attrs: { 'ai.operationId': 'ai.streamObject.doStream', 'gen_ai.response.model': 'm' },
      type: 'GENERATION',
    },
    {
      name: 'embed.doEmbed with ai.model.id',
      attrs: { 'ai.operationId': 'ai.embed.doEmbed', 'ai.model.id': 'text-embedding-3-small' },
      type: 'EMBEDDING',
    },
    {
      name: 'embedMany.doEmbed with ai.model.id',
      attrs: { 'ai.operationId': 'ai.embedMany.doEmbed', 'ai.model.id': 'text-embedding-3-small' },
      type: 'EMBEDDING',
    },
    {
      name: 'doEmbed without a model key stays a span',
      attrs: { 'ai.operationId': 'ai.embed.doEmbed' },
      type: 'SPAN',
    },
    {
      name: 'operation.name prefix instead of ai.operationId',
      attrs: { 'operation.name': 'ai.streamText.doStream my-function', 'ai.model.id': 'gpt-4o' },
      type: 'GENERATION',
    },
    {
      name: 'outer ai.generateText stays a span (ai.model.id is no fallback model key)',
      attrs: { 'ai.operationId': 'ai.generateText', 'ai.model.id': 'gpt-4o' },
      type: 'SPAN',
    },
    { name: 'ai.toolCall -> TOOL', attrs: { 'ai.operationId': 'ai.toolCall' }, type: 'TOOL' },
  ])('$name', ({ attrs, type }) => {
    expect(decide(attrs)).toBe(type);
  });
});

describe('rules 7-10: tool keys, Traceloop (ours), model fallback', () => {
  test.for<Row>([
    { name: 'gen_ai.tool.name', attrs: { 'gen_ai.tool.name': 'get_weather' }, type: 'TOOL' },
    { name: 'gen_ai.tool.call.id', attrs: { 'gen_ai.tool.call.id': 'call_1' }, type: 'TOOL' },
    { name: 'empty gen_ai.tool.name is absent', attrs: { 'gen_ai.tool.name': '' }, type: 'SPAN' },
    { name: 'llm.request.type chat', attrs: { 'llm.request.type': 'chat' }, type: 'GENERATION' },
    { name: 'llm.request.type completion', attrs: { 'llm.request.type': 'completion' }, type: 'GENERATION' },
    { name: 'llm.request.type rerank', attrs: { 'llm.request.type': 'rerank' }, type: 'SPAN' },
    { name: 'traceloop.span.kind agent', attrs: { 'traceloop.span.kind': 'agent' }, type: 'AGENT' },
    { name: 'traceloop.span.kind tool', attrs: { 'traceloop.span.kind': 'tool' }, type: 'TOOL' },
    { name: 'traceloop.span.kind workflow', attrs: { 'traceloop.span.kind': 'workflow' }, type: 'SPAN' },
    { name: 'traceloop.span.kind task', attrs: { 'traceloop.span.kind': 'task' }, type: 'SPAN' },
    { name: 'model: langfuse.observation.model.name', attrs: { 'langfuse.observation.model.name': 'm' }, type: 'GENERATION' },
    { name: 'model: gen_ai.request.model', attrs: { 'gen_ai.request.model': 'm' }, type: 'GENERATION' },
    { name: 'model: gen_ai.response.model', attrs: { 'gen_ai.response.model': 'm' }, type: 'GENERATION' },
    { name: 'model: llm.model_name', attrs: { 'llm.model_name': 'm' }, type: 'GENERATION' },
    { name: 'model: bare model', attrs: { model: 'm' }, type: 'GENERATION' },
    { name: 'empty model string is absent', attrs: { model: '' }, type: 'SPAN' },
    { name: 'empty model array is absent', attrs: { 'gen_ai.request.model': [] }, type: 'SPAN' },
    { name: 'ai.model.id alone is no fallback model key', attrs: { 'ai.model.id': 'm' }, type: 'SPAN' },
    { name: 'embedding.model_name -> EMBEDDING', attrs: { 'embedding.model_name': 'e' }, type: 'EMBEDDING' },
    { name: 'no attributes -> SPAN', attrs: {}, type: 'SPAN' },
    { name: 'unrelated attributes -> SPAN', attrs: { 'http.method': 'GET', 'service.name': 'x' }, type: 'SPAN' },
  ])('$name', ({ attrs, type }) => {
    expect(decide(attrs)).toBe(type);
  });
});

describe('precedence between rules', () => {
  test.for<Row>([
    {
      name: 'Langfuse type > OpenInference',
      attrs: { 'langfuse.observation.type': 'span', 'openinference.span.kind': 'LLM' },
      type: 'SPAN',
    },
    {
      name: 'Langfuse type > operation',
      attrs: { 'langfuse.observation.type': 'tool', 'gen_ai.operation.name': 'chat' },
      type: 'TOOL',
    },
    {
      name: 'unknown Langfuse type falls through to the operation',
      attrs: { 'langfuse.observation.type': 'banana', 'gen_ai.operation.name': 'chat' },
      type: 'GENERATION',
    },
    {
      name: 'OpenInference > operation',
      attrs: { 'openinference.span.kind': 'CHAIN', 'gen_ai.operation.name': 'chat' },
      type: 'CHAIN',
    },
    {
      name: 'OpenInference > model',
      attrs: { 'openinference.span.kind': 'TOOL', 'llm.model_name': 'gpt-4o' },
      type: 'TOOL',
    },
    {
      name: 'operation > model',
      attrs: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'text-embedding-3-small' },
      type: 'EMBEDDING',
    },
    {
      name: 'execute_tool > model',
      attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.request.model': 'gpt-4o' },
      type: 'TOOL',
    },
    {
      name: 'operation > AI SDK operation',
      attrs: { 'gen_ai.operation.name': 'invoke_agent', 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'm' },
      type: 'AGENT',
    },
    {
      name: 'AI SDK doGenerate > gen_ai.tool.name',
      attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'm', 'gen_ai.tool.name': 't' },
      type: 'GENERATION',
    },
    {
      name: 'doGenerate without model falls through to gen_ai.tool.name',
      attrs: { 'ai.operationId': 'ai.generateText.doGenerate', 'gen_ai.tool.name': 't' },
      type: 'TOOL',
    },
    {
      name: 'gen_ai.tool.name > model',
      attrs: { 'gen_ai.tool.name': 'get_weather', 'gen_ai.request.model': 'gpt-4o' },
      type: 'TOOL',
    },
    {
      name: 'llm.request.type > traceloop.span.kind',
      attrs: { 'llm.request.type': 'chat', 'traceloop.span.kind': 'tool' },
      type: 'GENERATION',
    },
    {
      name: 'traceloop.span.kind > model',
      attrs: { 'traceloop.span.kind': 'agent', 'gen_ai.request.model': 'gpt-4o' },
      type: 'AGENT',
    },
    {
      name: 'model > embedding.model_name',
      attrs: { 'llm.model_name': 'gpt-4o', 'embedding.model_name': 'e' },
      type: 'GENERATION',
    },
  ])('$name', ({ attrs, type }) => {
    expect(decide(attrs)).toBe(type);
  });
});

describe('end to end: the event type string', () => {
  test.for<{ name: string; attrs: Record<string, unknown>; legacyTypes?: boolean; eventType: string }>([
    { name: 'execute_tool', attrs: { 'gen_ai.operation.name': 'execute_tool' }, eventType: 'tool-create' },
    { name: 'OpenInference LLM', attrs: { 'openinference.span.kind': 'LLM' }, eventType: 'generation-create' },
    { name: 'embeddings', attrs: { 'gen_ai.operation.name': 'embeddings' }, eventType: 'embedding-create' },
    { name: 'OpenInference RETRIEVER', attrs: { 'openinference.span.kind': 'RETRIEVER' }, eventType: 'retriever-create' },
    { name: 'Langfuse guardrail', attrs: { 'langfuse.observation.type': 'guardrail' }, eventType: 'guardrail-create' },
    { name: 'no GenAI keys', attrs: { 'http.method': 'GET' }, eventType: 'span-create' },
    // legacyTypes: only span/generation/event for servers older than v3.98.2.
    { name: 'legacy: embedding -> generation', attrs: { 'gen_ai.operation.name': 'embeddings' }, legacyTypes: true, eventType: 'generation-create' },
    { name: 'legacy: tool without model data -> span', attrs: { 'gen_ai.operation.name': 'execute_tool' }, legacyTypes: true, eventType: 'span-create' },
    {
      name: 'legacy: tool with a model -> generation',
      attrs: { 'langfuse.observation.type': 'tool', 'gen_ai.request.model': 'gpt-4o' },
      legacyTypes: true,
      eventType: 'generation-create',
    },
    {
      name: 'legacy: agent with usage -> generation',
      attrs: { 'langfuse.observation.type': 'agent', 'gen_ai.usage.input_tokens': 3 },
      legacyTypes: true,
      eventType: 'generation-create',
    },
    {
      name: 'legacy: tool with only model parameters -> generation (a span body would lose them)',
      attrs: { 'langfuse.observation.type': 'tool', 'gen_ai.request.temperature': 0.5 },
      legacyTypes: true,
      eventType: 'generation-create',
    },
    {
      name: 'legacy: invoke_agent drops its model, so it folds to span',
      attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 3 },
      legacyTypes: true,
      eventType: 'span-create',
    },
    { name: 'legacy: chain -> span', attrs: { 'openinference.span.kind': 'CHAIN' }, legacyTypes: true, eventType: 'span-create' },
    { name: 'legacy: event stays event', attrs: { 'langfuse.observation.type': 'event' }, legacyTypes: true, eventType: 'event-create' },
    { name: 'legacy: generation stays generation', attrs: { 'gen_ai.operation.name': 'chat' }, legacyTypes: true, eventType: 'generation-create' },
  ])('$name', ({ attrs, legacyTypes, eventType }) => {
    expect(mapOne({ attributes: attrs }, { legacyTypes: legacyTypes === true }).type).toBe(eventType);
  });

  test('an event observation has no end time, a span has one', () => {
    expect(mapOne({ attributes: { 'langfuse.observation.type': 'event' } }).body).not.toHaveProperty('endTime');
    expect(mapOne({}).body.endTime).toBe(END_ISO);
  });

  test('a consumed Langfuse type is not repeated in metadata; an unknown one is kept', () => {
    expect(mapOne({ attributes: { 'langfuse.observation.type': 'tool' } }).body.metadata).not.toHaveProperty('attributes');
    expect(mapOne({ attributes: { 'langfuse.observation.type': 'banana' } }).body.metadata?.attributes).toEqual({
      'langfuse.observation.type': 'banana',
    });
  });
});
