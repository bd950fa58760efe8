/**
 * src/exporter/transport.ts and retry-after.ts against a loopback fake Langfuse: request shape,
 * the mapping of every status and network fault to a SendOutcome, and that no outcome leaks keys.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { ConfigurationError } from '../../src/config/errors.js';
import { MAX_RETRY_AFTER_MILLIS, parseRetryAfter } from '../../src/ingestion-api/retry-after.js';
import { createHttpTransport } from '../../src/exporter/transport.js';
import type { IngestionTransport, SendOutcome } from '../../src/exporter/types.js';
import type { IngestionEvent } from '../../src/mapping/schema.js';
import { VERSION } from '../../src/version.js';
import { perEventReply, startFakeLangfuse } from '../helpers/fake-langfuse.js';
import type { FakeLangfuse, FakeReply, FakeScript } from '../helpers/fake-langfuse.js';

const PK = 'pk-lf-test-public';
const SK = 'sk-lf-SECRET-do-not-leak';

function span(i: number): IngestionEvent {
  return {
    id: `ev-${i}`,
    type: 'span-create',
    timestamp: '2025-01-01T00:00:00.000Z',
    body: { id: `obs-${i}`, traceId: 'trace-1', name: `step ${i}`, startTime: '2025-01-01T00:00:00.000Z' },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setUp(reply?: FakeReply | FakeScript): Promise<{
  fake: FakeLangfuse;
  transport: IngestionTransport;
}> {
  const fake = await startFakeLangfuse(typeof reply === 'function' ? reply : () => reply);
  const transport = createHttpTransport({ baseUrl: fake.url, publicKey: PK, secretKey: SK });
  cleanups.push(() => fake.close(), () => transport.shutdown());
  return { fake, transport };
}

/** Every outcome must be free of the secret and of the Authorization value. */
function expectNoSecret(outcome: SendOutcome): void {
  const text = JSON.stringify(outcome);
  expect(text).not.toContain(SK);
  expect(text).not.toContain(Buffer.from(`${PK}:${SK}`).toString('base64'));
}

describe('parseRetryAfter', () => {
  const NOW = Date.parse('2025-06-01T12:00:00.000Z');
  test.for([
    { name: 'integer seconds', value: '3', out: 3000 },
    { name: 'decimal seconds', value: '1.5', out: 1500 },
    { name: 'zero', value: '0', out: 0 },
    { name: 'surrounding spaces', value: ' 2 ', out: 2000 },
    { name: 'negative seconds clamp to 0', value: '-5', out: 0 },
    { name: 'absurd seconds clamp to 300 000 ms', value: '86400', out: MAX_RETRY_AFTER_MILLIS },
    { name: 'HTTP date 10 s ahead', value: 'Sun, 01 Jun 2025 12:00:10 GMT', out: 10_000 },
    { name: 'HTTP date in the past clamps to 0', value: 'Sun, 01 Jun 2025 11:00:00 GMT', out: 0 },
    { name: 'HTTP date a day ahead clamps', value: 'Mon, 02 Jun 2025 12:00:00 GMT', out: MAX_RETRY_AFTER_MILLIS },
    { name: 'obsolete RFC 850 date', value: 'Sunday, 01-Jun-25 12:00:05 GMT', out: 5000 },
    { name: 'undefined', value: undefined, out: undefined },
    { name: 'empty', value: '', out: undefined },
    { name: 'garbage', value: 'soon', out: undefined },
    { name: 'number with unit', value: '5s', out: undefined },
    { name: 'bare ISO date is not an HTTP date', value: '2025-06-01', out: undefined },
    { name: 'day name with a bad date', value: 'Sun, 99 Foo 2025 99:99:99 GMT', out: undefined },
  ])('$name', ({ value, out }) => {
    expect(parseRetryAfter(value, NOW)).toBe(out);
  });
});

