/**
 * The real `langfuse` 3.x JS client against a loopback stand-in for Langfuse's ingestion endpoint:
 * what the client sends (one POST /api/public/ingestion per flush, its headers, its event types),
 * then ingestionToSpans on exactly those events. Expected values are literals from the calls
 * below, checked by hand against langfuse-ingestion.md and the to-otel mapping rules.
 *
 * Times: every start time and the completion start are explicit; the client stamps `end()`,
 * envelope timestamps and the trace-create sent by `trace.update()` with the wall clock, so those
 * are compared with what was captured, not with literals.
 */
import { gzipSync } from 'node:zlib';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Langfuse } from 'langfuse';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { syntheticRootSpanId, toOtelSpanId, toOtelTraceId } from '../../src/mapping/ids.js';
import type { MappingResult } from '../../src/mapping/result.js';
import { isoToHrTime } from '../../src/mapping/time.js';
import { ingestionToSpans } from '../../src/mapping/to-otel/index.js';
import { VERSION } from '../../src/version.js';
import { startCaptureServer } from '../helpers/capture-ingestion.js';
import type { CapturedRequest, CaptureServer } from '../helpers/capture-ingestion.js';

const PUBLIC_KEY = 'pk-lf-e2e-1234';
const SECRET_KEY = 'sk-lf-e2e-5678';
const TRACE_ID = '3f2a9c4e-7b1d-4e8a-9c6f-0d5e8b2a1c7f';
const TRACE_HEX = '3f2a9c4e7b1d4e8a9c6f0d5e8b2a1c7f';
/** 2025-03-01T10:00:00.000Z = 1740823200 s. */
const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Envelope {
  id: string;
  type: string;
  timestamp: string;
  body: Record<string, unknown>;
}
interface IngestionRequestBody {
  batch: Envelope[];
  metadata: Record<string, unknown>;
}

interface Ids {
  span: string;
  generation: string;
  event: string;
  failed: string;
}

let server: CaptureServer | undefined;
let langfuse: Langfuse | undefined;
let ids: Ids;
/** The requests the client sent during the flush (later tests add their own to the server). */
let sent: CapturedRequest[] = [];
/** What the client reported through its `error` and `warning` events (a failed POST lands there). */
const clientProblems: unknown[] = [];

beforeAll(async () => {
  server = await startCaptureServer();
  langfuse = new Langfuse({
    publicKey: PUBLIC_KEY,
    secretKey: SECRET_KEY,
    baseUrl: server.url,
    // One request for the whole trace, sent when we flush: no timer races the test.
    flushAt: 1000,
    flushInterval: 0,
    // A failed POST must fail the test now, not after 3 retries 3 s apart.
    fetchRetryCount: 0,
    environment: 'e2e-test',
    release: 'v1.4.2',
  });
  langfuse.on('error', (e: unknown) => clientProblems.push(e));
  langfuse.on('warning', (e: unknown) => clientProblems.push(e));

  const trace = langfuse.trace({
    id: TRACE_ID,
    name: 'support-chat',
    userId: 'user-42',
    sessionId: 'session-7',
    tags: ['support', 'beta'],
    metadata: { tenant: 'acme', plan: { tier: 'pro' } },
    input: { question: 'Where is my order?' },
    timestamp: at(0),
  });
  const span = trace.span({
    name: 'handle-request',
    startTime: at(0),
    input: { question: 'Where is my order?' },
    metadata: { route: '/chat' },
  });
  const event = span.event({
    name: 'cache-miss',
    startTime: at(100),
    input: { key: 'order:123' },
  });
  const generation = span.generation({
    name: 'answer',
    startTime: at(200),
    completionStartTime: at(450),
    model: 'gpt-4o-mini',
    modelParameters: { temperature: 0.3, max_tokens: 256 },
    input: [
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: 'Where is my order?' },
    ],
  });
  generation.end({
    output: { role: 'assistant', content: 'Your order ships tomorrow.' },
    usageDetails: { input: 120, input_cached_tokens: 20, output: 30, total: 170 },
    costDetails: { input: 0.00006, output: 0.00012, total: 0.00018 },
  });
  const failed = trace.generation({
    name: 'moderation',
    startTime: at(1000),
    model: 'omni-moderation-latest',
    input: 'Where is my order?',
  });
  failed.update({ level: 'ERROR', statusMessage: 'upstream 503: model overloaded' });
  failed.end();
  trace.score({ name: 'user-feedback', value: 1, dataType: 'NUMERIC', comment: 'resolved my issue' });
  generation.score({ name: 'groundedness', value: 'grounded', dataType: 'CATEGORICAL' });
  trace.update({ output: { answer: 'Your order ships tomorrow.' } });
  span.end({ output: { answer: 'Your order ships tomorrow.' } });

  ids = { span: span.id, generation: generation.id, event: event.id, failed: failed.id };
  await langfuse.flushAsync();
  sent = [...server.requests];
});

