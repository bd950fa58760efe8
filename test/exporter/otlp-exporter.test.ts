/**
 * LangfuseSpanExporter with protocol 'otlp' (the default) wired together, posting to the loopback
 * fake Langfuse v4, whose OTLP endpoint refuses a whole request for one bad id and stores what it
 * takes: what it stores equals what the ingestion output makes Langfuse store (the mapping
 * contract itself: test/mapping/to-langfuse-otlp); here the wiring: parts, repairs, cuts,
 * honest results, the drain, key pairs, scores.
 */
import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import { DeliveryError } from '../../src/exporter/errors.js';
import { LangfuseSpanExporter } from '../../src/exporter/langfuse-span-exporter.js';
import type { LangfuseSpanExporterOptions } from '../../src/exporter/options.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { ingestionToSpans } from '../../src/mapping/to-otel/index.js';
import { DIALECTS, loadExampleSpans } from '../helpers/examples.js';
import { captureLogs, exportOnce } from '../helpers/exporter.js';
import { OTLP_TRACES_PATH } from '../helpers/fake-langfuse-otlp.js';
import { INGESTION_PATH, startFakeLangfuse } from '../helpers/fake-langfuse.js';
import type { FakeLangfuse } from '../helpers/fake-langfuse.js';
import { plainAttributes } from '../helpers/langfuse-v4-reader.js';
import { expectOtlpMatchesIngestion } from '../helpers/otlp-vs-ingestion.js';
import { manySpans } from '../helpers/spans.js';

const PUBLIC_KEY = 'pk-lf-otlp-exporter';
const SECRET_KEY = 'sk-lf-otlp-very-secret-7';

let fake: FakeLangfuse | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  diag.disable();
});

function exporterFor(url: string, extra: LangfuseSpanExporterOptions = {}): LangfuseSpanExporter {
  return new LangfuseSpanExporter({ publicKey: PUBLIC_KEY, secretKey: SECRET_KEY, baseUrl: url, spanFilter: 'all', ...extra });
}

const otlpRequests = (f: FakeLangfuse): FakeLangfuse['requests'] => f.requests.filter((r) => r.path === OTLP_TRACES_PATH);

