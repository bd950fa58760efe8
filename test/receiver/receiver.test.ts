/**
 * The wired receiver, on a real spool in a temporary directory: the real `langfuse` v3 client
 * posting to it; forwarding with the stock OTLP exporter to a loopback sink read by an independent
 * decoder; traces held per trace whatever the client (a trickling client, two clients on one
 * trace); retried envelope ids; a trace-create without a timestamp, alone and late; an outage
 * longer than the exporter's own retries; a sink refusing for good (dead letters that `convert`
 * replays); the byte bound; close(). Time is a fake clock wherever the test waits for it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigurationError } from '../../src/config/errors.js';
import { ingestionToSpans } from '../../src/mapping/to-otel/index.js';
import { otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import { createReceiver } from '../../src/receiver/index.js';
import { spanExporterTarget } from '../../src/receiver/index.js';
import type { Receiver, ReceiverOptions, ReceiverTarget } from '../../src/receiver/index.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';
import { sendSupportChat } from '../helpers/langfuse-client.js';
import { startOtlpServer, startScriptedOtlpServer } from '../helpers/loopback.js';
import { decodeTraceRequest } from '../helpers/otlp-proto.js';
import { replicateEvents } from '../helpers/replicate.js';
import { recordedRequests, sortedSpanViews } from '../helpers/spans.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KEYS = { publicKey: 'pk-lf-recv', secretKey: 'sk-lf-recv-secret' };
const AUTH = `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`;
const T = '2026-11-24T20:09:40.250Z';
const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

/** A target that keeps what it is sent (and can be told to fail). */
function memoryTarget(): ReceiverTarget & { spans: ReadableSpan[]; fail: string | undefined; refuse: boolean } {
  const target = {
    description: 'memory',
    spans: [] as ReadableSpan[],
    fail: undefined as string | undefined,
    refuse: false,
    export(batch: { spans: readonly ReadableSpan[] }) {
      if (target.refuse) return Promise.resolve({ kind: 'refused' as const, reason: 'HTTP 400: no', status: 400 });
      if (target.fail !== undefined) return Promise.resolve({ kind: 'retryable' as const, reason: target.fail });
      target.spans.push(...batch.spans);
      return Promise.resolve({ kind: 'ok' as const });
    },
    shutdown: () => Promise.resolve(),
  };
  return target;
}

async function start(options: Partial<ReceiverOptions> = {}): Promise<Receiver & { spoolDir: string }> {
  const spoolDir = options.spoolDir ?? mkdtempSync(join(tmpdir(), 'olb-spool-'));
  const receiver = await createReceiver({ exporter: memoryTarget(), keys: [KEYS], spoolDir, statusIntervalMillis: 0, ...options });
  open.push(receiver);
  return Object.assign(receiver, { spoolDir });
}

