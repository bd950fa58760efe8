/**
 * src/exporter/span-filter.ts: which spans count as GenAI, ancestors kept within one call and
 * across calls, expiry and the bound of the remembered parents, 'all' and user predicates.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import { createSpanFilter, isGenAISpan } from '../../src/exporter/span-filter.js';
import type { SpanDump } from '../../src/mapping/span-dump.js';
import { spanDumpToReadableSpans } from '../../src/mapping/span-dump.js';
import { DIALECTS, loadExampleSpans } from '../helpers/examples.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const HTTP = { 'http.request.method': 'POST', 'url.full': 'https://api.example.com/v1' };
const LLM = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' };

/** One span: `id` and `parent` are short names turned into span ids. */
function span(id: string, parent?: string, attributes: Record<string, unknown> = HTTP, scope = 'app'): ReadableSpan {
  const dump: SpanDump = {
    name: id,
    traceId: TRACE,
    spanId: sid(id),
    ...(parent === undefined ? {} : { parentSpanId: sid(parent) }),
    startTime: [1_700_000_000, 0],
    endTime: [1_700_000_001, 0],
    attributes,
    scope: { name: scope },
  };
  const { value, issues } = spanDumpToReadableSpans([dump]);
  expect(issues).toEqual([]);
  return value[0] as ReadableSpan;
}
function sid(name: string): string {
  return Buffer.from(name).toString('hex').padStart(16, '0').slice(-16);
}
const names = (spans: readonly ReadableSpan[]): string[] => spans.map((s) => s.name);

afterEach(() => diag.disable());

describe('isGenAISpan', () => {
  test.for([
    { name: 'OTel gen_ai.*', attributes: LLM, expected: true },
    { name: 'OpenInference llm.*', attributes: { 'llm.model_name': 'gpt-4o' }, expected: true },
    { name: 'Traceloop legacy llm.request.type', attributes: { 'llm.request.type': 'chat' }, expected: true },
    { name: 'AI SDK ai.*', attributes: { 'ai.operationId': 'ai.generateText' }, expected: true },
    { name: 'Langfuse observation', attributes: { 'langfuse.observation.type': 'generation' }, expected: true },
    { name: 'Traceloop span kind', attributes: { 'traceloop.span.kind': 'workflow' }, expected: true },
    { name: 'OpenInference span kind', attributes: { 'openinference.span.kind': 'CHAIN' }, expected: true },
    { name: 'OpenInference input.value', attributes: { 'input.value': 'hi' }, expected: true },
    { name: 'OpenInference embedding.*', attributes: { 'embedding.model_name': 'e5' }, expected: true },
    { name: 'OpenInference retrieval.*', attributes: { 'retrieval.documents.0.document.id': 'd1' }, expected: true },
    { name: 'OpenInference tool.*', attributes: { 'tool.name': 'search' }, expected: true },
    { name: 'plain HTTP', attributes: HTTP, expected: false },
    { name: 'no attributes', attributes: {}, expected: false },
    { name: 'user.id and session.id only', attributes: { 'user.id': 'u', 'session.id': 's' }, expected: false },
    { name: 'stamped by LangfuseSpanProcessor', attributes: { ...HTTP, 'langfuse.environment': 'prod', 'langfuse.release': 'r', 'langfuse.trace.metadata.k': 'v', 'langfuse.internal.is_app_root': true }, expected: false },
    { name: 'stamped by the Traceloop SDK', attributes: { ...HTTP, 'traceloop.workflow.name': 'w', 'traceloop.entity.path': 'a.b', 'traceloop.association.properties.user_id': 'u', 'gen_ai.agent.name': 'a' }, expected: false },
    { name: 'a look-alike prefix', attributes: { 'aiohttp.method': 'GET', 'llmish': 1, 'tooling.x': 1 }, expected: false },
  ])('attributes: $name', ({ attributes, expected }) => {
    expect(isGenAISpan(span('s', undefined, attributes))).toBe(expected);
  });

  test.for([
    { scope: 'ai', expected: true },
    { scope: 'ai.other', expected: false },
    { scope: 'langfuse-sdk', expected: true },
    { scope: 'openinference.instrumentation.openai', expected: true },
    { scope: '@arizeai/openinference-instrumentation-openai', expected: true },
    { scope: '@traceloop/instrumentation-anthropic', expected: true },
    { scope: 'traceloop.tracer', expected: true },
    { scope: '@opentelemetry/instrumentation-openai', expected: true },
    { scope: 'opentelemetry.instrumentation.openai_v2', expected: true },
    { scope: 'opentelemetry.instrumentation.openai.v2', expected: true },
    { scope: 'opentelemetry.instrumentation.openaix', expected: false },
    { scope: 'strands-agents', expected: true },
    { scope: '@opentelemetry/instrumentation-http', expected: false },
    { scope: 'app', expected: false },
  ])('scope $scope', ({ scope, expected }) => {
    expect(isGenAISpan(span('s', undefined, HTTP, scope))).toBe(expected);
  });
});

