/**
 * The handler as a client sees it, over loopback HTTP, with the spool in memory: the Langfuse
 * contract (207 with per-event results), duplicates, a 201 only once spooled, 503 with Retry-After
 * when full or closing, health, projects, metrics, the security cases, and a fuzz of everything
 * a client can send.
 */
import { request } from 'node:http';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { keyPairAuthenticator } from '../../../src/receiver/http/auth.js';
import { createHandler } from '../../../src/receiver/http/handler.js';
import type { HandlerObserver } from '../../../src/receiver/http/handler.js';
import { InFlightBytes } from '../../../src/receiver/http/in-flight.js';
import { DEFAULT_SERVER_LIMITS, listen } from '../../../src/receiver/http/server.js';
import { MemorySpool } from '../../helpers/memory-spool.js';
import { recordedRequests } from '../../helpers/spans.js';

const KEYS = { publicKey: 'pk-lf-h', secretKey: 'sk-lf-h-secret' };
const AUTH = `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`;
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

interface Harness {
  readonly url: string;
  readonly spool: MemorySpool;
  readonly seen: { statuses: number[]; failures: string[]; duplicates: number };
  closing: boolean;
}

async function start(spool = new MemorySpool(), keys = [KEYS], inFlight = new InFlightBytes(16 * 1024 ** 2)): Promise<Harness> {
  const seen = { statuses: [] as number[], failures: [] as string[], duplicates: 0 };
  const observe: HandlerObserver = {
    request: (_route, status) => seen.statuses.push(status),
    events: (c) => (seen.duplicates += c.duplicates),
    failure: (m) => seen.failures.push(m),
  };
  const harness: Harness = { url: '', spool, seen, closing: false };
  const handler = createHandler({
    authenticate: keyPairAuthenticator(keys),
    spool,
    maxBodyBytes: 1_000_000,
    inFlight,
    maxDepth: 64,
    now: () => 1_000,
    closing: () => harness.closing,
    metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', text: 'up 1\n' }),
    observe,
  });
  const listening = await listen(handler, '127.0.0.1', 0, DEFAULT_SERVER_LIMITS);
  servers.push(listening.server);
  return Object.assign(harness, { url: listening.url });
}

function post(h: Harness, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.url}/api/public/ingestion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTH, ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

const litellm = (): Record<string, unknown> => recordedRequests('litellm-batch.json')[0] as Record<string, unknown>;

describe('the ingestion contract', () => {
  test('a recorded batch: 207, a 201 per event, one spooled record with the client and the project', async () => {
    const h = await start();
    const res = await post(h, litellm(), { 'x-langfuse-sdk-name': 'python', 'x-langfuse-sdk-version': '2.59.7' });
    expect(res.status).toBe(207);
    const answer = (await res.json()) as { successes: unknown[]; errors: unknown[] };
    expect(answer.errors).toEqual([]);
    expect(answer.successes).toHaveLength(2);
    expect(h.spool.stored).toHaveLength(1);
    expect(h.spool.stored[0]?.meta).toEqual({
      at: 1_000,
      // The request's metadata first, the SDK headers where it says nothing, the key that passed auth.
      client: { sdk_integration: 'litellm', sdk_name: 'python', sdk_version: '2.44.1', public_key: KEYS.publicKey },
      project: KEYS.publicKey,
    });
    expect(h.spool.pendingKeys()).toHaveLength(2);
  });

  test('the same envelopes again: 201 again, nothing spooled twice', async () => {
    const h = await start();
    await post(h, litellm());
    const again = await post(h, litellm());
    expect(again.status).toBe(207);
    expect(((await again.json()) as { successes: unknown[] }).successes).toHaveLength(2);
    expect(h.spool.stored).toHaveLength(1);
    expect(h.seen.duplicates).toBe(2);
  });

  test('gzip bodies are taken', async () => {
    const h = await start();
    const res = await post(h, gzipSync(JSON.stringify(litellm())), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(207);
    expect(h.spool.stored).toHaveLength(1);
  });

  test('a full spool: 503 with Retry-After, nothing acknowledged', async () => {
    const h = await start(new MemorySpool(100));
    const res = await post(h, litellm());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(h.spool.stored).toHaveLength(0);
  });

  test('a disk error while spooling: 500, nothing acknowledged, the failure logged without the body', async () => {
    const spool = new MemorySpool();
    spool.failNextAppend = new Error('EIO: i/o error, write');
    const h = await start(spool);
    const res = await post(h, litellm());
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal error: the events were not stored; retry later' });
    expect(h.seen.failures).toEqual(['EIO: i/o error, write']);
  });

  test('request bytes in flight over the budget: 503 with Retry-After while others hold bytes; a request alone always goes through', async () => {
    const body = JSON.stringify(litellm());
    const inFlight = new InFlightBytes(body.length + 100);
    const h = await start(new MemorySpool(), [KEYS], inFlight);
    // A slow client: most of its body sent, the rest held back.
    const slow = request(`${h.url}/api/public/ingestion`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: AUTH, 'content-length': String(Buffer.byteLength(body)) } });
    const slowAnswer = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.on('error', reject);
    });
    const head = body.slice(0, body.length - 10);
    slow.write(head);
    while (inFlight.held < head.length) await new Promise((resolve) => setImmediate(resolve));
    const refused = await post(h, body);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(h.spool.stored).toHaveLength(0);
    slow.end(body.slice(head.length));
    expect(await slowAnswer).toBe(207);
    expect(inFlight.held).toBe(0);
    // Alone, the same request is taken; so is one larger than the whole budget.
    expect((await post(h, body)).status).toBe(207);
    const large = { ...litellm(), batch: [...(litellm().batch as unknown[]), ...(litellm().batch as unknown[]).map((e) => ({ ...(e as object), id: `${(e as { id: string }).id}-2` }))] };
    expect(JSON.stringify(large).length).toBeGreaterThan(inFlight.maxBytes);
    expect((await post(h, large)).status).toBe(207);
    expect(inFlight.held).toBe(0);
    // The slow request, and the large one's new events (the repeated envelopes are duplicates).
    expect(h.spool.stored).toHaveLength(2);
  });

  test('shutting down: 503 with Retry-After and Connection: close', async () => {
    const h = await start();
    h.closing = true;
    const res = await post(h, litellm());
    expect([res.status, res.headers.get('retry-after'), res.headers.get('connection')]).toEqual([503, '5', 'close']);
  });
});

