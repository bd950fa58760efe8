/**
 * Runs inside a fresh consumer project that installed the packed tarball beside one OpenTelemetry
 * JS line (../run.ts compiles it there with `moduleResolution: node16` and runs it on that line's
 * Node). Prints one `ok` line per check; any failure throws and exits non-zero.
 *
 * - exporter: spans of the line's SDK (NodeSDK) go through LangfuseSpanExporter to a loopback
 *   fake Langfuse. It takes the legacy ingestion endpoint and the OTLP one alike, so this holds
 *   whichever `protocol` the exporter defaults to.
 * - receiver: a Langfuse ingestion POST to `createReceiver` is forwarded by the line's own
 *   OTLPTraceExporter to a loopback OTLP sink.
 * - entries: ESM import and CommonJS require of `.`, `./mapping` and `./receiver`; a
 *   ConfigurationError thrown by `./receiver` is `instanceof` the class `.` exports, in each format.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import * as root from 'otel-langfuse-bridge';
import * as mapping from 'otel-langfuse-bridge/mapping';
import * as receiverEntry from 'otel-langfuse-bridge/receiver';
import { INGESTION_PATH, LANGFUSE_OTLP_PATH, startFakeLangfuse, startOtlpSink } from './fakes.js';
import { simpleProcessor, startTracing } from './sdk-line.js';

/**
 * A recorded litellm request body (a trace-create and a generation-create named
 * litellm-acompletion), copied into the consumer project, the working directory.
 */
const REQUEST = JSON.parse(readFileSync('litellm-batch.json', 'utf8')) as { batch: unknown[] };
const PUBLIC_KEY = 'pk-lf-package-smoke';
const SECRET_KEY = 'sk-lf-package-smoke';

function ok(what: string): void {
  process.stdout.write(`ok - ${what}\n`);
}

async function exporterSmoke(): Promise<void> {
  const langfuse = await startFakeLangfuse();
  try {
    const exporter = new root.LangfuseSpanExporter({ publicKey: PUBLIC_KEY, secretKey: SECRET_KEY, baseUrl: langfuse.url });
    const shutdown = startTracing(simpleProcessor(exporter));
    const span = trace.getTracer('package-smoke').startSpan('chat gpt-4o-mini', {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 3,
      },
    });
    span.end();
    await shutdown();
    const posts = langfuse.received.filter((r) => r.method === 'POST' && (r.path === INGESTION_PATH || r.path === LANGFUSE_OTLP_PATH));
    assert.ok(posts.length > 0, `no POST reached the fake Langfuse (got: ${langfuse.received.map((r) => `${r.method} ${r.path}`).join(', ') || 'nothing'})`);
    assert.ok(posts.some((r) => r.body.includes('gpt-4o-mini')), 'the GenAI span did not arrive');
    const auth = `Basic ${Buffer.from(`${PUBLIC_KEY}:${SECRET_KEY}`).toString('base64')}`;
    assert.ok(posts.every((r) => r.headers.authorization === auth), 'a POST without the Basic auth of the keys');
    ok(`exporter: a GenAI span reached the fake Langfuse at ${[...new Set(posts.map((r) => r.path))].join(', ')}`);
  } finally {
    await langfuse.close();
  }
}

async function receiverSmoke(): Promise<void> {
  const sink = await startOtlpSink();
  try {
    // A spool of its own: the default one (under the home directory) remembers envelope ids across runs.
    const spoolDir = mkdtempSync(join(tmpdir(), 'smoke-spool-'));
    const receiver = await receiverEntry.createReceiver({ exporter: new OTLPTraceExporter({ url: `${sink.url}/v1/traces` }), spoolDir });
    const res = await fetch(`${receiver.url}${INGESTION_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(REQUEST),
    });
    assert.equal(res.status, 207);
    const answer = (await res.json()) as { successes: unknown[]; errors: unknown[] };
    assert.deepEqual([answer.successes.length, answer.errors.length], [REQUEST.batch.length, 0]);
    await receiver.close();
    const posts = sink.received.filter((r) => r.method === 'POST' && r.path === '/v1/traces');
    assert.ok(posts.length > 0, 'nothing reached the OTLP sink');
    assert.ok(posts.every((r) => String(r.headers['content-type']).startsWith('application/x-protobuf')));
    assert.ok(posts.some((r) => r.body.includes('litellm-acompletion')), 'the generation did not reach the OTLP sink');
    ok(`receiver: an ingestion POST went out as OTLP/protobuf (${posts.length} request(s)) through the line's OTLPTraceExporter`);
  } finally {
    await sink.close();
  }
}

/** The three entries of one format: one ConfigurationError class across them. */
async function entries(format: string, main: typeof root, map: typeof mapping, receiver: typeof receiverEntry): Promise<void> {
  assert.equal(main.VERSION, root.VERSION);
  const spans = map.ingestionToSpans(REQUEST.batch).value;
  assert.equal(spans.length, 2);
  const events = map.spansToIngestion(spans).value;
  assert.ok(events.some((e) => e.type === 'generation-create'), 'the round trip lost the generation');
  const exporter = new OTLPTraceExporter();
  await assert.rejects(receiver.createReceiver({ exporter, maxBodyBytes: 0 }), (err: unknown) => {
    assert.ok(err instanceof main.ConfigurationError, `${format}: ./receiver's ConfigurationError is not the one of .`);
    return true;
  });
  await exporter.shutdown();
  ok(`${format}: ., ./mapping and ./receiver load; the mapping round-trips; one ConfigurationError class`);
}

await exporterSmoke();
await receiverSmoke();
await entries('ESM import', root, mapping, receiverEntry);
const require = createRequire(import.meta.url);
await entries(
  'CommonJS require',
  require('otel-langfuse-bridge') as typeof root,
  require('otel-langfuse-bridge/mapping') as typeof mapping,
  require('otel-langfuse-bridge/receiver') as typeof receiverEntry,
);