describe('request shape', () => {
  test('POSTs the batch with Basic auth, x-langfuse headers and metadata, never the secret in the body', async () => {
    const { fake, transport } = await setUp();
    expect(await transport.send([span(1), span(2)], 5000)).toEqual({ kind: 'ok' });
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/public/ingestion');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${PK}:${SK}`).toString('base64')}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-langfuse-sdk-name']).toBe('otel-langfuse-bridge');
    expect(req.headers['x-langfuse-sdk-version']).toBe(VERSION);
    expect(req.headers['x-langfuse-public-key']).toBe(PK);
    expect(req.body).toEqual({
      batch: [span(1), span(2)],
      metadata: {
        batch_size: 2,
        sdk_integration: 'otel-langfuse-bridge',
        sdk_name: 'otel-langfuse-bridge',
        sdk_version: VERSION,
        public_key: PK,
      },
    });
    expect(JSON.stringify(req.body)).not.toContain(SK);
    expect(fake.accepted()).toEqual(['ev-1', 'ev-2']);
  });

  test('the body is exact UTF-8, multi-byte text included, with a matching content-length', async () => {
    const { fake, transport } = await setUp();
    const text = 'héllo 😀 名前 \u2028 "quoted" \\ end';
    const one = span(1);
    const event = { ...one, body: { ...one.body, name: text } } as typeof one;
    expect(await transport.send([event], 5000)).toEqual({ kind: 'ok' });
    const req = fake.requests[0]!;
    expect((req.body as { batch: Array<{ body: { name: string } }> }).batch[0]?.body.name).toBe(text);
    expect(Number(req.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(req.body)));
  });

  test('JSON text already made for the events is sent as it is', async () => {
    const { fake, transport } = await setUp();
    const [one, two] = [span(1), span(2)];
    // A text that differs from the events proves the transport did not serialise them itself.
    const made = [JSON.stringify({ ...one, body: { ...one.body, name: 'from the split' } }), JSON.stringify(two)];
    expect(await transport.send([one, two], 5000, made)).toEqual({ kind: 'ok' });
    const body = fake.requests[0]!.body as { batch: Array<{ body: { name: string } }>; metadata: unknown };
    expect(body.batch.map((e) => e.body.name)).toEqual(['from the split', two.body.name]);
    expect(body.metadata).toMatchObject({ batch_size: 2, public_key: PK });
  });

  test('extra headers and metadata are added but cannot replace auth; a base path is kept', async () => {
    const fake = await startFakeLangfuse();
    const transport = createHttpTransport({
      baseUrl: `${fake.url}/langfuse/`,
      publicKey: PK,
      secretKey: SK,
      headers: { 'X-Tenant': 'blue', Authorization: 'Bearer nope' },
      metadata: { deployment: 'test' },
    });
    cleanups.push(() => fake.close(), () => transport.shutdown());
    await transport.send([span(1)], 5000);
    const req = fake.requests[0]!;
    expect(req.path).toBe('/langfuse/api/public/ingestion');
    expect(req.headers['x-tenant']).toBe('blue');
    expect(req.headers.authorization).toMatch(/^Basic /);
    expect((req.body as { metadata: Record<string, unknown> }).metadata.deployment).toBe('test');
  });

  test.for([
    { name: 'not a URL', baseUrl: 'cloud.langfuse.com', publicKey: PK, secretKey: SK },
    { name: 'not http(s)', baseUrl: 'ftp://example.com', publicKey: PK, secretKey: SK },
    { name: 'empty public key', baseUrl: 'http://127.0.0.1:1', publicKey: '', secretKey: SK },
    { name: 'empty secret key', baseUrl: 'http://127.0.0.1:1', publicKey: PK, secretKey: '' },
  ])('ConfigurationError for $name, without the secret', (options) => {
    expect.assertions(2);
    try {
      createHttpTransport(options);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigurationError);
      expect((err as Error).message).not.toContain(SK);
    }
  });
});

const LONG = 'x'.repeat(1000);

