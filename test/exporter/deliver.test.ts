/**
 * src/exporter/deliver.ts: retries, backoff, deadline, 207 subsets and the report, first over the
 * real HTTP transport against the loopback fake (faults scripted by call index), then over a
 * scripted transport for the edges. Time is a fake clock moved only by the fake sleep.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { backoffMillis, deliver, Delivery } from '../../src/exporter/deliver.js';
import type { DeliverDeps } from '../../src/exporter/deliver.js';
import { DeliveryError, EventTypeNotAcceptedError } from '../../src/exporter/errors.js';
import { createHttpTransport } from '../../src/exporter/transport.js';
import type { DeliveryReport, IngestionTransport, SendOutcome } from '../../src/exporter/types.js';
import type { IngestionEvent } from '../../src/mapping/schema.js';
import { perEventReply, startFakeLangfuse } from '../helpers/fake-langfuse.js';
import type { FakeLangfuse, FakeScript } from '../helpers/fake-langfuse.js';

const PK = 'pk-lf-test-public';
const SK = 'sk-lf-SECRET-do-not-leak';
const BASIC = Buffer.from(`${PK}:${SK}`).toString('base64');
const DEADLINE = 40_000;

function span(i: number, body: Record<string, unknown> = {}): IngestionEvent {
  return {
    id: `ev-${i}`,
    type: 'span-create',
    timestamp: '2025-01-01T00:00:00.000Z',
    body: { id: `obs-${i}`, traceId: 'trace-1', name: `step ${i}`, ...body },
  } as IngestionEvent;
}
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `ev-${i}`);
const spans = (n: number): IngestionEvent[] => Array.from({ length: n }, (_, i) => span(i));

/** A clock that only the fake sleep moves; `sleeps` records every requested delay. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[]; advance: (ms: number) => void } {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms) => void (sleeps.push(ms), (t += ms)), sleeps, advance: (ms) => void (t += ms) };
}

function deps(transport: IngestionTransport, time: ReturnType<typeof fakeTime>, over: Partial<DeliverDeps> = {}): DeliverDeps {
  return {
    transport,
    deadlineMillis: DEADLINE,
    now: time.now,
    sleep: time.sleep,
    requestTimeoutMillis: 5000,
    maxBatchBytes: 3_500_000,
    maxEventBytes: 1_000_000,
    ...over,
  };
}

/** The secret (or the Authorization value) must appear nowhere in a report or its error. */
function expectNoSecret(report: DeliveryReport, outcomes: readonly SendOutcome[]): void {
  const text = JSON.stringify([report, report.error?.message, outcomes]);
  expect(text).not.toContain(SK);
  expect(text).not.toContain(BASIC);
}

