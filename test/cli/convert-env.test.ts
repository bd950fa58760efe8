/**
 * `convert` and the environment a user's shell has: an OTLP endpoint there changes nothing unless
 * `--endpoint` is given (then, alone, it names the URL; headers follow OTEL_EXPORTER_OTLP_HEADERS);
 * `--langfuse` sends to Langfuse under the SDKs' variable names; OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES shape the resource; OTEL_LOG_LEVEL never puts a log line into the
 * data on stdout. The CLI runs in a child process (tsx, nothing built); bodies are read by the
 * independent protobuf decoder.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, test } from 'vitest';
import { otlpJsonToSpans } from '../../src/otlp/otlp-json.js';
import { convertWithEnv as convert } from '../helpers/convert-cli.js';
import { startOtlpServer } from '../helpers/loopback.js';
import { decodeTraceRequest } from '../helpers/otlp-proto.js';

const LOG = 'examples/logs/litellm.jsonl';

const spansOfLines = (text: string): ReadableSpan[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => otlpJsonToSpans(JSON.parse(l)).value);

describe('convert and the OpenTelemetry environment', () => {
  test('an OTLP endpoint in the environment alone sends nothing: the spans go to stdout, as without it', async () => {
    const otlp = await startOtlpServer(200);
    try {
      const r = await convert([LOG], { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url.replace('/v1/traces', ''), OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp.url });
      expect([r.status, r.stderr]).toEqual([0, 'otel-langfuse-bridge convert: 2 events -> 2 spans in 1 OTLP requests; 0 issues\n']);
      expect(spansOfLines(r.stdout)).toHaveLength(2);
      expect(otlp.requests).toEqual([]);
    } finally {
      await otlp.close();
    }
  });

  test('--endpoint alone: OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces, with OTEL_EXPORTER_OTLP_HEADERS; the resource from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', async () => {
    const otlp = await startOtlpServer(200);
    try {
      const r = await convert([LOG, '--endpoint'], {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url.replace('/v1/traces', ''),
        OTEL_EXPORTER_OTLP_HEADERS: 'x-team=search',
        OTEL_SERVICE_NAME: 'replay',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,langfuse.sdk.name=spoofed',
      });
      expect([r.status, r.stdout]).toEqual([0, '']);
      expect(r.stderr).toBe(`otel-langfuse-bridge convert: 2 events -> 2 spans in 1 OTLP requests to ${otlp.url}; 0 issues\n`);
      expect(otlp.requests.map((q) => [q.path, q.headers['x-team'], q.headers['content-type']])).toEqual([['/v1/traces', 'search', 'application/x-protobuf']]);
      const spans = otlpJsonToSpans(decodeTraceRequest((otlp.requests[0] as { body: Buffer }).body)).value;
      expect(spans.map((s) => s.resource.attributes)).toEqual(
        Array(2).fill({
          'deployment.environment.name': 'prod',
          'service.name': 'replay',
          'langfuse.sdk.name': 'python',
          'langfuse.sdk.version': '2.44.1',
          'langfuse.public_key': 'pk-lf-e02aaea3-8668-4c9f-8c69-771a4ea1f5c9',
        }),
      );
    } finally {
      await otlp.close();
    }
  });

  test('--endpoint URL wins over the environment; a file name taken for the URL is a usage error that says how to write it', async () => {
    const [used, unused] = [await startOtlpServer(200), await startOtlpServer(200)];
    try {
      const r = await convert([LOG, '--endpoint', used.url], { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: unused.url });
      expect(r.status).toBe(0);
      expect([used.requests.length, unused.requests.length]).toEqual([1, 0]);
      const misread = await convert(['--endpoint', LOG], {});
      expect(misread.status).toBe(2);
      expect(misread.stderr).toContain('give --endpoint alone after the inputs');
    } finally {
      await Promise.all([used.close(), unused.close()]);
    }
  });

  test('--langfuse: LANGFUSE_BASEURL, the SDK key pair as Basic auth, x-langfuse-ingestion-version 4, only the langfuse.* keys', async () => {
    const langfuse = await startOtlpServer(200);
    const base = langfuse.url.replace('/v1/traces', '/prefix');
    try {
      const r = await convert([LOG, '--langfuse'], { LANGFUSE_BASEURL: base, LANGFUSE_PUBLIC_KEY: 'pk-lf-1', LANGFUSE_SECRET_KEY: 'sk-lf-2' });
      expect(r.status).toBe(0);
      expect(r.stderr).not.toContain('sk-lf-2');
      const [request] = langfuse.requests;
      expect([request?.path, request?.headers.authorization, request?.headers['x-langfuse-ingestion-version']]).toEqual([
        '/prefix/api/public/otel/v1/traces',
        `Basic ${Buffer.from('pk-lf-1:sk-lf-2').toString('base64')}`,
        '4',
      ]);
      const spans = otlpJsonToSpans(decodeTraceRequest((request as { body: Buffer }).body)).value;
      const keys = spans.flatMap((s) => Object.keys(s.attributes));
      expect(keys).toContain('langfuse.observation.model.name');
      expect(keys.filter((k) => k.startsWith('gen_ai.'))).toEqual([]);

      const missing = await convert([LOG, '--langfuse'], { LANGFUSE_PUBLIC_KEY: 'pk-lf-1' });
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('sending to Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY (missing: LANGFUSE_SECRET_KEY)');
      expect((await convert([LOG, '--langfuse', '--endpoint', langfuse.url], {})).status).toBe(2);
    } finally {
      await langfuse.close();
    }
  });

  test('OTEL_LOG_LEVEL=debug: log lines go to stderr, stdout stays OTLP/JSON lines', async () => {
    const r = await convert([LOG], { OTEL_LOG_LEVEL: 'debug', OTEL_RESOURCE_ATTRIBUTES: 'bad=a=b' });
    expect(r.status).toBe(0);
    expect(spansOfLines(r.stdout)).toHaveLength(2);
    expect(r.stderr).toContain('EnvDetector failed'); // the SDK detector's own debug line
    expect(r.stderr).toContain('OTEL_RESOURCE_ATTRIBUTES is not a list of key=value pairs');
  });
});