describe('status mapping', () => {
  test.for<{ name: string; reply: FakeReply; out: SendOutcome }>([
    { name: '200', reply: { status: 200, body: {} }, out: { kind: 'ok' } },
    { name: '201', reply: { status: 201, body: {} }, out: { kind: 'ok' } },
    { name: '202 empty body', reply: { status: 202 }, out: { kind: 'ok' } },
    { name: '207 without errors', reply: { status: 207, body: { successes: [{ id: 'ev-1', status: 201 }], errors: [] } }, out: { kind: 'ok' } },
    { name: '207 unparsable', reply: { status: 207, body: 'not json' }, out: { kind: 'retryable', reason: 'HTTP 207 with an unreadable body' } },
    { name: '207 wrong shape', reply: { status: 207, body: { ok: true } }, out: { kind: 'retryable', reason: 'HTTP 207 with an unreadable body' } },
    { name: '207 whose successes are no list', reply: { status: 207, body: { successes: { id: 'ev-1' }, errors: [] } }, out: { kind: 'retryable', reason: 'HTTP 207 with an unreadable body' } },
    {
      name: '429 with Retry-After seconds and the Langfuse JSON body',
      reply: { status: 429, headers: { 'retry-after': '7' }, body: { message: 'Rate limit exceeded', code: 'rate_limited' } },
      out: { kind: 'retryable', reason: 'HTTP 429 Too Many Requests', retryAfterMillis: 7000 },
    },
    {
      name: '429 with a past HTTP-date and a text body',
      reply: { status: 429, headers: { 'retry-after': 'Wed, 01 Jan 2020 00:00:00 GMT' }, body: 'slow down' },
      out: { kind: 'retryable', reason: 'HTTP 429 Too Many Requests', retryAfterMillis: 0 },
    },
    {
      name: '503 with a far HTTP-date (clamped)',
      reply: { status: 503, headers: { 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' } },
      out: { kind: 'retryable', reason: 'HTTP 503 Service Unavailable', retryAfterMillis: MAX_RETRY_AFTER_MILLIS },
    },
    { name: '429 with garbage Retry-After', reply: { status: 429, headers: { 'retry-after': 'later' } }, out: { kind: 'retryable', reason: 'HTTP 429 Too Many Requests' } },
    { name: '500', reply: { status: 500, body: { error: 'Internal Server Error' } }, out: { kind: 'retryable', reason: 'HTTP 500 Internal Server Error' } },
    { name: '502', reply: { status: 502, body: '<html>bad gateway</html>' }, out: { kind: 'retryable', reason: 'HTTP 502 Bad Gateway' } },
    { name: '504', reply: { status: 504 }, out: { kind: 'retryable', reason: 'HTTP 504 Gateway Timeout' } },
    { name: '400', reply: { status: 400, body: { message: 'Invalid request data' } }, out: { kind: 'failed', reason: 'HTTP 400 Bad Request', status: 400 } },
    { name: '401', reply: { status: 401, body: { error: 'UnauthorizedError' } }, out: { kind: 'failed', reason: 'HTTP 401 Unauthorized', status: 401 } },
    { name: '403', reply: { status: 403, body: { error: 'ForbiddenError' } }, out: { kind: 'failed', reason: 'HTTP 403 Forbidden', status: 403 } },
    { name: '404', reply: { status: 404 }, out: { kind: 'failed', reason: 'HTTP 404 Not Found', status: 404 } },
    { name: '413 text body', reply: { status: 413, body: 'Body exceeded 4.5mb limit' }, out: { kind: 'failed', reason: 'HTTP 413 Payload Too Large', status: 413 } },
    { name: '418 other 4xx', reply: { status: 418 }, out: { kind: 'failed', reason: "HTTP 418 I'm a Teapot", status: 418 } },
    { name: '501 is not retried', reply: { status: 501 }, out: { kind: 'failed', reason: 'HTTP 501 Not Implemented', status: 501 } },
    { name: '505 is not retried', reply: { status: 505 }, out: { kind: 'failed', reason: 'HTTP 505 HTTP Version Not Supported', status: 505 } },
    { name: '522 (a CDN origin timeout) is retried', reply: { status: 522 }, out: { kind: 'retryable', reason: 'HTTP 522' } },
    { name: '507 is retried', reply: { status: 507 }, out: { kind: 'retryable', reason: 'HTTP 507 Insufficient Storage' } },
  ])('$name', async ({ reply, out }) => {
    const { transport } = await setUp(reply);
    const outcome = await transport.send([span(1)], 5000);
    expect(outcome).toEqual(out);
    expectNoSecret(outcome);
  });

  test('207 with per-event errors: 4xx rejected with a capped message, 429 and 5xx retryable', async () => {
    const errorsById: Record<string, { status: number; message: string; error?: string }> = {
      'ev-2': { status: 400, message: 'Invalid request data', error: 'body.startTime: Invalid ISO datetime' },
      'ev-3': { status: 500, message: 'Internal Server Error' },
      'ev-4': { status: 429, message: 'Rate limited' },
      'ev-5': { status: 404, message: 'Resource not found', error: LONG },
      'ev-6': { status: 400, message: `echo of ${SK}` },
      'ev-7': { status: 501, message: 'Not Implemented' },
    };
    const { fake, transport } = await setUp((_i, req) => perEventReply(req, (e) => errorsById[e.id as string]));
    const outcome = await transport.send([1, 2, 3, 4, 5, 6, 7].map(span), 5000);
    expect(outcome).toEqual({
      kind: 'partial',
      retryable: ['ev-3', 'ev-4'],
      rejected: [
        { id: 'ev-2', status: 400, message: 'Invalid request data: body.startTime: Invalid ISO datetime' },
        { id: 'ev-5', status: 404, message: `Resource not found: ${'x'.repeat(279)}…` },
        { id: 'ev-6', status: 400, message: 'echo of [redacted]' },
        { id: 'ev-7', status: 501, message: 'Not Implemented' },
      ],
    });
    expectNoSecret(outcome);
    expect(fake.accepted()).toEqual(['ev-1']);
  });

  test('the default fake rejects what the Langfuse schema rejects, per event', async () => {
    const { fake, transport } = await setUp();
    const bad = { ...span(2), timestamp: '2025-01-01 00:00:00' } as IngestionEvent;
    const outcome = await transport.send([span(1), bad], 5000);
    expect(outcome).toMatchObject({ kind: 'partial', retryable: [], rejected: [{ id: 'ev-2', status: 400 }] });
    expect(fake.accepted()).toEqual(['ev-1']);
  });
});

describe('network faults', () => {
  test('connection refused is retryable', async () => {
    const port = await freePort();
    const transport = createHttpTransport({ baseUrl: `http://127.0.0.1:${port}`, publicKey: PK, secretKey: SK });
    cleanups.push(() => transport.shutdown());
    const outcome = await transport.send([span(1)], 5000);
    expect(outcome).toEqual({ kind: 'retryable', reason: 'network error ECONNREFUSED' });
  });

  test.for<{ name: string; reply: FakeReply; timeoutMillis: number; reason: RegExp }>([
    { name: 'socket reset before the answer', reply: { kind: 'refuse' }, timeoutMillis: 5000, reason: /^network error (ECONNRESET|UND_ERR_SOCKET)$/ },
    { name: 'reset in the middle of a 207 body', reply: { kind: 'reset-mid-body' }, timeoutMillis: 5000, reason: /^HTTP 207 with an unreadable body$/ },
    { name: 'answer slower than the timeout', reply: { kind: 'hang', millis: 2000 }, timeoutMillis: 200, reason: /^request timed out after 200 ms$/ },
  ])('$name is retryable', async ({ reply, timeoutMillis, reason }) => {
    const { fake, transport } = await setUp(reply);
    const outcome = await transport.send([span(1)], timeoutMillis);
    expect(outcome.kind).toBe('retryable');
    expect(outcome.kind === 'retryable' ? outcome.reason : '').toMatch(reason);
    expectNoSecret(outcome);
    expect(fake.accepted()).toEqual([]);
  });

  test('the connection is reused after a fault and after shutdown sends fail fast', async () => {
    const { fake, transport } = await setUp((i) => (i === 0 ? { kind: 'refuse' } : undefined));
    expect((await transport.send([span(1)], 5000)).kind).toBe('retryable');
    expect(await transport.send([span(1)], 5000)).toEqual({ kind: 'ok' });
    await transport.shutdown();
    await transport.shutdown();
    expect(await transport.send([span(2)], 5000)).toEqual({ kind: 'failed', reason: 'transport is shut down' });
    expect(fake.requests).toHaveLength(2);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