/** Wraps a transport to record every outcome. */
function recording(inner: IngestionTransport): IngestionTransport & { outcomes: SendOutcome[] } {
  const outcomes: SendOutcome[] = [];
  return {
    outcomes,
    send: async (events, timeout) => {
      const outcome = await inner.send(events, timeout);
      outcomes.push(outcome);
      return outcome;
    },
    shutdown: () => inner.shutdown(),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function overHttp(script?: FakeScript): Promise<{ fake: FakeLangfuse; transport: ReturnType<typeof recording> }> {
  const fake = await startFakeLangfuse(script);
  const transport = recording(createHttpTransport({ baseUrl: fake.url, publicKey: PK, secretKey: SK }));
  cleanups.push(() => fake.close(), () => transport.shutdown());
  return { fake, transport };
}

const per500Or400: FakeScript = (i, req) =>
  i === 0
    ? perEventReply(req, (_e, index) =>
        index % 3 === 1 ? { status: 400, message: 'Invalid request data', error: 'body.name: bad' } : index % 3 === 2 ? { status: 500, message: 'Internal Server Error' } : undefined,
      )
    : undefined;

interface Row {
  name: string;
  script: FakeScript;
  events?: number;
  timeoutMillis?: number;
  /** Events per POST, in order. */
  posts: number[];
  sleeps: number[];
  accepted: string[];
  rejected?: string[];
  undelivered?: string[];
  error?: { type: typeof DeliveryError | typeof EventTypeNotAcceptedError; status?: number; message: RegExp };
}

describe('deliver over HTTP, faults scripted by call index', () => {
  test.for<Row>([
    { name: 'all accepted at once', script: () => undefined, posts: [3], sleeps: [], accepted: ids(3) },
    { name: 'socket reset, then accepted', script: (i) => (i === 0 ? { kind: 'refuse' } : undefined), posts: [3, 3], sleeps: [1000], accepted: ids(3) },
    { name: 'reset mid-body, then accepted', script: (i) => (i === 0 ? { kind: 'reset-mid-body' } : undefined), posts: [3, 3], sleeps: [1000], accepted: ids(3) },
    {
      name: 'answer slower than the request timeout, then accepted',
      script: (i) => (i === 0 ? { kind: 'hang', millis: 2000 } : undefined),
      timeoutMillis: 200,
      posts: [3, 3],
      sleeps: [1000],
      accepted: ids(3),
    },
    {
      name: '429 with Retry-After seconds wins over the 1 s backoff',
      script: (i) => (i === 0 ? { status: 429, headers: { 'retry-after': '7' }, body: { message: 'Rate limit exceeded' } } : undefined),
      posts: [3, 3],
      sleeps: [7000],
      accepted: ids(3),
    },
    {
      name: '429 with a past HTTP-date and a text body: the backoff wins',
      script: (i) => (i === 0 ? { status: 429, headers: { 'retry-after': 'Wed, 01 Jan 2020 00:00:00 GMT' }, body: 'Too Many Requests' } : undefined),
      posts: [3, 3],
      sleeps: [1000],
      accepted: ids(3),
    },
    {
      name: '503 with a Retry-After beyond the deadline stops at once',
      script: () => ({ status: 503, headers: { 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' } }),
      posts: [3],
      sleeps: [],
      accepted: [],
      undelivered: ids(3),
      error: { type: DeliveryError, message: /3 of 3 event\(s\) undelivered \(the deadline passed before a retry \(last: HTTP 503 Service Unavailable\); ids: ev-0, ev-1, ev-2\)/ },
    },
    { name: '500 twice, then accepted', script: (i) => (i < 2 ? { status: 500 } : undefined), posts: [3, 3, 3], sleeps: [1000, 2000], accepted: ids(3) },
    {
      name: '207 with 400s and 500s: only the 500 ones are resent',
      script: per500Or400,
      events: 6,
      posts: [6, 2],
      sleeps: [1000],
      accepted: ['ev-0', 'ev-3', 'ev-2', 'ev-5'],
      rejected: ['ev-1', 'ev-4'],
      error: { type: DeliveryError, message: /^Langfuse rejected 2 of 6 event\(s\) \(HTTP 400; ids: ev-1, ev-4\)$/ },
    },
    {
      name: '413: no retry',
      script: () => ({ status: 413, body: 'Body exceeded 4.5mb limit' }),
      posts: [3],
      sleeps: [],
      accepted: [],
      undelivered: ids(3),
      error: { type: DeliveryError, status: 413, message: /undelivered \(HTTP 413 Payload Too Large; ids: ev-0, ev-1, ev-2\)/ },
    },
    {
      name: '401: no retry',
      script: () => ({ status: 401, body: { error: 'UnauthorizedError', message: 'Invalid public key' } }),
      posts: [3],
      sleeps: [],
      accepted: [],
      undelivered: ids(3),
      error: { type: DeliveryError, status: 401, message: /HTTP 401 Unauthorized/ },
    },
    {
      name: 'v4 "Event type not accepted": one clear error, no retry',
      script: (_i, req) =>
        perEventReply(req, () => ({
          status: 400,
          message: 'Event type not accepted',
          error: 'Ingestion of span-create events is disabled. Use the OTel endpoint.',
        })),
      posts: [3],
      sleeps: [],
      accepted: [],
      rejected: ids(3),
      error: { type: EventTypeNotAcceptedError, message: /Fix: use protocol: 'otlp' .*http:\/\/127\.0\.0\.1:\d+\/api\/public\/otel\/v1\/traces.*LANGFUSE_MIGRATION_V4_WRITE_MODE=dual \(or legacy\) on BOTH/ },
    },
    {
      name: 'always 503: retries stop before the 40 s deadline',
      script: () => ({ status: 503 }),
      posts: [3, 3, 3, 3, 3, 3],
      sleeps: [1000, 2000, 4000, 8000, 16000],
      accepted: [],
      undelivered: ids(3),
      error: { type: DeliveryError, message: /deadline passed before a retry \(last: HTTP 503 Service Unavailable\)/ },
    },
  ])('$name', async (row) => {
    const { fake, transport } = await overHttp(row.script);
    const time = fakeTime();
    const over = { baseUrl: fake.url, requestTimeoutMillis: row.timeoutMillis ?? 5000 };
    const report = await deliver(spans(row.events ?? 3), deps(transport, time, over));

    expect(fake.requests.map((r) => r.batch.length)).toEqual(row.posts);
    expect(time.sleeps).toEqual(row.sleeps);
    expect(report.accepted).toEqual(row.accepted);
    expect(report.rejected.map((r) => r.id)).toEqual(row.rejected ?? []);
    expect(report.undelivered).toEqual(row.undelivered ?? []);
    // Exactly once: every accepted id was accepted by the fake once, and nothing else was.
    expect([...fake.accepted()].sort()).toEqual([...report.accepted].sort());
    // Envelope ids never change across retries.
    for (const req of fake.requests) for (const e of req.batch) expect(ids(row.events ?? 3)).toContain((e as { id: string }).id);
    if (row.error === undefined) expect(report.error).toBeUndefined();
    else {
      expect(report.error).toBeInstanceOf(row.error.type);
      expect(report.error?.message).toMatch(row.error.message);
      if (row.error.status !== undefined) expect((report.error as DeliveryError).status).toBe(row.error.status);
    }
    expectNoSecret(report, transport.outcomes);
  });

  test('connection refused: retried with 1, 2, 4, 8, 16 s until the deadline, then undelivered', async () => {
    const fake = await startFakeLangfuse();
    const url = fake.url;
    await fake.close();
    const transport = recording(createHttpTransport({ baseUrl: url, publicKey: PK, secretKey: SK }));
    cleanups.push(() => transport.shutdown());
    const time = fakeTime();
    const report = await deliver(spans(2), deps(transport, time));
    expect(time.sleeps).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(transport.outcomes.every((o) => o.kind === 'retryable' && o.reason === 'network error ECONNREFUSED')).toBe(true);
    expect(report).toMatchObject({ accepted: [], rejected: [], undelivered: ['ev-0', 'ev-1'] });
    expect(report.error?.message).toMatch(/network error ECONNREFUSED/);
    expectNoSecret(report, transport.outcomes);
  });

  test('many events: several POSTs, each under 3.5 MB, every event accepted once', async () => {
    const { fake, transport } = await overHttp();
    const events = Array.from({ length: 30 }, (_, i) => span(i, { input: `${i}:${'z'.repeat(400_000)}` }));
    const report = await deliver(events, deps(transport, fakeTime()));
    expect(fake.requests.length).toBe(4);
    for (const req of fake.requests) expect(req.bytes).toBeLessThanOrEqual(3_500_000);
    expect(report).toEqual({ accepted: ids(30), rejected: [], undelivered: [] });
    expect(fake.accepted()).toEqual(ids(30));
  });

  test('a 3 MB input is truncated under 1 MB with a marker and still delivered', async () => {
    const { fake, transport } = await overHttp();
    const truncated: unknown[] = [];
    const report = await deliver([span(0, { input: 'q'.repeat(3_000_000) })], deps(transport, fakeTime(), { onTruncated: (t) => truncated.push(...t) }));
    expect(report).toEqual({ accepted: ['ev-0'], rejected: [], undelivered: [] });
    const sent = fake.requests[0]!.batch[0] as { body: { input: string } };
    expect(Buffer.byteLength(JSON.stringify(sent))).toBeLessThanOrEqual(1_000_000);
    expect(sent.body.input).toMatch(/\.\.\.\[truncated by otel-langfuse-bridge, original length 3000000 bytes\]$/);
    expect(truncated).toEqual([{ id: 'ev-0', field: 'body.input', fromBytes: 3_000_002 }]);
  });
});

describe('deliver over a scripted transport', () => {
  function scripted(outcomes: SendOutcome[]): IngestionTransport & { calls: string[][] } {
    const calls: string[][] = [];
    return {
      calls,
      send: async (events) => {
        calls.push(events.map((e) => e.id));
        return outcomes[calls.length - 1] ?? { kind: 'ok' };
      },
      shutdown: async () => undefined,
    };
  }

  test('a partial answer resends only the retryable subset, repeatedly', async () => {
    const transport = scripted([
      { kind: 'partial', retryable: ['ev-1', 'ev-2'], rejected: [] },
      { kind: 'partial', retryable: ['ev-2'], rejected: [{ id: 'ev-1', status: 400, message: 'bad' }] },
    ]);
    const time = fakeTime();
    const report = await deliver(spans(4), deps(transport, time));
    expect(transport.calls).toEqual([ids(4), ['ev-1', 'ev-2'], ['ev-2']]);
    expect(time.sleeps).toEqual([1000, 2000]);
    expect(report.accepted).toEqual(['ev-0', 'ev-3', 'ev-2']);
    expect(report.rejected).toEqual([{ id: 'ev-1', status: 400, message: 'bad' }]);
  });

  test('Delivery: a part is handed to the transport when added, before finish() is awaited', async () => {
    const transport = scripted([]);
    const delivery = new Delivery(deps(transport, fakeTime()));
    delivery.add(spans(2));
    expect(transport.calls).toEqual([['ev-0', 'ev-1']]);
    delivery.add([span(2)]);
    expect(transport.calls).toEqual([['ev-0', 'ev-1'], ['ev-2']]);
    expect(await delivery.finish()).toEqual({ accepted: ids(3), rejected: [], undelivered: [] });
  });

  test('Delivery: a part being retried does not hold back the next; one report covers every part', async () => {
    const transport = scripted([{ kind: 'retryable', reason: 'HTTP 503' }]);
    const time = fakeTime();
    const delivery = new Delivery(deps(transport, time));
    delivery.add(spans(2));
    delivery.add([span(2), span(3)]);
    const report = await delivery.finish();
    expect(transport.calls).toEqual([['ev-0', 'ev-1'], ['ev-2', 'ev-3'], ['ev-0', 'ev-1']]);
    expect(time.sleeps).toEqual([1000]);
    expect(report).toEqual({ accepted: ['ev-2', 'ev-3', 'ev-0', 'ev-1'], rejected: [], undelivered: [] });
  });

  test('Delivery: a part that fails for good makes one error counted over all parts', async () => {
    const transport = scripted([{ kind: 'ok' }, { kind: 'failed', reason: 'HTTP 400 Bad Request', status: 400 }]);
    const delivery = new Delivery(deps(transport, fakeTime()));
    delivery.add(spans(2));
    delivery.add([span(2), span(3)]);
    const report = await delivery.finish();
    expect(report).toMatchObject({ accepted: ['ev-0', 'ev-1'], rejected: [], undelivered: ['ev-2', 'ev-3'] });
    expect(report.error).toBeInstanceOf(DeliveryError);
    expect(report.error?.message).toBe('2 of 4 event(s) undelivered (HTTP 400 Bad Request; ids: ev-2, ev-3)');
  });

  test('a transport that throws is a failed request, and deliver still resolves', async () => {
    const transport: IngestionTransport = { send: () => Promise.reject(new Error(SK)), shutdown: async () => undefined };
    const report = await deliver(spans(2), deps(transport, fakeTime()));
    expect(report.undelivered).toEqual(ids(2));
    expect(report.error?.message).toBe('2 of 2 event(s) undelivered (transport threw (Error); ids: ev-0, ev-1)');
  });

  test('requests after a passed deadline are not sent', async () => {
    const time = fakeTime();
    const calls: string[][] = [];
    const slow: IngestionTransport = {
      send: async (events) => (calls.push(events.map((e) => e.id)), time.advance(41_000), { kind: 'ok' }),
      shutdown: async () => undefined,
    };
    const events = [span(0, { input: 'a'.repeat(600_000) }), span(1, { input: 'b'.repeat(600_000) })];
    const report = await deliver(events, deps(slow, time, { maxBatchBytes: 700_000 }));
    expect(calls).toEqual([['ev-0']]);
    expect(report).toMatchObject({ accepted: ['ev-0'], rejected: [], undelivered: ['ev-1'] });
    expect(report.error?.message).toBe('1 of 2 event(s) undelivered (the deadline passed; ids: ev-1)');
  });

  test('the per-attempt timeout never runs past the deadline', async () => {
    const timeouts: number[] = [];
    const transport: IngestionTransport = {
      send: async (_e, timeout) => (timeouts.push(timeout), { kind: 'retryable', reason: 'HTTP 500' }),
      shutdown: async () => undefined,
    };
    await deliver(spans(1), deps(transport, fakeTime(), { deadlineMillis: 9_000, requestTimeoutMillis: 5000 }));
    expect(timeouts).toEqual([5000, 5000, 5000, 2000]);
  });

  test.for([
    { name: 'first retry', retry: 0, after: undefined, out: 1000 },
    { name: 'third retry', retry: 2, after: undefined, out: 4000 },
    { name: 'capped at 30 s', retry: 10, after: undefined, out: 30_000 },
    { name: 'a longer Retry-After wins', retry: 0, after: 7000, out: 7000 },
    { name: 'a shorter Retry-After loses', retry: 3, after: 500, out: 8000 },
    { name: 'Retry-After above the cap still wins', retry: 10, after: 120_000, out: 120_000 },
  ])('backoffMillis: $name', ({ retry, after, out }) => {
    expect(backoffMillis(retry, after)).toBe(out);
  });
});