describe('LangfuseSpanExporter, protocol otlp (the default)', () => {
  test.for(DIALECTS)('%s: SUCCESS once; Langfuse stores what it stores from the ingestion events', async (dialect) => {
    fake = await startFakeLangfuse();
    const exporter = exporterFor(fake.url);
    const spans = loadExampleSpans(dialect);
    expect(await exportOnce(exporter, spans)).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
    expect(fake.requests.map((r) => r.path)).toEqual([OTLP_TRACES_PATH]);
    expectOtlpMatchesIngestion(fake.otlpSpans(), spansToIngestion(spans).value);
  });

  test('a large export goes in parts of whole traces: every span stored once, the same as mapping it at once', async () => {
    fake = await startFakeLangfuse();
    const exporter = exporterFor(fake.url);
    const spans = manySpans(12);
    expect(await exportOnce(exporter, spans)).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
    expect(otlpRequests(fake).length).toBeGreaterThan(1);
    expectOtlpMatchesIngestion(fake.otlpSpans(), spansToIngestion(spans).value);
  });

  test('ids Langfuse would refuse are repaired, so they sink no request: every span stored, the repairs logged', async () => {
    const lines = captureLogs();
    fake = await startFakeLangfuse();
    const exporter = exporterFor(fake.url);
    const good = loadExampleSpans('otel');
    const odd = good.map((s, i) => {
      const ctx = s.spanContext();
      return i === 1 ? ({ ...s, spanContext: () => ({ ...ctx, spanId: 'not-a-span-id' }) } as ReadableSpan) : s;
    });
    expect(await exportOnce(exporter, odd)).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
    expect(fake.otlpSpans()).toHaveLength(good.length);
    expect(lines.some((l) => l.includes('mapping issue(s)') && l.includes('INVALID_ID'))).toBe(true);
  });

  test('an oversized span is cut with a marker and delivered', async () => {
    const lines = captureLogs();
    fake = await startFakeLangfuse();
    const exporter = exporterFor(fake.url);
    const [first, ...rest] = loadExampleSpans('otel');
    const big = { ...first, attributes: { ...first?.attributes, 'input.value': 'w'.repeat(3_000_000) } } as ReadableSpan;
    expect(await exportOnce(exporter, [big, ...rest])).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
    const stored = fake.otlpSpans().find((s) => s.span.spanId === first?.spanContext().spanId);
    const input = String(plainAttributes(stored?.span.attributes)['langfuse.observation.input']);
    expect(input).toMatch(/^w+\.\.\.\[truncated by otel-langfuse-bridge, original length \d+ bytes\]$/);
    expect(Buffer.byteLength(input)).toBeLessThan(1_000_000);
    expect(otlpRequests(fake).every((r) => r.bytes <= 3_500_000)).toBe(true);
    expect(lines.some((l) => l.includes('TRUNCATED'))).toBe(true);
  });

  test('parts fail on their own: one refused, the others stored, FAILED once naming only the refused spans', async () => {
    fake = await startFakeLangfuse((i, req) => (req.path === OTLP_TRACES_PATH && i === 1 ? { status: 400, body: { error: 'bad request' } } : undefined));
    const exporter = exporterFor(fake.url);
    const spans = manySpans(12);
    const results = await exportOnce(exporter, spans);
    await exporter.shutdown();
    expect(results).toHaveLength(1);
    expect(results[0]?.code).toBe(ExportResultCode.FAILED);
    const stored = new Set(fake.otlpSpans().map((s) => String(s.span.spanId)));
    const refused = spans.map((s) => s.spanContext().spanId).filter((id) => !stored.has(id));
    expect(refused.length).toBeGreaterThan(0);
    expect(stored.size + refused.length).toBe(spans.length);
    expect(results[0]?.error).toBeInstanceOf(DeliveryError);
    const message = String(results[0]?.error?.message);
    expect(message).toMatch(new RegExp(`^${refused.length} of ${spans.length} span\\(s\\) undelivered \\(HTTP 400 Bad Request; ids: `));
    const named = message.slice(message.indexOf('ids: ') + 5).split(/, | and /).filter((id) => /^[0-9a-f]{16}$/.test(id));
    expect(named.length).toBeGreaterThan(0);
    for (const id of named) expect(refused).toContain(id);
  });

  test('a 401 is FAILED once, never retried, and no log line or error contains the secret', async () => {
    const lines = captureLogs();
    fake = await startFakeLangfuse(undefined, { keyPairs: [{ publicKey: PUBLIC_KEY, secretKey: 'sk-lf-the-right-one' }] });
    const exporter = exporterFor(fake.url);
    const [result, ...more] = await exportOnce(exporter, loadExampleSpans('otel'));
    await exporter.shutdown();
    expect(more).toEqual([]);
    expect(result?.code).toBe(ExportResultCode.FAILED);
    expect((result?.error as DeliveryError).status).toBe(401);
    expect(fake.requests).toHaveLength(1);
    const everything = [...lines, String(result?.error?.message), String(result?.error?.stack)].join('\n');
    expect(everything).not.toContain(SECRET_KEY);
    expect(everything).not.toContain(Buffer.from(`${PUBLIC_KEY}:${SECRET_KEY}`).toString('base64'));
  });

  test('drain: 10,000 spans through a BatchSpanProcessor, then shutdown: all of them stored', async () => {
    fake = await startFakeLangfuse();
    const exporter = exporterFor(fake.url);
    const processor = new BatchSpanProcessor(exporter, { maxQueueSize: 20_000, maxExportBatchSize: 512, scheduledDelayMillis: 10 });
    for (const s of manySpans(345).slice(0, 10_000)) processor.onEnd(s);
    await processor.shutdown();
    expect(new Set(fake.otlpSpans().map((s) => s.span.spanId)).size).toBe(10_000);
  });

  test('after shutdown export fails fast; two exporters with two key pairs post to two projects', async () => {
    const other = { publicKey: 'pk-lf-b', secretKey: 'sk-lf-b' };
    fake = await startFakeLangfuse(undefined, { keyPairs: [{ publicKey: PUBLIC_KEY, secretKey: SECRET_KEY }, other] });
    const a = exporterFor(fake.url);
    const b = exporterFor(fake.url, other);
    expect(await exportOnce(a, loadExampleSpans('otel'))).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(await exportOnce(b, loadExampleSpans('otel'))).toEqual([{ code: ExportResultCode.SUCCESS }]);
    const basic = (pk: string, sk: string): string => `Basic ${Buffer.from(`${pk}:${sk}`).toString('base64')}`;
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual([basic(PUBLIC_KEY, SECRET_KEY), basic(other.publicKey, other.secretKey)]);
    await a.shutdown();
    const [result] = await exportOnce(a, loadExampleSpans('otel'));
    expect(result?.code).toBe(ExportResultCode.FAILED);
    await b.shutdown();
  });

  test('scores carried by spans of our reverse mapping go to the ingestion endpoint, which Cloud keeps for scores', async () => {
    fake = await startFakeLangfuse(undefined, { ingestion: 'scores-only' });
    const exporter = exporterFor(fake.url);
    const traceId = 'trace-with-a-score';
    const spans = ingestionToSpans([
      { id: 'e1', type: 'trace-create', timestamp: '2026-11-24T20:00:00.000Z', body: { id: traceId, name: 't' } },
      { id: 'e2', type: 'generation-create', timestamp: '2026-11-24T20:00:00.000Z', body: { id: 'gen-1', traceId, name: 'g', model: 'm', startTime: '2026-11-24T20:00:00.000Z', endTime: '2026-11-24T20:00:01.000Z' } },
      { id: 'e3', type: 'score-create', timestamp: '2026-11-24T20:00:02.000Z', body: { id: 'score-1', traceId, observationId: 'gen-1', name: 'quality', value: 1 } },
    ]).value;
    expect(await exportOnce(exporter, spans)).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
    const [generation] = fake.otlpSpans();
    const scores = fake.requests.filter((r) => r.path === INGESTION_PATH).flatMap((r) => r.batch) as Array<{ type: string; body: Record<string, unknown> }>;
    expect(scores.map((s) => s.type)).toEqual(['score-create']);
    expect(scores[0]?.body).toMatchObject({ id: 'score-1', traceId: generation?.span.traceId, observationId: generation?.span.spanId });
    expect(fake.accepted()).toHaveLength(1);
  });
});