function post(receiver: Receiver, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${receiver.url}/api/public/ingestion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function posted(receiver: Receiver, body: unknown): Promise<void> {
  const res = await post(receiver, body);
  expect(res.status).toBe(207);
  expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([]);
}

const event = (id: string, type: string, body: Record<string, unknown>): Record<string, unknown> => ({ id, type, timestamp: T, body });
const traceIds = (spans: readonly ReadableSpan[]): string[] => [...new Set(spans.map((s) => String(s.attributes['langfuse.trace.id'])))].sort();

describe('the real langfuse v3 client', () => {
  test('a trace with a span, a generation, an event, an error and scores arrives as the spans the mapping makes', async () => {
    const target = memoryTarget();
    const receiver = await start({ exporter: target, quietMillis: 60_000 });
    const problems = await sendSupportChat(receiver.url, KEYS);
    expect(problems).toEqual([]);
    expect(receiver.stats()).toMatchObject({ rejected: 0, failures: 0 });
    expect(receiver.stats().accepted).toBeGreaterThanOrEqual(9);

    await receiver.flush();
    const byName = (name: string): ReadableSpan => {
      const found = target.spans.find((s) => s.name === name);
      if (!found) throw new Error(`no span ${name}`);
      return found;
    };
    expect(target.spans.map((s) => s.name).sort()).toEqual(['answer', 'cache-miss', 'handle-request', 'moderation', 'support-chat']);
    const root = byName('support-chat');
    expect(root.attributes).toMatchObject({ 'langfuse.bridge.synthetic_root': 'trace', 'user.id': 'user-42', 'session.id': 'session-7', 'langfuse.trace.input': '{"q":"Where is my order?"}' });
    expect(root.events.map((e) => [e.name, e.attributes?.['langfuse.score.name']])).toEqual([['langfuse.score', 'user-feedback']]);
    expect(byName('answer').parentSpanContext?.spanId).toBe(byName('handle-request').spanContext().spanId);
    expect(byName('answer').attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 30 });
    expect(byName('moderation').status).toEqual({ code: 2, message: 'upstream 503' });
    expect(receiver.stats()).toMatchObject({ forwardedSpans: 5, heldTraces: 0, pendingEvents: 0 });
  });

  test('the Python SDK\'s auth_check and the health check answer as Langfuse does', async () => {
    const receiver = await start();
    expect((await fetch(`${receiver.url}/api/public/projects`, { headers: { authorization: AUTH } })).status).toBe(200);
    expect((await fetch(`${receiver.url}/api/public/projects`)).status).toBe(401);
    expect(await (await fetch(`${receiver.url}/api/public/health`)).json()).toMatchObject({ status: 'OK' });
  });
});

describe('forwarding', () => {
  test('to an OTLP endpoint with the stock protobuf exporter; an independent decoder reads what arrived', async () => {
    const otlp = await startOtlpServer();
    try {
      const receiver = await start({ exporter: new OTLPTraceExporter({ url: otlp.url }), quietMillis: 60_000 });
      const requests = recordedRequests('batches-langfuse-v3.json') as Array<{ batch: unknown[]; metadata: unknown }>;
      for (const r of requests) await posted(receiver, r);
      await receiver.close();
      const received = otlp.requests.flatMap((q) => otlpJsonToSpans(decodeTraceRequest(q.body)).value);
      const metadata = { ...(requests[0]?.metadata as object), public_key: KEYS.publicKey };
      const expected = ingestionToSpans(requests.flatMap((r) => r.batch), { batchMetadata: metadata });
      expect(sortedSpanViews(received)).toEqual(sortedSpanViews(expected.value));
    } finally {
      await otlp.close();
    }
  });

  test('a trickling client (a request every 2 s): each trace leaves once quiet, whatever the client keeps sending', async () => {
    const clock = new FakeClock();
    const target = memoryTarget();
    const receiver = await start({ exporter: target, clock, quietMillis: 5_000 });
    for (let i = 0; i < 6; i++) {
      await posted(receiver, { batch: [event(`e${i}`, 'trace-create', { id: `t${i}`, name: 'tick', timestamp: T })] });
      await clock.advance(2_000);
      await settle();
    }
    // Now 12 s: t0..t3 (0 to 6 s) have been quiet for 5 s or more; t4 and t5 have not.
    expect(traceIds(target.spans)).toEqual(['t0', 't1', 't2', 't3']);
  });

  test('two clients on one Langfuse trace (an app, and litellm with existing_trace_id): one root, each span its client', async () => {
    const target = memoryTarget();
    const receiver = await start({ exporter: target, quietMillis: 60_000 });
    await post(receiver, {
      batch: [event('a1', 'trace-create', { id: 'shared', name: 'chat', timestamp: T }), event('a2', 'span-create', { id: 's1', traceId: 'shared', name: 'handler', startTime: T, endTime: T })],
      metadata: { sdk_integration: 'my-app' },
    });
    await post(receiver, {
      batch: [event('b1', 'generation-create', { id: 'g1', traceId: 'shared', parentObservationId: 's1', name: 'litellm-acompletion', startTime: T, endTime: T })],
      metadata: { sdk_integration: 'litellm' },
    });
    await receiver.flush();
    expect(target.spans.map((s) => [s.name, s.resource.attributes['service.name']])).toEqual([
      ['chat', 'my-app'],
      ['handler', 'my-app'],
      ['litellm-acompletion', 'litellm'],
    ]);
    expect(new Set(target.spans.map((s) => s.spanContext().spanId)).size).toBe(3);
  });

  test('a client retrying the same envelope ids after they were forwarded: 201 again, no duplicate span', async () => {
    const target = memoryTarget();
    const receiver = await start({ exporter: target, quietMillis: 60_000 });
    const batch = recordedRequests('litellm-batch.json')[0];
    await posted(receiver, batch);
    await receiver.flush();
    await posted(receiver, batch);
    await receiver.flush();
    expect(target.spans).toHaveLength(2);
    expect(receiver.stats()).toMatchObject({ accepted: 2, duplicates: 2 });
  });

  test('a trace-create without body.timestamp (Python SDK v2 trace.update()), alone and after its trace left: never dropped', async () => {
    const target = memoryTarget();
    const receiver = await start({ exporter: target, quietMillis: 60_000 });
    await posted(receiver, { batch: [event('u1', 'trace-create', { id: 'alone', name: 'updated-only', userId: 'u' })] });
    await posted(receiver, { batch: [event('c1', 'trace-create', { id: 'late', name: 'first', timestamp: T }), event('c2', 'event-create', { id: 'ev', traceId: 'late', startTime: T })] });
    await receiver.flush();
    await posted(receiver, { batch: [event('u2', 'trace-create', { id: 'late', output: 'the answer' })] });
    await receiver.flush();
    const names = target.spans.map((s) => [s.name, s.attributes['langfuse.bridge.trace_update'] ?? s.attributes['langfuse.bridge.synthetic_root']]);
    expect(names).toEqual([
      ['updated-only', 'trace'],
      ['first', 'trace'],
      ['event', undefined],
      ['langfuse-trace', true],
    ]);
    expect(target.spans[3]?.attributes['langfuse.trace.output']).toBe('the answer');
  });
});

