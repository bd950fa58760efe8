/**
 * The receiver in front of Langfuse v4 (issue 13): a loopback fake of Langfuse v4 (OTLP endpoint
 * with the v4 header rule and whole-request refusal for bad ids, an ingestion endpoint that takes
 * only scores, the projects endpoint; spans read by the independent protobuf decoder). The recorded
 * batches and the real `langfuse` v3 client go through; what the fake stores, read back with our
 * forward mapping, is what the original events say: every observation once, parents, types,
 * models, usage, cost, levels, trace fields on every span, scores on the right ids.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { toOtelSpanId, toOtelTraceId } from '../../src/mapping/ids.js';
import { isPlainObject } from '../../src/mapping/json.js';
import { IssueSink } from '../../src/mapping/result.js';
import { hrTimeToIso, isoToHrTime } from '../../src/mapping/time.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { effectiveUsage } from '../../src/mapping/to-otel/attributes.js';
import { mergeEvents } from '../../src/mapping/to-otel/merge.js';
import { otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import { createReceiver } from '../../src/receiver/index.js';
import type { Receiver, ReceiverOptions } from '../../src/receiver/index.js';
import { OTLP_TRACES_PATH } from '../helpers/fake-langfuse-otlp.js';
import { INGESTION_PATH, PROJECTS_PATH, startFakeLangfuse } from '../helpers/fake-langfuse.js';
import type { FakeLangfuse, FakeScript } from '../helpers/fake-langfuse.js';
import { sendSupportChat } from '../helpers/langfuse-client.js';
import { recordedRequests } from '../helpers/spans.js';

type Json = Record<string, unknown>;
const PAIR_A = { publicKey: 'pk-lf-a', secretKey: 'sk-lf-a-secret' };
const PAIR_B = { publicKey: 'pk-lf-b', secretKey: 'sk-lf-b-secret' };
const basic = (p: { publicKey: string; secretKey: string }): string => `Basic ${Buffer.from(`${p.publicKey}:${p.secretKey}`).toString('base64')}`;
const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  // Receivers first (they forward what they hold), then the fakes they forward to.
  for (const x of open.splice(0).reverse()) await x.close();
});

async function setUp(script?: FakeScript, options: Partial<ReceiverOptions> = {}): Promise<{ fake: FakeLangfuse; receiver: Receiver }> {
  const fake = await startFakeLangfuse(script, { ingestion: 'scores-only', keyPairs: [PAIR_A, PAIR_B] });
  const receiver = await createReceiver({
    langfuse: { baseUrl: fake.url },
    spoolDir: mkdtempSync(join(tmpdir(), 'olb-v4-')),
    quietMillis: 60_000,
    statusIntervalMillis: 0,
    ...options,
  });
  open.push(fake, receiver);
  return { fake, receiver };
}

function post(receiver: Receiver, body: unknown, pair = PAIR_A): Promise<Response> {
  return fetch(`${receiver.url}/api/public/ingestion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic(pair) },
    body: JSON.stringify(body),
  });
}

/** What the fake stored, read back as ingestion entities by our forward mapping. */
function storedEntities(fake: FakeLangfuse) {
  const spans = fake.otlpSpans().flatMap((stored) =>
    otlpJsonToSpans({ resourceSpans: [{ resource: stored.resource, scopeSpans: [{ scope: stored.scope, spans: [stored.span] }] }] }).value,
  );
  return { spans, merged: mergeEvents(spansToIngestion(spans).value, new IssueSink()) };
}

const time = (v: unknown): unknown => (typeof v === 'string' && isoToHrTime(v) ? hrTimeToIso(isoToHrTime(v) as [number, number]) : v);
const text = (v: unknown): unknown => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

/** The fields of an observation Langfuse shows, normalised as Langfuse stores them. */
function observationView(type: string, body: Json, parent: (id: unknown) => unknown): Json {
  const b = effectiveUsage(body) as Json;
  const out: Json = { type, name: b.name, startTime: time(b.startTime), endTime: time(b.endTime ?? (type === 'EVENT' ? b.startTime : undefined)) };
  for (const key of ['model', 'level', 'statusMessage']) if (b[key] !== undefined && b[key] !== null && b[key] !== 'DEFAULT') out[key] = b[key];
  for (const key of ['usageDetails', 'costDetails']) if (isPlainObject(b[key]) && Object.keys(b[key] as Json).length > 0) out[key] = b[key];
  if (isPlainObject(out.costDetails) && (out.costDetails as Json).total === undefined) {
    out.costDetails = { ...(out.costDetails as Json), total: Object.values(out.costDetails as Json).reduce((s: number, x) => s + Number(x), 0) };
  }
  for (const key of ['input', 'output']) if (text(b[key]) !== undefined) out[key] = text(b[key]);
  out.parent = parent(b.parentObservationId);
  return out;
}

