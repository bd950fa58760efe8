/**
 * `convert --langfuse-url`: saved logs replayed into a loopback fake of Langfuse v4 (OTLP endpoint
 * with the v4 header rule, an ingestion endpoint that takes only scores, key pairs): every
 * observation once with its original times, no synthetic root, scores through the ingestion
 * endpoint on the hex ids the spans carry, an honest exit code when Langfuse refuses.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { toOtelTraceId } from '../../src/mapping/ids.js';
import { readStoredSpan } from '../helpers/langfuse-v4-reader.js';
import { OTLP_TRACES_PATH } from '../helpers/fake-langfuse-otlp.js';
import { INGESTION_PATH, startFakeLangfuse } from '../helpers/fake-langfuse.js';
import type { FakeLangfuse, FakeScript } from '../helpers/fake-langfuse.js';
import { convertWithEnv as convert } from '../helpers/convert-cli.js';
import { recordedRequests } from '../helpers/spans.js';

const PAIR = { publicKey: 'pk-lf-replay', secretKey: 'sk-lf-replay-secret' };
const KEYS = { LANGFUSE_PUBLIC_KEY: PAIR.publicKey, LANGFUSE_SECRET_KEY: PAIR.secretKey };
const fakes: FakeLangfuse[] = [];

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});


async function fake(script?: FakeScript): Promise<FakeLangfuse> {
  const f = await startFakeLangfuse(script, { ingestion: 'scores-only', keyPairs: [PAIR] });
  fakes.push(f);
  return f;
}

/** The recorded v3 client requests (with a score) and the litellm one, as a JSON Lines log. */
function log(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'olb-replay-')), 'requests.jsonl');
  const requests = [...recordedRequests('batches-langfuse-v3.json'), ...recordedRequests('litellm-batch.json')];
  writeFileSync(file, `${requests.map((r) => JSON.stringify(r)).join('\n')}\n`);
  return file;
}

type Json = Record<string, unknown>;

describe('convert --langfuse-url', () => {
  test('every observation once, no synthetic root, original times; scores on the hex ids; exit 0', async () => {
    const langfuse = await fake();
    const r = await convert([log(), '--langfuse-url', langfuse.url], KEYS);
    expect(r.stderr).not.toContain(PAIR.secretKey);
    expect(r.status).toBe(0);
    const stored = langfuse.otlpSpans().map(readStoredSpan);
    const events = [...recordedRequests('batches-langfuse-v3.json'), ...recordedRequests('litellm-batch.json')].flatMap((q) => q.batch as Json[]);
    const observationIds = new Set(events.filter((e) => !['trace-create', 'score-create', 'sdk-log'].includes(String(e.type))).map((e) => (e.body as Json).id));
    expect(stored.map((o) => o.body.id).sort()).toEqual([...observationIds].sort());
    // Original times: the recorded generation's start (its create) and end (its update).
    const answer = stored.find((o) => o.body.name === 'answer');
    const answerEvents = events.filter((e) => (e.body as Json).id === answer?.body.id).map((e) => e.body as Json);
    const recordedTime = (field: string): unknown => new Date(String(answerEvents.find((b) => b[field] !== undefined)?.[field])).toISOString();
    expect([answer?.body.startTime, answer?.body.endTime]).toEqual([recordedTime('startTime'), recordedTime('endTime')]);
    expect(answer?.trace).toMatchObject({ name: 'support-chat', userId: 'user-42', sessionId: 'sess-7' });
    for (const q of langfuse.requests.filter((x) => x.path === OTLP_TRACES_PATH)) {
      expect(q.headers['x-langfuse-ingestion-version']).toBe('4');
      expect(q.headers['x-langfuse-sdk-name']).toBeUndefined();
    }
    const scores = langfuse.requests.filter((q) => q.path === INGESTION_PATH).flatMap((q) => q.batch as Json[]);
    const recordedScores = events.filter((e) => e.type === 'score-create');
    expect(scores.map((s) => s.id)).toEqual(recordedScores.map((s) => s.id));
    for (const s of scores) expect((s.body as Json).traceId).toBe(toOtelTraceId(String(((recordedScores.find((x) => x.id === s.id) as Json).body as Json).traceId)));
    expect(r.stderr).toContain(`to Langfuse ${langfuse.url}`);
  });

  test('Langfuse refusing for good: an issue naming what was not delivered, exit 1; a bad key pair is a usage error', async () => {
    const langfuse = await fake((_i, req) => (req.path === OTLP_TRACES_PATH ? { status: 400, body: { error: 'Invalid span' } } : undefined));
    const r = await convert([log(), '--langfuse-url', langfuse.url], KEYS);
    expect(r.status).toBe(1);
    const issues = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Json);
    expect(issues).toEqual([expect.objectContaining({ code: 'SKIPPED', message: expect.stringMatching(/^Langfuse refused them for good: \d+ spans and 1 scores not delivered/) })]);
    const missing = await convert([log(), '--langfuse-url', langfuse.url], { LANGFUSE_PUBLIC_KEY: PAIR.publicKey });
    expect(missing.status).toBe(2);
  });
});