describe('other endpoints', () => {
  test('health answers like Langfuse, without auth', async () => {
    const h = await start();
    const res = await fetch(`${h.url}/api/public/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'OK', version: expect.any(String) });
  });

  test('projects (the Python SDK auth_check): 200 for the pair, 401 otherwise', async () => {
    const h = await start();
    const ok = await fetch(`${h.url}/api/public/projects`, { headers: { authorization: AUTH } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: [{ id: KEYS.publicKey, name: 'otel-langfuse-bridge receiver', metadata: {} }] });
    const bad = await fetch(`${h.url}/api/public/projects`, { headers: { authorization: 'Basic eDp5' } });
    expect(bad.status).toBe(401);
  });

  test('metrics in Prometheus text; prompts and datasets stay with Langfuse (404)', async () => {
    const h = await start();
    const metrics = await fetch(`${h.url}/metrics`);
    expect([metrics.status, await metrics.text()]).toEqual([200, 'up 1\n']);
    expect((await fetch(`${h.url}/api/public/prompts?name=x`)).status).toBe(404);
  });
});

describe('hostile clients', () => {
  test('a web page cannot post: text/plain;application/json from a foreign Origin is 415, no CORS header anywhere', async () => {
    const h = await start(new MemorySpool(), []);
    const res = await post(h, litellm(), { 'content-type': 'text/plain;application/json', origin: 'https://evil.example' });
    expect(res.status).toBe(415);
    expect([...res.headers.keys()].filter((k) => k.startsWith('access-control'))).toEqual([]);
    const preflight = await fetch(`${h.url}/api/public/ingestion`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(405);
    expect([...preflight.headers.keys()].filter((k) => k.startsWith('access-control'))).toEqual([]);
    expect(h.spool.stored).toHaveLength(0);
  });

  test('a gzip bomb is 413 and the connection closes; deep nesting is 400; the server keeps serving', async () => {
    const h = await start();
    const bomb = gzipSync(Buffer.alloc(48 * 1024 * 1024, '['));
    const res = await post(h, bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    const deep = await post(h, `{"batch":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}`);
    expect(deep.status).toBe(400);
    expect((await post(h, litellm())).status).toBe(207);
  });

  test('fuzz: random bytes, random JSON, mutated real batches, hostile keys: never a 500, never a crash', async () => {
    const h = await start(new MemorySpool(), []);
    const real = [...recordedRequests('litellm-batch.json'), ...recordedRequests('batches-langfuse-v3.json')];
    const mutated = fc
      .tuple(fc.constantFrom(...real), fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 3 })), { maxLength: 5 }))
      .map(([request, edits]) => {
        const copy = JSON.parse(JSON.stringify(request)) as { batch: Array<Record<string, unknown>> };
        for (const [at, value] of edits) {
          const event = copy.batch[at % Math.max(1, copy.batch.length)];
          if (event === undefined) continue;
          const keys = ['id', 'type', 'timestamp', 'body', '__proto__', 'constructor'];
          if (at % 3 === 0 && typeof event.body === 'object' && event.body !== null) (event.body as Record<string, unknown>)[keys[at % keys.length] as string] = value;
          else event[keys[at % keys.length] as string] = value;
        }
        return JSON.stringify(copy).replace('"constructor"', '"__proto__"');
      });
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ batch: [v], metadata: v })),
      mutated,
    );
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom('application/json', 'application/json; charset=utf-8'), async (body, type) => {
        const res = await post(h, body, { 'content-type': type });
        await res.arrayBuffer();
        expect([207, 400, 413, 415]).toContain(res.status);
      }),
      { numRuns: 300 },
    );
    expect(h.seen.failures).toEqual([]);
    expect((await fetch(`${h.url}/api/public/health`)).status).toBe(200);
  });
});