afterAll(async () => {
  await langfuse?.shutdownAsync();
  await server?.close();
});

function capture(): CaptureServer {
  if (!server) throw new Error('capture server not started');
  return server;
}

function ingestionBodies(): IngestionRequestBody[] {
  return sent.map((r) => r.body as IngestionRequestBody);
}

function allEvents(): Envelope[] {
  return ingestionBodies().flatMap((b) => b.batch);
}

function map(): MappingResult<ReadableSpan[]> {
  return ingestionToSpans(allEvents(), { batchMetadata: ingestionBodies()[0]?.metadata });
}

function spanNamed(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name && s.attributes['langfuse.bridge.synthetic_root'] === undefined);
  if (found.length !== 1) throw new Error(`${found.length} spans named ${name}`);
  return found[0] as ReadableSpan;
}

function rootOf(spans: readonly ReadableSpan[]): ReadableSpan {
  const found = spans.filter((s) => s.attributes['langfuse.bridge.synthetic_root'] !== undefined);
  if (found.length !== 1) throw new Error(`${found.length} synthetic roots`);
  return found[0] as ReadableSpan;
}

function eventOf(type: string, bodyId?: string): Envelope {
  const found = allEvents().filter((e) => e.type === type && (bodyId === undefined || e.body.id === bodyId));
  if (found.length !== 1) throw new Error(`${found.length} ${type} events for ${bodyId ?? 'any id'}`);
  return found[0] as Envelope;
}

function scoreEnvelope(name: string): Envelope {
  const found = allEvents().filter((e) => e.type === 'score-create' && e.body.name === name);
  if (found.length !== 1) throw new Error(`${found.length} scores named ${name}`);
  return found[0] as Envelope;
}

/** HrTime order without float products (seconds x 1e9 is past 2^53). */
const cmp = (a: readonly [number, number], b: readonly [number, number]): number => a[0] - b[0] || a[1] - b[1];

const hr = (iso: unknown): [number, number] => {
  const t = typeof iso === 'string' ? isoToHrTime(iso) : undefined;
  if (!t) throw new Error(`not an ISO time: ${String(iso)}`);
  return [t[0], t[1]];
};

