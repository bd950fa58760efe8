/**
 * The handler's stages on their own: media type, route and method, Basic auth, the body cap
 * before and after gunzip, the nesting check, and per-event validation.
 */
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { basicCredentials, keyPairAuthenticator } from '../../../src/receiver/http/auth.js';
import { checkBatch, dedupeKey, multiStatus } from '../../../src/receiver/http/batch.js';
import { readBody } from '../../../src/receiver/http/body.js';
import { HttpError } from '../../../src/receiver/http/errors.js';
import { parseJsonBody, withinDepth } from '../../../src/receiver/http/json.js';
import { checkMediaType } from '../../../src/receiver/http/media-type.js';
import { checkMethod, routeOf } from '../../../src/receiver/http/route.js';
import { recordedRequests } from '../../helpers/spans.js';

function statusOf(run: () => unknown): number | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    if (err instanceof HttpError) return err.status;
    throw err;
  }
}

async function asyncStatusOf(run: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await run();
    return undefined;
  } catch (err) {
    if (err instanceof HttpError) return err.status;
    throw err;
  }
}

function request(body: Buffer, headers: Record<string, string> = {}, chunk = 64 * 1024): IncomingMessage {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunk) chunks.push(body.subarray(at, at + chunk));
  return Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage;
}

describe('media type', () => {
  test.each([
    ['application/json', undefined],
    ['application/json; charset=utf-8', undefined],
    ['Application/JSON;charset="UTF-8"', undefined],
    ['text/plain;application/json', 415],
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['multipart/form-data; boundary=x', 415],
    ['application/json; charset=latin1', 415],
    ['application/jsonp', 415],
    [undefined, 415],
  ])('%s -> %s', (type, status) => {
    expect(statusOf(() => checkMediaType(type))).toBe(status);
  });

  test('any header text: accepted or a 415, never anything else', () => {
    fc.assert(fc.property(fc.string(), (text) => [undefined, 415].includes(statusOf(() => checkMediaType(text)))));
  });
});

describe('route and method', () => {
  test('Langfuse paths under any base path; /metrics; everything else 404', () => {
    expect(routeOf('/api/public/ingestion')).toBe('ingestion');
    expect(routeOf('/langfuse/api/public/ingestion/?x=1')).toBe('ingestion');
    expect(routeOf('/api/public/health')).toBe('health');
    expect(routeOf('/api/public/projects')).toBe('projects');
    expect(routeOf('/metrics')).toBe('metrics');
    for (const path of ['/api/public/prompts', '/api/public/datasets', '/', '/v1/traces', undefined]) {
      expect(statusOf(() => routeOf(path))).toBe(404);
    }
  });

  test('a CORS preflight (OPTIONS) and other methods get 405 with Allow, never a CORS grant', () => {
    try {
      checkMethod('ingestion', 'OPTIONS');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(405);
      expect((err as HttpError).headers).toEqual({ allow: 'POST' });
    }
    expect(statusOf(() => checkMethod('ingestion', 'GET'))).toBe(405);
    expect(statusOf(() => checkMethod('health', 'GET'))).toBeUndefined();
    expect(statusOf(() => checkMethod('health', 'POST'))).toBe(405);
  });
});