describe('when the backend fails', () => {
  test('an outage far longer than any exporter retry: nothing acknowledged is lost, delivered when it is back', async () => {
    const clock = new FakeClock();
    const target = memoryTarget();
    const receiver = await start({ exporter: target, clock, quietMillis: 1_000 });
    target.fail = 'HTTP 503';
    const requests = recordedRequests('batches-langfuse-v3.json');
    for (const r of requests) await posted(receiver, r);
    await posted(receiver, recordedRequests('litellm-batch.json')[0]);
    for (let minute = 0; minute < 30; minute++) await clock.advance(60_000);
    expect(target.spans).toEqual([]);
    expect(receiver.stats().retriedExports).toBeGreaterThan(30);
    expect(receiver.stats().pendingEvents).toBe(receiver.stats().accepted);
    target.fail = undefined;
    await clock.advance(60_000);
    await receiver.flush();
    expect(traceIds(target.spans)).toHaveLength(2);
    expect(receiver.stats().pendingEvents).toBe(0);
  });

  test('a real OTLP sink answering 503 far longer than the stock exporter retries: delivered once it is back, nothing lost', async () => {
    const clock = new FakeClock();
    let down = true;
    const sink = await startScriptedOtlpServer(() => ({ status: down ? 503 : 200 }));
    try {
      // The stock exporter's own retries stop within its 500 ms timeout (real time); ours go on,
      // on the fake clock. Each attempt's outcome is awaited before time moves on.
      const stock = spanExporterTarget(new OTLPTraceExporter({ url: sink.url, timeoutMillis: 500 }), 'stock OTLP');
      const outcomes: string[] = [];
      let attempted: () => void = () => undefined;
      const target: ReceiverTarget = {
        ...stock,
        async export(batch) {
          const outcome = await stock.export(batch);
          outcomes.push(outcome.kind);
          attempted();
          return outcome;
        },
      };
      const nextAttempt = (): Promise<void> => new Promise((resolve) => (attempted = resolve));
      const receiver = await start({ exporter: target, clock, quietMillis: 1_000, drainMillis: 0 });
      for (const r of recordedRequests('batches-langfuse-v3.json')) await posted(receiver, r);
      for (let minute = 0; minute < 5; minute++) {
        const attempt = nextAttempt();
        await clock.advance(60_000);
        await attempt;
      }
      expect(outcomes.length).toBeGreaterThanOrEqual(5);
      expect(new Set(outcomes)).toEqual(new Set(['retryable']));
      expect(sink.requests).toEqual([]);
      expect(receiver.stats().pendingEvents).toBe(receiver.stats().accepted);
      down = false;
      const delivered = nextAttempt();
      await clock.advance(60_000);
      await delivered;
      await receiver.flush();
      const received = sink.requests.flatMap((q) => otlpJsonToSpans(decodeTraceRequest(q.body)).value);
      expect(received.map((s) => s.name).sort()).toEqual(['answer', 'cache-miss', 'fallback', 'retrieve-docs', 'support-chat']);
      expect(receiver.stats().pendingEvents).toBe(0);
    } finally {
      await sink.close();
    }
  });

  test('a slow sink (300 ms per request): exports overlap, every trace arrives once', async () => {
    const sink = await startScriptedOtlpServer(() => ({ status: 200, delayMillis: 300 }));
    try {
      const receiver = await start({ exporter: new OTLPTraceExporter({ url: sink.url }), quietMillis: 60_000, forwarder: { maxExportSpans: 5 } });
      const v3 = recordedRequests('batches-langfuse-v3.json') as Array<{ batch: Array<Record<string, unknown>> }>;
      const copies = replicateEvents(v3.flatMap((r) => r.batch), 12);
      for (let i = 0; i < copies.length; i += 11) await posted(receiver, { batch: copies.slice(i, i + 11) });
      await receiver.flush();
      const received = sink.requests.flatMap((q) => otlpJsonToSpans(decodeTraceRequest(q.body)).value);
      expect(received).toHaveLength(12 * 5);
      expect(new Set(received.map((s) => s.spanContext().spanId)).size).toBe(received.length);
      expect(sink.inFlight.max).toBeGreaterThan(1);
    } finally {
      await sink.close();
    }
  });

  test('a sink refusing for good (400): dead-lettered as ingestion requests, counted; convert replays them', async () => {
    const target = memoryTarget();
    target.refuse = true;
    const receiver = await start({ exporter: target, quietMillis: 60_000 });
    await posted(receiver, recordedRequests('litellm-batch.json')[0]);
    await receiver.flush();
    expect(receiver.stats()).toMatchObject({ deadLetteredSpans: 2, deadLetteredEvents: 2, pendingEvents: 0 });
    const deadLetters = join(receiver.spoolDir, 'dead-letter.jsonl');
    const lines = readFileSync(deadLetters, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = join(receiver.spoolDir, 'replayed.jsonl');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'convert', deadLetters, '-o', out], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const spans = readFileSync(out, 'utf8').trim().split('\n').flatMap((l) => otlpJsonToSpans(JSON.parse(l)).value);
    expect(spans.map((s) => s.name).sort()).toEqual(['litellm-acompletion', 'litellm-acompletion']);
  });

  test('one endless trace under a small byte bound: it goes out in parts, the bound holds, nothing is dropped', async () => {
    const target = memoryTarget();
    const receiver = await start({ exporter: target, quietMillis: 60_000, maxHeldBytes: 20_000 });
    await posted(receiver, { batch: [event('root', 'trace-create', { id: 'endless', name: 'agent', timestamp: T })] });
    for (let i = 0; i < 100; i++) {
      await posted(receiver, { batch: [event(`g${i}`, 'generation-create', { id: `g${i}`, traceId: 'endless', startTime: T, endTime: T, input: 'x'.repeat(1_000) })] });
      await settle();
      expect(receiver.stats().heldBytes).toBeLessThanOrEqual(20_000);
    }
    await receiver.flush();
    expect(target.spans.filter((s) => s.name === 'generation')).toHaveLength(100);
    expect(target.spans.filter((s) => s.name === 'agent')).toHaveLength(1);
  });

  test('the spool at its cap: 503 with Retry-After, the client keeps its data', async () => {
    const target = memoryTarget();
    target.fail = 'down';
    const receiver = await start({ exporter: target, quietMillis: 60_000, spoolMaxBytes: 20_000, drainMillis: 0 });
    let refused: Response | undefined;
    for (let i = 0; i < 50 && refused === undefined; i++) {
      const res = await post(receiver, { batch: [event(`e${i}`, 'trace-create', { id: `t${i}`, timestamp: T, input: 'x'.repeat(2_000) })] });
      if (res.status === 503) refused = res;
      else expect(res.status).toBe(207);
    }
    expect(refused?.headers.get('retry-after')).toBe('5');
  });
});