describe("createSpanFilter('genai'): ancestors", () => {
  test('an HTTP parent in the same call is kept, child first or parent first; an unrelated one is dropped', () => {
    const [parent, child, other] = [span('http', undefined), span('llm', 'http', LLM), span('other', undefined)];
    expect(names(createSpanFilter('genai').keep([child, other, parent]))).toEqual(['llm', 'http']);
    expect(names(createSpanFilter('genai').keep([parent, other, child]))).toEqual(['http', 'llm']);
  });

  test('an HTTP parent arriving in a later call is kept', () => {
    const filter = createSpanFilter('genai');
    expect(names(filter.keep([span('llm', 'http', LLM)]))).toEqual(['llm']);
    expect(names(filter.keep([span('other', 'root'), span('http', 'root')]))).toEqual(['http']);
  });

  test('a 3-level chain across 3 calls passes the mark up', () => {
    const filter = createSpanFilter('genai');
    expect(names(filter.keep([span('llm', 'mid', LLM)]))).toEqual(['llm']);
    expect(names(filter.keep([span('mid', 'root')]))).toEqual(['mid']);
    expect(names(filter.keep([span('root', undefined), span('unrelated', undefined)]))).toEqual(['root']);
  });

  test('a chain inside one call, in any order', () => {
    const spans = [span('root', undefined), span('llm', 'mid', LLM), span('noise', 'root'), span('mid', 'root')];
    expect(names(createSpanFilter('genai').keep(spans))).toEqual(['root', 'llm', 'mid']);
  });

  test('a mark is used up once the parent is kept', () => {
    const filter = createSpanFilter('genai');
    filter.keep([span('llm', 'http', LLM)]);
    expect(names(filter.keep([span('http', 'root')]))).toEqual(['http']);
    expect(names(filter.keep([span('http', 'root')]))).toEqual([]);
  });

  test('a remembered parent expires after ttlMillis', () => {
    let now = 1_000;
    const filter = createSpanFilter('genai', { ttlMillis: 500, now: () => now });
    filter.keep([span('llm1', 'p1', LLM), span('llm2', 'p2', LLM)]);
    now = 1_499;
    expect(names(filter.keep([span('p1', undefined)]))).toEqual(['p1']);
    now = 1_500;
    expect(names(filter.keep([span('p2', undefined)]))).toEqual([]);
  });

  test('the bound forgets the oldest parent first', () => {
    const filter = createSpanFilter('genai', { maxRemembered: 2 });
    filter.keep([span('llm1', 'p1', LLM)]);
    filter.keep([span('llm2', 'p2', LLM)]);
    filter.keep([span('llm3', 'p3', LLM)]);
    expect(names(filter.keep([span('p1', undefined), span('p2', undefined), span('p3', undefined)]))).toEqual(['p2', 'p3']);
  });

  test('a remote parent is not remembered (its process exports it)', () => {
    const filter = createSpanFilter('genai', { maxRemembered: 1 });
    filter.keep([span('llm1', 'p1', LLM)]);
    const child = span('llm2', 'remote', LLM);
    const remoteChild: ReadableSpan = { ...child, parentSpanContext: { ...child.parentSpanContext!, isRemote: true } };
    expect(names(filter.keep([remoteChild]))).toEqual(['llm2']);
    expect(names(filter.keep([span('p1', undefined)]))).toEqual(['p1']);
  });

  test.for(DIALECTS)('recorded %s spans, one per call in end order: all kept', (dialect) => {
    const spans = loadExampleSpans(dialect).sort((a, b) => a.endTime[0] - b.endTime[0] || a.endTime[1] - b.endTime[1]);
    const filter = createSpanFilter('genai');
    expect(spans.flatMap((s) => filter.keep([s]))).toEqual(spans);
  });
});

describe('other modes', () => {
  test("'all' keeps every span", () => {
    const spans = [span('a', undefined), span('b', 'a')];
    expect(createSpanFilter('all').keep(spans)).toEqual(spans);
  });

  test('a predicate is applied as is, without ancestors', () => {
    const filter = createSpanFilter((s) => s.name !== 'http');
    expect(names(filter.keep([span('llm', 'http', LLM), span('http', undefined)]))).toEqual(['llm']);
  });

  test('a throwing predicate keeps the span and logs once', () => {
    const lines: string[] = [];
    const log = (...args: unknown[]): void => void lines.push(args.join(' '));
    diag.setLogger({ error: log, warn: log, info: log, debug: log, verbose: log }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    const filter = createSpanFilter((s) => {
      if (s.name === 'bad') throw new TypeError('boom');
      return false;
    });
    expect(names(filter.keep([span('bad', undefined), span('ok', undefined)]))).toEqual(['bad']);
    expect(names(filter.keep([span('bad', undefined)]))).toEqual(['bad']);
    expect(lines).toEqual([expect.stringMatching(/spanFilter threw \(TypeError\); keeping the span/)]);
  });

  test('bad limits are programmer errors', () => {
    expect(() => createSpanFilter('genai', { maxRemembered: 0 })).toThrow(RangeError);
    expect(() => createSpanFilter('genai', { ttlMillis: -1 })).toThrow(RangeError);
  });
});