function compare(events: readonly unknown[], fake: FakeLangfuse): void {
  const original = mergeEvents(events, new IssueSink());
  const { spans, merged } = storedEntities(fake);
  // Every observation exactly once: as many spans as observations (no synthetic root, no duplicate).
  expect(spans).toHaveLength(original.observations.size);
  expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(spans.length);
  const expected = [...original.observations.values()].map((o) => [o.id, observationView(o.type, o.body, (p) => p)]);
  const actual = [...merged.observations.values()].map((o) => [o.id, observationView(o.type, o.body, (p) => p)]);
  expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  // The trace's fields on every span, its input and output on the top-level ones.
  for (const span of spans) {
    const traceId = String(span.attributes['langfuse.trace.id']);
    const trace = original.traces.get(traceId)?.body ?? {};
    expect(span.spanContext().traceId).toBe(toOtelTraceId(traceId));
    for (const [key, field] of [['langfuse.trace.name', 'name'], ['user.id', 'userId'], ['session.id', 'sessionId'], ['langfuse.release', 'release']] as const) {
      expect(span.attributes[key], `${span.name}: ${key}`).toEqual(trace[field] ?? undefined);
    }
    const topLevel = span.parentSpanContext === undefined;
    expect(span.attributes['langfuse.trace.input']).toEqual(topLevel ? text(trace.input) : undefined);
  }
}

const observationEvents = (events: readonly Json[]): Json[] => events.filter((e) => e.type !== 'score-create' && e.type !== 'sdk-log');

describe('the recorded batches through the receiver to Langfuse v4', () => {
  test.each(['litellm-batch.json', 'batches-langfuse-v3.json', 'batches-langfuse-vercel.json'])('%s', async (file) => {
    const { fake, receiver } = await setUp();
    const requests = recordedRequests(file) as Array<{ batch: Json[] }>;
    for (const r of requests) expect((await post(receiver, r)).status).toBe(207);
    await receiver.flush();
    const events = requests.flatMap((r) => r.batch);
    compare(events, fake);
    // Only scores go to the ingestion endpoint, pointed at the hex ids the spans carry.
    const ingested = fake.requests.filter((q) => q.path === INGESTION_PATH).flatMap((q) => q.batch as Json[]);
    const scores = events.filter((e) => e.type === 'score-create');
    expect(ingested.map((e) => e.type)).toEqual(scores.map(() => 'score-create'));
    for (const [i, score] of scores.entries()) {
      const body = score.body as Json;
      const sent = ingested[i]?.body as Json;
      expect(sent.traceId).toBe(toOtelTraceId(String(body.traceId)));
      if (typeof body.observationId === 'string') expect(sent.observationId).toBe(toOtelSpanId(String(body.observationId)));
    }
    // Every OTLP request with the client's pair, the v4 header, no SDK name.
    const otlp = fake.requests.filter((q) => q.path === OTLP_TRACES_PATH);
    expect(otlp.length).toBeGreaterThan(0);
    for (const q of otlp) {
      expect(q.headers.authorization).toBe(basic(PAIR_A));
      expect(q.headers['x-langfuse-ingestion-version']).toBe('4');
      expect(q.headers['x-langfuse-sdk-name']).toBeUndefined();
    }
    expect(receiver.stats()).toMatchObject({ deadLetteredSpans: 0, pendingEvents: 0 });
    expect(observationEvents(events).length).toBeGreaterThan(0);
  });
});