describe('configuration and life cycle', () => {
  test('an open receiver binds loopback only; a key pair by halves or bad numbers refuse to start', async () => {
    const exporter = memoryTarget();
    await expect(createReceiver({ exporter, host: '0.0.0.0' })).rejects.toThrow(ConfigurationError);
    await expect(createReceiver({ exporter, keys: [{ publicKey: 'pk', secretKey: '' }] })).rejects.toThrow(ConfigurationError);
    await expect(createReceiver({ exporter, quietMillis: 0 })).rejects.toThrow(ConfigurationError);
  });

  test('close(): later requests get 503; everything accepted before is forwarded', async () => {
    const target = memoryTarget();
    const receiver = await start({ exporter: target, quietMillis: 60_000 });
    await posted(receiver, recordedRequests('litellm-batch.json')[0]);
    await receiver.close();
    expect(target.spans).toHaveLength(2);
    await expect(post(receiver, recordedRequests('litellm-batch.json')[0])).rejects.toThrow();
  });

  test('a restart on the same spool forwards what the first run accepted and did not deliver', async () => {
    const first = memoryTarget();
    first.fail = 'down';
    const spoolDir = mkdtempSync(join(tmpdir(), 'olb-spool-'));
    const a = await start({ exporter: first, spoolDir, quietMillis: 60_000, drainMillis: 0 });
    await posted(a, recordedRequests('litellm-batch.json')[0]);
    await a.close();
    expect(first.spans).toEqual([]);
    const second = memoryTarget();
    const b = await start({ exporter: second, spoolDir, quietMillis: 60_000 });
    await b.flush();
    expect(second.spans.map((s) => s.name)).toEqual(['litellm-acompletion', 'litellm-acompletion']);
    // Forwarded once: a third start has nothing left.
    await b.close();
    const third = memoryTarget();
    const c = await start({ exporter: third, spoolDir, quietMillis: 60_000 });
    await c.flush();
    expect(third.spans).toEqual([]);
  });

  test('metrics in Prometheus text', async () => {
    const receiver = await start({ quietMillis: 60_000 });
    await posted(receiver, recordedRequests('litellm-batch.json')[0]);
    const text = await (await fetch(`${receiver.url}/metrics`)).text();
    expect(text).toContain('otel_langfuse_bridge_receiver_events_total{result="accepted"} 2');
    expect(text).toContain('otel_langfuse_bridge_receiver_requests_total{route="ingestion",status="207"} 1');
    expect(text).toMatch(/otel_langfuse_bridge_receiver_spool_bytes \d+/);
    expect(text).toContain('otel_langfuse_bridge_receiver_held_traces 1');
  });
});