describe('what the real langfuse 3.39.2 client sends', () => {
  test('one POST /api/public/ingestion for the flush, Basic auth with our keys, the x-langfuse-* headers', () => {
    expect(clientProblems).toEqual([]);
    expect(sent).toHaveLength(1);
    const request = sent[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/public/ingestion');
    const headers = request?.headers ?? {};
    expect(headers['content-type']).toBe('application/json');
    expect(headers['content-encoding']).toBeUndefined();
    const auth = String(headers.authorization);
    expect(auth.startsWith('Basic ')).toBe(true);
    expect(Buffer.from(auth.slice('Basic '.length), 'base64').toString('utf8')).toBe('pk-lf-e2e-1234:sk-lf-e2e-5678');
    expect(headers).toMatchObject({
      'x-langfuse-sdk-name': 'langfuse-js',
      'x-langfuse-sdk-version': '3.39.2',
      'x-langfuse-sdk-variant': 'langfuse',
      'x-langfuse-sdk-integration': 'DEFAULT',
      'x-langfuse-public-key': 'pk-lf-e2e-1234',
    });
  });

  test('the body: the batch and the metadata the client fills in', () => {
    const [body] = ingestionBodies();
    expect(body?.metadata).toEqual({
      batch_size: 12,
      sdk_integration: 'DEFAULT',
      sdk_version: '3.39.2',
      sdk_variant: 'langfuse',
      public_key: 'pk-lf-e2e-1234',
      sdk_name: 'langfuse-js',
    });
    // The queue order follows the client's async media scan, not the call order: compare sorted.
    expect(allEvents().map((e) => e.type).sort()).toEqual([
      'event-create',
      'generation-create',
      'generation-create',
      'generation-update',
      'generation-update',
      'generation-update',
      'score-create',
      'score-create',
      'span-create',
      'span-update',
      'trace-create',
      'trace-create',
    ]);
    for (const e of allEvents()) {
      expect(e.id).toMatch(UUID);
      expect(hr(e.timestamp)).toBeDefined();
    }
    expect(new Set(allEvents().map((e) => e.id)).size).toBe(12);
  });

  test('bodies: client-generated UUID observation ids, the explicit trace id, environment and release', () => {
    for (const id of Object.values(ids)) expect(id).toMatch(UUID);
    const traceCreates = allEvents().filter((e) => e.type === 'trace-create');
    for (const e of traceCreates) expect(e.body).toMatchObject({ id: TRACE_ID, environment: 'e2e-test', release: 'v1.4.2' });
    expect(eventOf('generation-create', ids.generation).body).toMatchObject({
      traceId: TRACE_ID,
      parentObservationId: ids.span,
      startTime: '2025-03-01T10:00:00.200Z',
      completionStartTime: '2025-03-01T10:00:00.450Z',
      environment: 'e2e-test',
    });
    // Top-level observations carry an explicit null parent.
    expect(eventOf('span-create', ids.span).body.parentObservationId).toBeNull();
    expect(scoreEnvelope('user-feedback').body).toMatchObject({ traceId: TRACE_ID, observationId: null });
    expect(scoreEnvelope('groundedness').body).toMatchObject({ traceId: TRACE_ID, observationId: ids.generation });
  });

  test('the capture server answered 207 with every envelope id (so the client did not retry)', async () => {
    const events = allEvents();
    const res = await fetch(`${capture().url}/api/public/ingestion`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ batch: events, metadata: null })),
    });
    expect(res.status).toBe(207);
    expect(await res.json()).toEqual({ successes: events.map((e) => ({ id: e.id, status: 201 })), errors: [] });
    const replay = capture().requests.at(-1);
    expect(replay?.body).toEqual({ batch: events, metadata: null });
    const other = await fetch(`${capture().url}/api/public/v2/prompts/x`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({
      message: 'no route for GET /api/public/v2/prompts/x: this capture server only knows POST /api/public/ingestion',
    });
  });
});