describe('key pairs', () => {
  test('two key pairs kept apart: each project gets its own traces with its own pair', async () => {
    const { fake, receiver } = await setUp();
    const litellm = recordedRequests('litellm-batch.json')[0];
    const v3 = recordedRequests('batches-langfuse-v3.json')[0];
    expect((await post(receiver, litellm, PAIR_A)).status).toBe(207);
    expect((await post(receiver, v3, PAIR_B)).status).toBe(207);
    await receiver.flush();
    // The OTLP request bodies each pair sent (span names are plain text in protobuf).
    const bodiesOf = (pair: typeof PAIR_A): string =>
      fake.requests
        .filter((q) => q.path === OTLP_TRACES_PATH && q.headers.authorization === basic(pair))
        .map((q) => q.raw.toString('latin1'))
        .join('');
    expect(bodiesOf(PAIR_A)).toContain('litellm-acompletion');
    expect(bodiesOf(PAIR_A)).not.toContain('support-chat');
    expect(bodiesOf(PAIR_B)).toContain('support-chat');
    expect(bodiesOf(PAIR_B)).not.toContain('litellm-acompletion');
  });

  test('a pair Langfuse refuses gets 401, checked once and remembered; nothing is taken', async () => {
    const { fake, receiver } = await setUp();
    const bad = { publicKey: 'pk-lf-bad', secretKey: 'sk-lf-nope' };
    const litellm = recordedRequests('litellm-batch.json')[0];
    expect((await post(receiver, litellm, bad)).status).toBe(401);
    expect((await post(receiver, litellm, bad)).status).toBe(401);
    expect(fake.requests.filter((q) => q.path === PROJECTS_PATH)).toHaveLength(1);
    expect((await post(receiver, litellm, PAIR_A)).status).toBe(207);
    expect((await post(receiver, litellm, PAIR_A)).status).toBe(207);
    expect(fake.requests.filter((q) => q.path === PROJECTS_PATH)).toHaveLength(2);
    expect(receiver.stats().accepted).toBe(2);
  });

  test('Langfuse cannot check a pair: 503 with Retry-After, the client keeps its events', async () => {
    const { receiver } = await setUp((_i, req) => (req.path === PROJECTS_PATH ? { status: 502, body: 'bad gateway' } : undefined));
    const res = await post(receiver, recordedRequests('litellm-batch.json')[0]);
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '5']);
    expect(receiver.stats().accepted).toBe(0);
  });
});

describe('when it is late, and when Langfuse refuses', () => {
  test('an observation after its trace was sent goes out once, top-level, with the trace fields', async () => {
    const { fake, receiver } = await setUp();
    const T = '2026-11-24T20:09:40.250Z';
    await post(receiver, {
      batch: [
        { id: 'e1', type: 'trace-create', timestamp: T, body: { id: 'late-trace', name: 'chat', userId: 'u-1', timestamp: T } },
        { id: 'e2', type: 'span-create', timestamp: T, body: { id: 's1', traceId: 'late-trace', name: 'first', startTime: T, endTime: T } },
      ],
    });
    await receiver.flush();
    await post(receiver, { batch: [{ id: 'e3', type: 'generation-create', timestamp: T, body: { id: 'g1', traceId: 'late-trace', name: 'late', startTime: T, endTime: T, model: 'gpt-4o' } }] });
    await receiver.flush();
    const { spans } = storedEntities(fake);
    expect(spans.map((s) => s.name)).toEqual(['first', 'late']);
    const late = spans[1];
    expect(late?.parentSpanContext).toBeUndefined();
    expect(late?.attributes).toMatchObject({ 'langfuse.trace.name': 'chat', 'user.id': 'u-1', 'langfuse.observation.model.name': 'gpt-4o' });
  });

  test('a 401 on forwarding is not retried forever: the traces are dead-lettered and logged', async () => {
    const { receiver } = await setUp((_i, req) => (req.path === OTLP_TRACES_PATH ? { status: 401, body: { message: 'revoked' } } : undefined));
    expect((await post(receiver, recordedRequests('litellm-batch.json')[0])).status).toBe(207);
    await receiver.flush();
    // The trace's two spans (its root and its generation) are kept as the two events they came from.
    expect(receiver.stats()).toMatchObject({ retriedExports: 0, deadLetteredSpans: 2, deadLetteredEvents: 2, pendingEvents: 0 });
  });
});

describe('the real langfuse v3 client through the receiver', () => {
  test('a trace with a span, a generation, an event, an error and a score reaches Langfuse v4 as the client meant it', async () => {
    const { fake, receiver } = await setUp();
    const problems = await sendSupportChat(receiver.url, PAIR_A);
    expect(problems).toEqual([]);
    await receiver.flush();
    const { spans } = storedEntities(fake);
    expect(spans.map((s) => s.name).sort()).toEqual(['answer', 'cache-miss', 'handle-request', 'moderation']);
    for (const s of spans) expect(s.attributes).toMatchObject({ 'langfuse.trace.name': 'support-chat', 'user.id': 'user-42', 'session.id': 'session-7' });
    const answer = spans.find((s) => s.name === 'answer');
    expect(answer?.attributes).toMatchObject({ 'langfuse.observation.type': 'generation', 'langfuse.observation.model.name': 'gpt-4o-mini', 'langfuse.observation.usage_details': '{"input":120,"output":30}' });
    const scores = fake.requests.filter((q) => q.path === INGESTION_PATH).flatMap((q) => q.batch as Json[]);
    expect(scores.map((e) => [e.type, (e.body as Json).name])).toEqual([['score-create', 'user-feedback']]);
    expect((scores[0]?.body as Json).traceId).toBe(answer?.spanContext().traceId);
  });
});
