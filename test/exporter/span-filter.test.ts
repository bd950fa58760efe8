/**
 * src/exporter/span-filter.ts: which spans count as GenAI, ancestors kept within one call and
 * across calls, expiry and the bound of the remembered parents, 'all' and user predicates.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { createSpanFilter, GENAI_KEY_PREFIXES, GENAI_KEYS, isGenAISpan, SCOPE_PREFIXES, SCOPES_DOTTED, SCOPES_EXACT } from '../../src/exporter/span-filter.js';
import type { SpanFilter } from '../../src/exporter/span-filter.js';
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

  test('remembering what was said of each key and scope changes no answer', () => {
    // The rules as one expression, without the memo (the propagated keys stand for themselves).
    const PROPAGATED = ['langfuse.environment', 'langfuse.internal.', 'traceloop.workflow.name', 'gen_ai.agent.name'];
    const model = (scope: string, keys: readonly string[]): boolean =>
      SCOPES_EXACT.includes(scope) ||
      SCOPE_PREFIXES.some((p) => scope.startsWith(p)) ||
      SCOPES_DOTTED.some((p) => scope === p || scope.startsWith(`${p}.`)) ||
      keys.some((k) => (GENAI_KEYS.includes(k) || GENAI_KEY_PREFIXES.some((p) => k.startsWith(p))) && !PROPAGATED.some((p) => k.startsWith(p)));
    const piece = fc.constantFrom(...GENAI_KEY_PREFIXES, ...GENAI_KEYS, ...PROPAGATED, 'http.', 'url.full', 'ai', 'llm', '.', 'x');
    const name = fc.array(piece, { minLength: 1, maxLength: 3 }).map((p) => p.join(''));
    const scope = fc.oneof(fc.constantFrom(...SCOPES_EXACT, ...SCOPES_DOTTED, ...SCOPE_PREFIXES, 'app'), name);
    fc.assert(
      fc.property(scope, fc.uniqueArray(name, { maxLength: 5 }), (scopeName, keys) => {
        const s = span('s', undefined, Object.fromEntries(keys.map((k) => [k, 1])), scopeName);
        expect(isGenAISpan(s)).toBe(model(scopeName, keys));
        expect(isGenAISpan(s)).toBe(model(scopeName, keys));
      }),
      { numRuns: 300 },
    );
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

/**
 * The filter as first written, kept as the model: `traceId/spanId` keys, a Map of the call's spans
 * by key (the last one wins), a Set of the kept spans. The filter reads span ids without building
 * keys; the property below holds the two equal.
 */
function modelFilter(maxRemembered: number, ttlMillis: number, now: () => number): SpanFilter {
  const remembered = new Map<string, number>();
  const keyOf = (s: ReadableSpan): string => `${s.spanContext().traceId}/${s.spanContext().spanId}`;
  return {
    keep(spans) {
      const at = now();
      for (const [key, expiry] of remembered) {
        if (expiry > at) break;
        remembered.delete(key);
      }
      const byKey = new Map<string, ReadableSpan>();
      const kept = new Set<ReadableSpan>();
      const pending: ReadableSpan[] = [];
      for (const span of spans) {
        byKey.set(keyOf(span), span);
        if (remembered.delete(keyOf(span)) || isGenAISpan(span)) pending.push(span);
      }
      while (pending.length > 0) {
        const span = pending.pop() as ReadableSpan;
        if (kept.has(span)) continue;
        kept.add(span);
        const parent = span.parentSpanContext;
        if (parent === undefined || parent.isRemote === true) continue;
        const parentKey = `${parent.traceId}/${parent.spanId}`;
        const inBatch = byKey.get(parentKey);
        if (inBatch !== undefined) pending.push(inBatch);
        else {
          remembered.delete(parentKey);
          remembered.set(parentKey, at + ttlMillis);
          if (remembered.size > maxRemembered) remembered.delete(remembered.keys().next().value as string);
        }
      }
      return spans.filter((s) => kept.has(s));
    },
  };
}

describe("createSpanFilter('genai') equals its model", () => {
  // Few ids, so that parents are found in the call, in later calls, in the other trace, and ids repeat.
  const ids = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
  const spanArb = fc.record({
    trace: fc.constantFrom(TRACE, 'f'.repeat(32)),
    id: ids,
    parent: fc.option(fc.record({ id: ids, otherTrace: fc.boolean(), remote: fc.boolean() }), { nil: undefined }),
    genai: fc.boolean(),
  });
  const callArb = fc.record({
    spans: fc.array(spanArb, { maxLength: 8 }),
    // Positions of spans given twice (the same object again).
    again: fc.array(fc.nat(7), { maxLength: 2 }),
    advance: fc.constantFrom(0, 0, 100, 499, 500),
  });

  test('on calls of spans with few ids: same spans kept, in the same order', () => {
    fc.assert(
      fc.property(fc.array(callArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), (calls, maxRemembered) => {
        let clock = 1_000;
        const now = (): number => clock;
        const filter = createSpanFilter('genai', { maxRemembered, ttlMillis: 500, now });
        const model = modelFilter(maxRemembered, 500, now);
        for (const call of calls) {
          clock += call.advance;
          const spans = call.spans.map((d) => {
            const s = span(d.id, undefined, d.genai ? LLM : HTTP);
            const withTrace: ReadableSpan = { ...s, spanContext: () => ({ ...s.spanContext(), traceId: d.trace }) };
            if (d.parent === undefined) return withTrace;
            const traceId = d.parent.otherTrace ? (d.trace === TRACE ? 'f'.repeat(32) : TRACE) : d.trace;
            return { ...withTrace, parentSpanContext: { traceId, spanId: sid(d.parent.id), traceFlags: 1, isRemote: d.parent.remote } };
          });
          for (const i of call.again) if (i < spans.length) spans.push(spans[i] as ReadableSpan);
          expect(filter.keep(spans)).toEqual(model.keep(spans));
        }
      }),
      { numRuns: 400 },
    );
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