describe('ingestionToSpans on what the client sent', () => {
  test('no issues; one span per observation (create + updates merged) and one synthetic root', () => {
    const { value: spans, issues } = map();
    expect(issues).toEqual([]);
    const observationIds = new Set(
      allEvents()
        .filter((e) => e.type !== 'trace-create' && e.type !== 'score-create')
        .map((e) => e.body.id),
    );
    expect(observationIds.size).toBe(4);
    expect(spans).toHaveLength(observationIds.size + 1);
    expect(spans.map((s) => s.name).sort()).toEqual(['answer', 'cache-miss', 'handle-request', 'moderation', 'support-chat']);
    expect(spans.map((s) => s.attributes['langfuse.observation.id']).filter((id) => id !== undefined).sort()).toEqual(
      [...observationIds].sort(),
    );
  });

  test('ids: the dashed trace UUID loses its dashes; UUID observation ids are hashed, the originals kept', () => {
    const spans = map().value;
    expect(toOtelTraceId(TRACE_ID)).toBe(TRACE_HEX);
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe('3f2a9c4e7b1d4e8a9c6f0d5e8b2a1c7f');
      expect(span.attributes['langfuse.trace.id']).toBe(TRACE_ID);
    }
    const root = rootOf(spans);
    expect(root.spanContext().spanId).toBe(syntheticRootSpanId(TRACE_ID));
    expect(root.parentSpanContext).toBeUndefined();
    for (const [name, id] of [
      ['handle-request', ids.span],
      ['answer', ids.generation],
      ['cache-miss', ids.event],
      ['moderation', ids.failed],
    ] as const) {
      const span = spanNamed(spans, name);
      expect(span.spanContext().spanId).toBe(toOtelSpanId(id));
      expect(span.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(span.attributes['langfuse.observation.id']).toBe(id);
    }
    expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(5);
  });

  test('parent links: span under the root, generation and event under the span, top-level generation under the root', () => {
    const spans = map().value;
    const rootId = rootOf(spans).spanContext().spanId;
    const spanId = spanNamed(spans, 'handle-request').spanContext().spanId;
    expect(spanNamed(spans, 'handle-request').parentSpanContext?.spanId).toBe(rootId);
    expect(spanNamed(spans, 'answer').parentSpanContext?.spanId).toBe(spanId);
    expect(spanNamed(spans, 'cache-miss').parentSpanContext?.spanId).toBe(spanId);
    expect(spanNamed(spans, 'moderation').parentSpanContext?.spanId).toBe(rootId);
    // The parent's UUID was hashed into a span id: the original is kept next to the link.
    expect(spanNamed(spans, 'answer').attributes['langfuse.bridge.parent_observation_id']).toBe(ids.span);
    expect(spanNamed(spans, 'cache-miss').attributes['langfuse.bridge.parent_observation_id']).toBe(ids.span);
    expect(spanNamed(spans, 'handle-request').attributes['langfuse.bridge.parent_observation_id']).toBeUndefined();
    for (const span of spans) expect(span.parentSpanContext?.traceId ?? TRACE_HEX).toBe(TRACE_HEX);
  });

  test('the synthetic root carries the merged trace: name, user, session, tags, metadata, input and output', () => {
    const spans = map().value;
    const root = rootOf(spans);
    expect(root.name).toBe('support-chat');
    expect(root.kind).toBe(0); // INTERNAL
    expect(root.status).toEqual({ code: 0 });
    const { 'langfuse.bridge.trace_timestamp': traceTimestamp, ...attributes } = root.attributes;
    // trace.update() re-sends a trace-create stamped `timestamp: new Date()`. Langfuse keeps the
    // first write of this immutable field. The two trace-creates usually share their envelope
    // millisecond, and merge.ts then takes the earlier body time (the explicit one); but the client
    // stamps envelopes after an async media scan, so now and then the update's envelope is 1 ms
    // earlier and, as in Langfuse, its timestamp wins.
    const updateTimestamp = allEvents().find((e) => e.type === 'trace-create' && e.body.output !== undefined)?.body.timestamp;
    expect(['2025-03-01T10:00:00.000Z', updateTimestamp]).toContain(traceTimestamp);
    expect(attributes).toEqual({
      'langfuse.trace.id': '3f2a9c4e-7b1d-4e8a-9c6f-0d5e8b2a1c7f',
      'langfuse.trace.name': 'support-chat',
      'user.id': 'user-42',
      'session.id': 'session-7',
      // Tags are a sorted union, as Langfuse stores them.
      'langfuse.trace.tags': ['beta', 'support'],
      'langfuse.release': 'v1.4.2',
      'langfuse.trace.metadata.tenant': 'acme',
      'langfuse.trace.metadata.plan': '{"tier":"pro"}',
      'langfuse.bridge.synthetic_root': 'trace',
      // Input from the trace-create, output from the trace-create that trace.update() sent.
      'langfuse.trace.input': '{"question":"Where is my order?"}',
      'langfuse.trace.output': '{"answer":"Your order ships tomorrow."}',
      'langfuse.environment': 'e2e-test',
    });
    // From the trace timestamp (= the first span's start) to the latest of: the span's wall-clock
    // end (the last end), the trace score's envelope time (the root's own event), the trace timestamp.
    expect(root.startTime).toEqual([1740823200, 0]);
    const latest = [eventOf('span-update', ids.span).body.endTime, scoreEnvelope('user-feedback').timestamp, traceTimestamp]
      .map(hr)
      .reduce((a, b) => (cmp(a, b) >= 0 ? a : b));
    expect(root.endTime).toEqual(latest);
    for (const span of spans) {
      expect(cmp(span.startTime, root.startTime)).toBeGreaterThanOrEqual(0);
      expect(cmp(span.endTime, root.endTime)).toBeLessThanOrEqual(0);
    }
  });

  test('every span repeats the trace-level keys', () => {
    for (const span of map().value) {
      expect(span.attributes).toMatchObject({
        'langfuse.trace.name': 'support-chat',
        'user.id': 'user-42',
        'session.id': 'session-7',
        'langfuse.trace.tags': ['beta', 'support'],
        'langfuse.trace.metadata.tenant': 'acme',
      });
    }
  });

  test('the span: input, output, metadata, explicit start and end() time', () => {
    const span = spanNamed(map().value, 'handle-request');
    expect(span.kind).toBe(0); // INTERNAL
    expect(span.status).toEqual({ code: 0 });
    expect(span.startTime).toEqual([1740823200, 0]);
    expect(span.endTime).toEqual(hr(eventOf('span-update', ids.span).body.endTime));
    expect(span.attributes).toMatchObject({
      'langfuse.observation.type': 'span',
      'langfuse.observation.input': '{"question":"Where is my order?"}',
      'langfuse.observation.output': '{"answer":"Your order ships tomorrow."}',
      'langfuse.observation.metadata.route': '/chat',
      'langfuse.environment': 'e2e-test',
    });
    expect(span.attributes['gen_ai.operation.name']).toBeUndefined();
    expect(span.attributes['langfuse.bridge.incomplete']).toBeUndefined();
    expect(span.events).toEqual([]);
  });

  test('the generation: model, parameters, messages, usage, cost, completion start, in both dialects', () => {
    const generation = spanNamed(map().value, 'answer');
    expect(generation.kind).toBe(2); // CLIENT
    expect(generation.status).toEqual({ code: 0 });
    expect(generation.startTime).toEqual([1740823200, 200_000_000]);
    expect(generation.endTime).toEqual(hr(eventOf('generation-update', ids.generation).body.endTime));
    expect(generation.attributes).toMatchObject({
      'langfuse.observation.type': 'generation',
      'langfuse.observation.model.name': 'gpt-4o-mini',
      'langfuse.observation.model.parameters': '{"temperature":0.3,"max_tokens":256}',
      'langfuse.observation.input':
        '[{"role":"system","content":"You are a support agent."},{"role":"user","content":"Where is my order?"}]',
      'langfuse.observation.output': '{"role":"assistant","content":"Your order ships tomorrow."}',
      'langfuse.observation.usage_details': '{"input":120,"input_cached_tokens":20,"output":30,"total":170}',
      'langfuse.observation.cost_details': '{"input":0.00006,"output":0.00012,"total":0.00018}',
      'langfuse.observation.completion_start_time': '2025-03-01T10:00:00.450Z',
      'langfuse.environment': 'e2e-test',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.max_tokens': 256,
      // Semconv counts are inclusive: 120 uncached + 20 cached input tokens.
      'gen_ai.usage.input_tokens': 140,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.usage.cache_read.input_tokens': 20,
      'gen_ai.usage.cost': 0.00018,
      'gen_ai.system_instructions': '[{"type":"text","content":"You are a support agent."}]',
      'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"Where is my order?"}]}]',
      'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"Your order ships tomorrow."}]}]',
      'gen_ai.response.time_to_first_chunk': 0.25,
      'gen_ai.conversation.id': 'session-7',
    });
    // No provider field in a Langfuse batch: none is guessed.
    expect(generation.attributes['gen_ai.provider.name']).toBeUndefined();
    expect(generation.attributes['langfuse.observation.level']).toBeUndefined();
  });

  test('the generation updated to level ERROR: status code 2 with the message', () => {
    const failed = spanNamed(map().value, 'moderation');
    expect(failed.status).toEqual({ code: 2, message: 'upstream 503: model overloaded' });
    expect(failed.kind).toBe(2); // CLIENT
    expect(failed.startTime).toEqual([1740823201, 0]);
    expect(failed.attributes).toMatchObject({
      'langfuse.observation.type': 'generation',
      'langfuse.observation.level': 'ERROR',
      'langfuse.observation.status_message': 'upstream 503: model overloaded',
      'langfuse.observation.model.name': 'omni-moderation-latest',
      'langfuse.observation.input': 'Where is my order?',
      'error.type': '_OTHER',
    });
  });

  test('the event: a zero-length span under its parent span', () => {
    const event = spanNamed(map().value, 'cache-miss');
    expect(event.kind).toBe(0); // INTERNAL
    expect(event.startTime).toEqual([1740823200, 100_000_000]);
    expect(event.endTime).toEqual([1740823200, 100_000_000]);
    expect(event.attributes).toMatchObject({
      'langfuse.observation.type': 'event',
      'langfuse.observation.input': '{"key":"order:123"}',
    });
    expect(event.attributes['langfuse.bridge.incomplete']).toBeUndefined();
  });

  test('scores: langfuse.score events on the root (trace score) and on the generation (observation score)', () => {
    const spans = map().value;
    const traceScore = scoreEnvelope('user-feedback');
    const observationScore = scoreEnvelope('groundedness');
    expect(rootOf(spans).events).toEqual([
      {
        name: 'langfuse.score',
        // The client sends no score timestamp: the envelope's is used.
        time: hr(traceScore.timestamp),
        attributes: {
          'langfuse.score.id': traceScore.body.id,
          'langfuse.score.name': 'user-feedback',
          'langfuse.score.value': 1,
          'langfuse.score.data_type': 'NUMERIC',
          'langfuse.score.comment': 'resolved my issue',
          'langfuse.score.environment': 'e2e-test',
          'langfuse.score.trace_id': TRACE_ID,
        },
      },
    ]);
    expect(spanNamed(spans, 'answer').events).toEqual([
      {
        name: 'langfuse.score',
        time: hr(observationScore.timestamp),
        attributes: {
          'langfuse.score.id': observationScore.body.id,
          'langfuse.score.name': 'groundedness',
          'langfuse.score.value': 'grounded',
          'langfuse.score.data_type': 'CATEGORICAL',
          'langfuse.score.environment': 'e2e-test',
          'langfuse.score.trace_id': TRACE_ID,
          'langfuse.score.observation_id': ids.generation,
        },
      },
    ]);
    for (const name of ['handle-request', 'cache-miss', 'moderation']) expect(spanNamed(spans, name).events).toEqual([]);
  });

  test('resource from the batch metadata, scope of the bridge', () => {
    for (const span of map().value) {
      expect(span.resource.attributes).toEqual({
        // The client's default sdk_integration.
        'service.name': 'DEFAULT',
        'langfuse.sdk.name': 'langfuse-js',
        'langfuse.sdk.version': '3.39.2',
        'langfuse.public_key': 'pk-lf-e2e-1234',
      });
      expect(span.instrumentationScope).toEqual({ name: 'otel-langfuse-bridge', version: VERSION });
    }
  });

  test('the same spans whatever the order of the events', () => {
    const events = allEvents();
    const forward = ingestionToSpans(events, { batchMetadata: ingestionBodies()[0]?.metadata });
    const backward = ingestionToSpans([...events].reverse(), { batchMetadata: ingestionBodies()[0]?.metadata });
    const key = (spans: readonly ReadableSpan[]) =>
      spans
        .map((s) => ({ id: s.spanContext().spanId, start: s.startTime, end: s.endTime, attributes: s.attributes, events: s.events }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(key(backward.value)).toEqual(key(forward.value));
  });
});
