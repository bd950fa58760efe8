/**
 * LangfuseSpanExporter with protocol 'ingestion' wired together, under the SDK's
 * BatchSpanProcessor, posting to a loopback fake Langfuse that validates every event with
 * Langfuse's server rules and answers 207. (Protocol 'otlp', the default: otlp-exporter.test.ts.)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, test } from 'vitest';
import { EventTypeNotAcceptedError } from '../../src/exporter/errors.js';
import { LangfuseSpanExporter } from '../../src/exporter/langfuse-span-exporter.js';
import { spansToIngestion } from '../../src/mapping/to-ingestion/index.js';
import { loadExampleSpans } from '../helpers/examples.js';
import { captureLogs, exportOnce } from '../helpers/exporter.js';
import { manySpans } from '../helpers/spans.js';
import { startFakeLangfuse } from '../helpers/fake-langfuse.js';
import type { FakeLangfuse } from '../helpers/fake-langfuse.js';

const PUBLIC_KEY = 'pk-lf-exporter-test';
const SECRET_KEY = 'sk-lf-very-secret-value-42';

let fake: FakeLangfuse | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  diag.disable();
});

function exporterFor(url: string, extra: Record<string, unknown> = {}): LangfuseSpanExporter {
  return new LangfuseSpanExporter({ publicKey: PUBLIC_KEY, secretKey: SECRET_KEY, baseUrl: url, spanFilter: 'all', protocol: 'ingestion', ...extra });
}

describe('LangfuseSpanExporter', () => {
  test('every span arrives exactly once as the event the mapping makes; SUCCESS once', async () => {
    fake = await startFakeLangfuse();
    const exporter = exporterFor(fake.url);
    const spans = loadExampleSpans('ai-sdk');
    expect(await exportOnce(exporter, spans)).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
    const expected = spansToIngestion(spans).value;
    const sent = fake.requests.flatMap((r) => r.batch);
    expect(sent).toEqual(expected);
    expect(fake.accepted().sort()).toEqual(expected.map((e) => e.id).sort());
    expect(fake.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${PUBLIC_KEY}:${SECRET_KEY}`).toString('base64')}`);
  });

  test('a large export goes in parts of whole traces: the same events as mapping it at once, each once', async () => {
    fake = await startFakeLangfuse();
    const exporter = exporterFor(fake.url);
    const spans = manySpans(12); // 12 copies of 50 spans: more than one part
    expect(await exportOnce(exporter, spans)).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
    expect(fake.requests.length).toBeGreaterThan(1);
    const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const sent = fake.requests.flatMap((r) => r.batch as Array<{ id: string }>);
    expect([...sent].sort(byId)).toEqual([...spansToIngestion(spans).value].sort(byId));
    // No trace is split between requests: each trace-create goes with its trace's observations.
    for (const request of fake.requests) {
      const traces = new Set(request.batch.map((e) => (e as { body: { traceId?: string; id: string }; type: string }).body.traceId ?? '').filter(Boolean));
      const created = new Set(request.batch.filter((e) => (e as { type: string }).type === 'trace-create').map((e) => (e as { body: { id: string } }).body.id));
      expect(created).toEqual(traces);
    }
  });

  test('parts fail on their own: one part refused, the others accepted, FAILED once naming only the refused', async () => {
    fake = await startFakeLangfuse((i) => (i === 1 ? { status: 400, body: { message: 'bad request' } } : undefined));
    const exporter = exporterFor(fake.url);
    const results = await exportOnce(exporter, manySpans(12));
    expect(results).toHaveLength(1);
    expect(results[0]?.code).toBe(ExportResultCode.FAILED);
    await exporter.shutdown();
    const refused = fake.requests[1]!.batch.map((e) => (e as { id: string }).id);
    const accepted = fake.requests.filter((_, i) => i !== 1).flatMap((r) => r.batch.map((e) => (e as { id: string }).id));
    expect(fake.accepted().sort()).toEqual(accepted.sort());
    expect(results[0]?.error?.message).toContain(`${refused.length} of `);
  });

  test('drain: 10,000 spans through a BatchSpanProcessor, then shutdown: all of them arrive', async () => {
    fake = await startFakeLangfuse();
    const exporter = exporterFor(fake.url);
    const processor = new BatchSpanProcessor(exporter, { maxQueueSize: 20_000, maxExportBatchSize: 512, scheduledDelayMillis: 10 });
    const spans = manySpans(345).slice(0, 10_000);
    for (const s of spans) processor.onEnd(s);
    await processor.shutdown();
    const ids = new Set(fake.requests.flatMap((r) => r.batch).filter((e) => (e as { type: string }).type !== 'trace-create').map((e) => (e as { body: { id: string } }).body.id));
    expect(ids.size).toBe(10_000);
  });

  test('a 401 is FAILED once, never retried, and no log line or error contains the secret', async () => {
    const lines = captureLogs();
    fake = await startFakeLangfuse(() => ({ status: 401, body: { message: 'Invalid credentials' } }));
    const exporter = exporterFor(fake.url);
    const [result, ...more] = await exportOnce(exporter, loadExampleSpans('otel'));
    expect(more).toEqual([]);
    expect(result?.code).toBe(ExportResultCode.FAILED);
    expect(fake.requests).toHaveLength(1);
    await exporter.shutdown();
    const everything = [...lines, String(result?.error?.message), String(result?.error?.stack)].join('\n');
    expect(everything).not.toContain(SECRET_KEY);
    expect(everything).not.toContain(Buffer.from(`${PUBLIC_KEY}:${SECRET_KEY}`).toString('base64'));
  });

  test('Langfuse Cloud (v4 events_only) refuses the events: FAILED once, naming protocol otlp as the fix, one POST', async () => {
    fake = await startFakeLangfuse(undefined, { ingestion: 'scores-only' });
    const exporter = exporterFor(fake.url);
    const [result, ...more] = await exportOnce(exporter, loadExampleSpans('otel'));
    expect(more).toEqual([]);
    expect(result?.code).toBe(ExportResultCode.FAILED);
    expect(result?.error).toBeInstanceOf(EventTypeNotAcceptedError);
    expect(result?.error?.message).toContain("Fix: use protocol: 'otlp' (the default)");
    expect(result?.error?.message).toContain(`${fake.url}/api/public/otel/v1/traces`);
    expect(fake.requests).toHaveLength(1);
    expect(fake.accepted()).toEqual([]);
    await exporter.shutdown();
  });

  test('after shutdown export fails fast; two exporters with two key pairs post to two projects', async () => {
    fake = await startFakeLangfuse();
    const a = exporterFor(fake.url);
    const b = new LangfuseSpanExporter({ publicKey: 'pk-lf-b', secretKey: 'sk-lf-b', baseUrl: fake.url, spanFilter: 'all', protocol: 'ingestion' });
    await exportOnce(a, loadExampleSpans('otel'));
    await exportOnce(b, loadExampleSpans('otel'));
    expect(fake.requests.map((r) => r.headers['x-langfuse-public-key'])).toEqual([PUBLIC_KEY, 'pk-lf-b']);
    await a.shutdown();
    const [result] = await exportOnce(a, loadExampleSpans('otel'));
    expect(result?.code).toBe(ExportResultCode.FAILED);
    await b.shutdown();
  });

  test('file output: JSON Lines of ingestion batches', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'olb-exp-')), 'out.jsonl');
    const exporter = new LangfuseSpanExporter({ output: { file }, spanFilter: 'all' });
    expect(await exportOnce(exporter, loadExampleSpans('langfuse-tracing'))).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { batch: unknown[] });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.batch).toEqual(spansToIngestion(loadExampleSpans('langfuse-tracing')).value);
  });
});
