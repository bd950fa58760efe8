/**
 * The receiver: the real `langfuse` v3 client posting to it, Langfuse's HTTP contract (auth,
 * methods, paths, content types, size caps, gzip, per-event 207), forwarding through the span
 * exporter (in memory, and the stock OTLP protobuf exporter to a loopback OTLP server read by an
 * independent decoder), the quiet-period flush, backpressure (503) and draining on close().
 */
import { gzipSync } from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Langfuse } from 'langfuse';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigurationError } from '../../src/config/errors.js';
import { otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import { ingestionToSpans } from '../../src/mapping/to-otel/index.js';
import { createReceiver } from '../../src/receiver/index.js';
import type { Receiver, ReceiverOptions } from '../../src/receiver/index.js';
import { startOtlpServer } from '../helpers/loopback.js';
import { decodeTraceRequest } from '../helpers/otlp-proto.js';
import { recordedRequests, sortedSpanViews } from '../helpers/spans.js';

const KEYS = { publicKey: 'pk-lf-recv', secretKey: 'sk-lf-recv-secret' };
const AUTH = `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`;
const open: Receiver[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function start(options: Partial<ReceiverOptions> = {}): Promise<{ receiver: Receiver; memory: InMemorySpanExporter }> {
  const memory = new InMemorySpanExporter();
  const receiver = await createReceiver({ exporter: memory, keys: [KEYS], quietMillis: 60_000, ...options });
  open.push(receiver);
  return { receiver, memory };
}

function post(receiver: Receiver, body: unknown, headers: Record<string, string> = {}, path = '/api/public/ingestion'): Promise<Response> {
  return fetch(`${receiver.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTH, ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe('the real langfuse v3 client', () => {
  test('a trace with a span, a generation, an event, an error and scores arrives as the spans the mapping makes', async () => {
    const { receiver, memory } = await start();
    const problems: unknown[] = [];
    const langfuse = new Langfuse({ ...KEYS, baseUrl: receiver.url, flushAt: 1000, flushInterval: 0, fetchRetryCount: 0 });
    langfuse.on('error', (e: unknown) => problems.push(e));
    const t0 = Date.parse('2025-03-01T10:00:00.000Z');
    const trace = langfuse.trace({ name: 'support-chat', userId: 'user-42', sessionId: 'session-7', input: { q: 'Where is my order?' }, timestamp: new Date(t0) });
    const span = trace.span({ name: 'handle-request', startTime: new Date(t0) });
    span.event({ name: 'cache-miss', startTime: new Date(t0 + 100) });
    const generation = span.generation({ name: 'answer', startTime: new Date(t0 + 200), model: 'gpt-4o-mini', input: [{ role: 'user', content: 'Where?' }] });
    generation.end({ output: 'Tomorrow.', usageDetails: { input: 120, output: 30 } });
    const failed = trace.generation({ name: 'moderation', startTime: new Date(t0 + 1000), model: 'omni-moderation-latest' });
    failed.update({ level: 'ERROR', statusMessage: 'upstream 503' });
    failed.end();
    trace.score({ name: 'user-feedback', value: 1 });
    span.end();
    await langfuse.flushAsync();
    await langfuse.shutdownAsync();
    expect(problems).toEqual([]);
    const stats = receiver.stats();
    expect(stats.rejected).toBe(0);
    expect(stats.accepted).toBeGreaterThanOrEqual(9);

    // flush(), not close(): the in-memory exporter forgets its spans on shutdown.
    await receiver.flush();
    const spans = memory.getFinishedSpans();
    const byName = (name: string): ReadableSpan => {
      const found = spans.find((s) => s.name === name);
      if (!found) throw new Error(`no span ${name}`);
      return found;
    };
    expect(spans.map((s) => s.name).sort()).toEqual(['answer', 'cache-miss', 'handle-request', 'moderation', 'support-chat']);
    const root = byName('support-chat');
    expect(root.attributes).toMatchObject({ 'langfuse.bridge.synthetic_root': 'trace', 'user.id': 'user-42', 'session.id': 'session-7', 'langfuse.trace.input': '{"q":"Where is my order?"}' });
    expect(root.events.map((e) => [e.name, e.attributes?.['langfuse.score.name']])).toEqual([['langfuse.score', 'user-feedback']]);
    expect(byName('handle-request').parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(byName('answer').parentSpanContext?.spanId).toBe(byName('handle-request').spanContext().spanId);
    expect(byName('answer').attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 30 });
    expect(byName('moderation').status).toEqual({ code: 2, message: 'upstream 503' });
    expect(receiver.stats()).toMatchObject({ forwardedSpans: 5, failedSpans: 0, heldSpans: 0 });
  });
});

describe("Langfuse's HTTP contract", () => {
  const batch = recordedRequests('litellm-batch.json')[0] as { batch: unknown[]; metadata: unknown };

  test('207 with a success per good event and a 400 per bad one; the good ones are forwarded', async () => {
    const { receiver, memory } = await start();
    const bad = { id: 'bad-1', type: 'span-create', timestamp: 'yesterday', body: { id: 's', traceId: 't' } };
    const res = await post(receiver, { batch: [...batch.batch, bad], metadata: batch.metadata });
    expect(res.status).toBe(207);
    const body = (await res.json()) as { successes: Array<{ id: string; status: number }>; errors: Array<{ id: string; status: number; message: string }> };
    expect(body.successes.map((s) => s.status)).toEqual([201, 201]);
    expect(body.errors).toMatchObject([{ id: 'bad-1', status: 400, message: 'Invalid request data' }]);
    await receiver.flush();
    // The public key on the spans is the one that passed auth, not the body's.
    const asAuthenticated = { ...(batch.metadata as object), public_key: KEYS.publicKey };
    expect(sortedSpanViews(memory.getFinishedSpans())).toEqual(sortedSpanViews(ingestionToSpans(batch.batch, { batchMetadata: asAuthenticated }).value));
  });

  test.each([
    ['no credentials', {}, 401],
    ['a wrong secret', { authorization: `Basic ${Buffer.from(`${KEYS.publicKey}:nope`).toString('base64')}` }, 401],
    ['an unknown public key', { authorization: `Basic ${Buffer.from(`pk-other:${KEYS.secretKey}`).toString('base64')}` }, 401],
    ['text/plain', { 'content-type': 'text/plain' }, 415],
    ['a brotli body', { 'content-encoding': 'br' }, 415],
  ])('%s: %s', async (_name, headers, status) => {
    const { receiver, memory } = await start();
    const h: Record<string, string> = { ...headers };
    const res = await fetch(`${receiver.url}/api/public/ingestion`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(('authorization' in h) || status !== 401 ? { authorization: AUTH } : {}), ...h },
      body: JSON.stringify(batch),
    });
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(text).not.toContain(KEYS.secretKey);
    await receiver.flush();
    expect(memory.getFinishedSpans()).toEqual([]);
  });

  test('methods, paths, bad JSON, oversized bodies (declared and streamed), gzip', async () => {
    const { receiver, memory } = await start({ maxBodyBytes: 4096 });
    expect((await fetch(`${receiver.url}/api/public/ingestion`, { headers: { authorization: AUTH } })).status).toBe(405);
    const prompts = await fetch(`${receiver.url}/api/public/v2/prompts/x`, { headers: { authorization: AUTH } });
    expect(prompts.status).toBe(404);
    expect(((await prompts.json()) as { message: string }).message).toMatch(/prompts, datasets and the other Langfuse APIs stay with Langfuse/);
    expect((await post(receiver, '{not json')).status).toBe(400);
    expect((await post(receiver, { events: [] })).status).toBe(400);
    expect((await post(receiver, { batch: [{ id: 'x', type: 'span-create', timestamp: '2025-01-01T00:00:00Z', body: { input: 'y'.repeat(5000) } }] })).status).toBe(413);
    const gz = await post(receiver, gzipSync(JSON.stringify(batch)), { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(207);
    await receiver.flush();
    expect(memory.getFinishedSpans()).toHaveLength(2);
  });

  test('an open receiver needs loopback; bad numbers are configuration errors', async () => {
    await expect(createReceiver({ exporter: new InMemorySpanExporter(), host: '0.0.0.0' })).rejects.toThrow(ConfigurationError);
    await expect(createReceiver({ exporter: new InMemorySpanExporter(), quietMillis: 0 })).rejects.toThrow(ConfigurationError);
    const { receiver } = await start({ keys: [] });
    expect((await post(receiver, batch, { authorization: '' })).status).toBe(207);
  });
});

describe('forwarding', () => {
  test("each client's spans carry its own resource: request metadata first, else the SDK headers", async () => {
    const { receiver, memory } = await start();
    const litellm = recordedRequests('litellm-batch.json')[0] as { batch: unknown[]; metadata: unknown };
    const v3 = recordedRequests('batches-langfuse-v3.json')[0] as { batch: unknown[]; metadata: unknown };
    expect((await post(receiver, litellm)).status).toBe(207);
    expect((await post(receiver, v3)).status).toBe(207);
    const bare = { batch: [{ id: 'e-bare', type: 'trace-create', timestamp: '2025-03-01T10:00:00.000Z', body: { id: 'bare-trace', name: 'bare', timestamp: '2025-03-01T10:00:00.000Z' } }] };
    const headers = { 'x-langfuse-sdk-name': 'python', 'x-langfuse-sdk-version': '2.60.0', 'x-langfuse-sdk-integration': 'my-app', 'x-langfuse-public-key': KEYS.publicKey };
    expect((await post(receiver, bare, headers)).status).toBe(207);
    await receiver.flush();
    const resources = new Map(memory.getFinishedSpans().map((sp) => [sp.attributes['langfuse.trace.id'], sp.resource.attributes]));
    // The body claims pk-lf-e02aaea3-...; the spans carry the key that passed auth.
    expect(resources.get('litellm-test-dbadfdfc-f4e7-4f05-8992-984c37359166')).toEqual({
      'service.name': 'litellm', 'langfuse.sdk.name': 'python', 'langfuse.sdk.version': '2.44.1', 'langfuse.public_key': KEYS.publicKey,
    });
    expect(resources.get('bare-trace')).toEqual({ 'service.name': 'my-app', 'langfuse.sdk.name': 'python', 'langfuse.sdk.version': '2.60.0', 'langfuse.public_key': KEYS.publicKey });
    const v3Trace = (v3.batch as Array<{ type: string; body: { id: string } }>).find((e) => e.type === 'trace-create')?.body.id;
    expect(resources.get(v3Trace)).toMatchObject({ 'langfuse.sdk.name': 'langfuse-js', 'langfuse.sdk.version': '3.39.2' });
  });

  test("one client's quiet period is its own: another client posting all the time does not hold it back", async () => {
    const { receiver, memory } = await start({ quietMillis: 100 });
    const a = recordedRequests('litellm-batch.json')[0] as { batch: unknown[]; metadata: unknown };
    expect((await post(receiver, a)).status).toBe(207);
    let busy = true;
    const other = (async () => {
      for (let i = 0; busy; i++) {
        const event = { id: `b-${i}`, type: 'trace-create', timestamp: '2025-03-01T10:00:00.000Z', body: { id: `b-trace-${i}`, timestamp: '2025-03-01T10:00:00.000Z' } };
        await post(receiver, { batch: [event], metadata: { sdk_integration: 'busy-client' } });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await until(() => memory.getFinishedSpans().some((sp) => sp.attributes['langfuse.trace.id'] === 'litellm-test-dbadfdfc-f4e7-4f05-8992-984c37359166'));
    } finally {
      busy = false;
      await other;
    }
  });

  test('close() with a keep-alive client that keeps posting: it resolves, and everything accepted is forwarded', async () => {
    const exported: ReadableSpan[] = [];
    const collecting: SpanExporter = {
      export(spans, done: (r: ExportResult) => void) {
        exported.push(...spans);
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const receiver = await createReceiver({ exporter: collecting, keys: [KEYS], quietMillis: 60_000 });
    const accepted = new Set<string>();
    let closed = false;
    let attempts = 0;
    // Keeps posting (on its keep-alive connection while it lasts) until close() has resolved.
    const client = (async () => {
      for (; !closed && attempts < 3000; attempts++) {
        const event = { id: `k-${attempts}`, type: 'trace-create', timestamp: '2025-03-01T10:00:00.000Z', body: { id: `k-trace-${attempts}`, timestamp: '2025-03-01T10:00:00.000Z' } };
        try {
          const res = await post(receiver, { batch: [event] });
          if (res.status === 207) accepted.add(`k-trace-${attempts}`);
          await res.arrayBuffer();
        } catch {
          await new Promise((r) => setTimeout(r, 1)); // refused once the receiver stopped listening
        }
      }
    })();
    await until(() => accepted.size >= 3);
    await receiver.close();
    closed = true;
    await client;
    // close() finished while the client was still at it, and nothing it was told 201 is missing.
    expect(attempts).toBeLessThan(3000);
    expect(new Set(exported.map((sp) => sp.attributes['langfuse.trace.id']))).toEqual(accepted);
  });

  test('after the quiet period everything held is forwarded without close()', async () => {
    const { receiver, memory } = await start({ quietMillis: 20 });
    expect((await post(receiver, recordedRequests('litellm-batch.json')[0])).status).toBe(207);
    await until(() => memory.getFinishedSpans().length === 2);
  });

  test('to an OTLP endpoint with the stock protobuf exporter; an independent decoder reads what arrived', async () => {
    const otlp = await startOtlpServer();
    try {
      const receiver = await createReceiver({ exporter: new OTLPTraceExporter({ url: otlp.url }), keys: [KEYS], quietMillis: 60_000 });
      const requests = recordedRequests('batches-langfuse-v3.json') as Array<{ batch: unknown[]; metadata: unknown }>;
      for (const r of requests) expect((await post(receiver, r)).status).toBe(207);
      await receiver.close();
      const received = otlp.requests.flatMap((q) => otlpJsonToSpans(decodeTraceRequest(q.body)).value);
      const metadata = { ...(requests[0]?.metadata as object), public_key: KEYS.publicKey };
      const expected = ingestionToSpans(requests.flatMap((r) => r.batch), { batchMetadata: metadata });
      expect(sortedSpanViews(received)).toEqual(sortedSpanViews(expected.value));
    } finally {
      await otlp.close();
    }
  });

  test('a backend that does not keep up: 503 with Retry-After above maxHeldSpans, nothing accepted is lost, close() drains', async () => {
    const pending: Array<() => void> = [];
    const exported: ReadableSpan[] = [];
    const slow: SpanExporter = {
      export(spans, done: (r: ExportResult) => void) {
        pending.push(() => {
          exported.push(...spans);
          done({ code: ExportResultCode.SUCCESS });
        });
      },
      shutdown: () => Promise.resolve(),
    };
    const receiver = await createReceiver({ exporter: slow, keys: [KEYS], quietMillis: 60_000, maxHeldSpans: 1 });
    const batch = recordedRequests('litellm-batch.json')[0];
    expect((await post(receiver, batch)).status).toBe(207);
    // Hand the held spans to the exporter, which does not answer yet.
    void receiver.flush();
    // Two spans now wait for the exporter: the next request is turned away, nothing of it taken.
    await until(() => receiver.stats().heldSpans === 2);
    const busy = await post(receiver, batch);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    const closed = receiver.close();
    await until(() => pending.length > 0);
    for (const release of pending.splice(0)) release();
    await closed;
    expect(exported).toHaveLength(2);
    expect(receiver.stats()).toMatchObject({ accepted: 2, forwardedSpans: 2, heldSpans: 0 });
  });
});