describe('auth', () => {
  const auth = (pk: string, sk: string): string => `Basic ${Buffer.from(`${pk}:${sk}`).toString('base64')}`;

  test('Basic credentials; anything else reads as empty', () => {
    expect(basicCredentials(auth('pk-lf-1', 'sk:with:colons'))).toEqual({ publicKey: 'pk-lf-1', secretKey: 'sk:with:colons' });
    for (const bad of [undefined, '', 'Bearer x', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`]) {
      expect(basicCredentials(bad)).toEqual({ publicKey: '', secretKey: '' });
    }
  });

  test('configured pairs: the right pair passes with its public key, anything else is 401', async () => {
    const check = keyPairAuthenticator([{ publicKey: 'pk-a', secretKey: 'sk-a' }, { publicKey: 'pk-b', secretKey: 'sk-b' }]);
    await expect(check(auth('pk-b', 'sk-b'))).resolves.toEqual({ publicKey: 'pk-b' });
    for (const header of [auth('pk-a', 'sk-b'), auth('pk-c', 'sk-a'), auth('pk-a', ''), undefined, 'Basic']) {
      expect(await asyncStatusOf(() => check(header))).toBe(401);
    }
  });

  test('no pairs: open, no principal', async () => {
    await expect(keyPairAuthenticator([])(undefined)).resolves.toEqual({});
  });
});

describe('body', () => {
  const json = Buffer.from(JSON.stringify({ batch: [] }));

  test('identity and gzip bodies read back the same bytes', async () => {
    expect(await readBody(request(json), 1000)).toEqual(json);
    expect(await readBody(request(gzipSync(json), { 'content-encoding': 'gzip' }), 1000)).toEqual(json);
  });

  test('the cap holds before and after gunzip: 47 KB of gzip that inflates to 48 MB is 413', async () => {
    const bomb = gzipSync(Buffer.alloc(48 * 1024 * 1024, '['));
    expect(bomb.length).toBeLessThan(100_000);
    expect(await asyncStatusOf(() => readBody(request(bomb, { 'content-encoding': 'gzip' }), 5_000_000))).toBe(413);
    expect(await asyncStatusOf(() => readBody(request(Buffer.alloc(2000)), 1000))).toBe(413);
    expect(await asyncStatusOf(() => readBody(request(json, { 'content-length': '999999' }), 1000))).toBe(413);
  });

  test('broken gzip is 400, an unknown encoding 415', async () => {
    expect(await asyncStatusOf(() => readBody(request(Buffer.from('not gzip'), { 'content-encoding': 'gzip' }), 1000))).toBe(400);
    expect(await asyncStatusOf(() => readBody(request(json, { 'content-encoding': 'br' }), 1000))).toBe(415);
  });
});

describe('JSON nesting', () => {
  const depthOf = (v: unknown): number =>
    typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0;

  test('withinDepth agrees with the nesting of the parsed value, strings with brackets and escapes included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (value, limit) => {
        const bytes = Buffer.from(JSON.stringify(value));
        expect(withinDepth(bytes, limit)).toBe(depthOf(value) <= limit);
      }),
      { numRuns: 500 },
    );
    expect(withinDepth(Buffer.from(JSON.stringify({ a: '[[[[\\"{{{{' })), 1)).toBe(true);
  });

  test('a nesting bomb is refused before JSON.parse; bad JSON is 400', () => {
    expect(statusOf(() => parseJsonBody(Buffer.from('['.repeat(100_000)), 128))).toBe(400);
    expect(statusOf(() => parseJsonBody(Buffer.from('{"batch": ['), 128))).toBe(400);
    expect(parseJsonBody(Buffer.from('{"batch":[]}'), 128)).toEqual({ batch: [] });
  });
});

describe('per-event validation', () => {
  test('the recorded litellm batch: every event valid, keys per project and envelope id', () => {
    const body = recordedRequests('litellm-batch.json')[0];
    const checked = checkBatch(body, 'pk-lf-1', { 'service.name': 'litellm' });
    expect(checked.errors).toEqual([]);
    expect(checked.keys).toEqual(checked.items.map((i) => dedupeKey('pk-lf-1', i.event.id)));
    expect(checked.items.every((i) => i.resource?.['service.name'] === 'litellm')).toBe(true);
    expect(multiStatus(checked).successes).toHaveLength(2);
  });

  test('bad events get a per-event 400, sdk-log is accepted and not kept, the rest go on', () => {
    const T = '2026-11-24T20:09:40.250Z';
    const checked = checkBatch(
      {
        batch: [
          { id: 'a', type: 'trace-create', timestamp: T, body: { id: 't1' } },
          { id: 'b', type: 'trace-create', timestamp: 'yesterday', body: { id: 't1' } },
          { id: 'c', type: 'sdk-log', timestamp: T, body: { log: 'x' } },
          { id: 'd', type: 'span-create', timestamp: T, body: { traceId: 't1' } },
          'not an event',
          { id: 'e', type: 'dataset-run-item-create', timestamp: T, body: {} },
        ],
      },
      undefined,
      undefined,
    );
    expect(checked.items.map((i) => i.event.id)).toEqual(['a']);
    expect(checked.sdkLogs).toBe(1);
    expect(multiStatus(checked)).toEqual({
      successes: [{ id: 'a', status: 201 }, { id: 'c', status: 201 }],
      errors: [
        expect.objectContaining({ id: 'b', status: 400 }),
        expect.objectContaining({ id: 'd', status: 400 }),
        expect.objectContaining({ id: '', status: 400 }),
        expect.objectContaining({ id: 'e', status: 400 }),
      ],
    });
  });

  test('not {batch: [...]}: 400', () => {
    for (const body of [null, [], 'x', { batch: {} }, {}]) expect(statusOf(() => checkBatch(body, undefined, undefined))).toBe(400);
  });
});
